using System;

namespace E2ENet.Data.Preprocessing
{
    /// <summary>
    /// The cubic B-spline: its basis function and the recursive prefilter that turns samples into spline coefficients
    /// (Unser's algorithm, pole sqrt(3) - 2, mirror-symmetric boundaries), so that interpolation reproduces the samples.
    /// </summary>
    public static class CubicBSpline
    {
        private static readonly double Pole = Math.Sqrt(3) - 2;

        /// <summary>β3(t): 2/3 - t² + |t|³/2 for |t| &lt; 1, (2 - |t|)³ / 6 for |t| &lt; 2, else 0.</summary>
        public static double Basis(double t)
        {
            t = Math.Abs(t);
            if (t < 1) return 2.0 / 3.0 - t * t + t * t * t / 2;
            if (t < 2) { double u = 2 - t; return u * u * u / 6; }
            return 0;
        }

        /// <summary>Replaces the samples of a line by their cubic B-spline coefficients, in place.</summary>
        public static void Prefilter(Span<float> line)
        {
            int n = line.Length;
            if (n < 2) return;
            double z = Pole;
            const double gain = 6; // (1 - z)(1 - 1/z)
            Span<double> c = n <= 1024 ? stackalloc double[n] : new double[n];
            for (int i = 0; i < n; i++) c[i] = line[i] * gain;

            // Causal initialisation with mirror boundaries, truncated where z^k is negligible.
            int horizon = Math.Min(n, (int)Math.Ceiling(Math.Log(1e-12) / Math.Log(Math.Abs(z))));
            double sum = c[0], zk = z;
            for (int k = 1; k < horizon; k++) { sum += zk * c[k]; zk *= z; }
            c[0] = sum;
            for (int i = 1; i < n; i++) c[i] += z * c[i - 1];
            c[n - 1] = z / (z * z - 1) * (c[n - 1] + z * c[n - 2]);
            for (int i = n - 2; i >= 0; i--) c[i] = z * (c[i + 1] - c[i]);
            for (int i = 0; i < n; i++) line[i] = (float)c[i];
        }
    }
}
