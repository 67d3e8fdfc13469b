using System;
using System.Threading.Tasks;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Evaluation
{
    /// <summary>
    /// The exact Euclidean distance transform with anisotropic spacing (Felzenszwalb and Huttenlocher's lower envelope
    /// of parabolas, one axis at a time): for every voxel, the distance in mm to the nearest feature voxel. The same
    /// values as scipy's <c>distance_transform_edt(~features, sampling=spacing)</c>.
    /// </summary>
    public static class DistanceTransform
    {
        /// <summary>Distances in mm to the nearest true voxel of <paramref name="features"/>; +Inf everywhere when there is none.</summary>
        public static double[] Compute(bool[] features, Int3 shape, Real3 spacing)
        {
            var squared = new double[features.Length];
            for (long n = 0; n < squared.LongLength; n++) squared[n] = features[n] ? 0 : double.PositiveInfinity;
            for (int axis = 2; axis >= 0; axis--) Pass(squared, shape, axis, spacing[axis]);
            for (long n = 0; n < squared.LongLength; n++) squared[n] = Math.Sqrt(squared[n]);
            return squared;
        }

        private static void Pass(double[] data, Int3 shape, int axis, double spacing)
        {
            int length = shape[axis];
            long stride = axis == 0 ? (long)shape.H * shape.W : axis == 1 ? shape.W : 1;
            int lines = (int)(shape.Volume / length);
            Parallel.For(0, Environment.ProcessorCount, worker =>
            {
                var f = new double[length];
                var result = new double[length];
                var vertices = new int[length];
                var bounds = new double[length + 1];
                for (int line = worker; line < lines; line += Environment.ProcessorCount)
                {
                    long start = LineStart(line, shape, axis);
                    for (int i = 0; i < length; i++) f[i] = data[start + i * stride];
                    Envelope(f, result, vertices, bounds, spacing);
                    for (int i = 0; i < length; i++) data[start + i * stride] = result[i];
                }
            });
        }

        private static long LineStart(int line, Int3 shape, int axis) => axis switch
        {
            0 => line, // lines indexed by (h, w)
            1 => (long)(line / shape.W) * shape.H * shape.W + line % shape.W,
            _ => (long)line * shape.W,
        };

        /// <summary>1D squared distance transform of sampled function f with sample spacing s: d(p) = min_q (s(p - q))² + f(q).</summary>
        private static void Envelope(double[] f, double[] d, int[] v, double[] z, double s)
        {
            int n = f.Length, k = -1;
            double s2 = s * s;
            for (int q = 0; q < n; q++)
            {
                if (double.IsPositiveInfinity(f[q])) continue;
                while (k >= 0)
                {
                    int p = v[k];
                    double intersection = ((f[q] + s2 * q * q) - (f[p] + s2 * p * p)) / (2 * s2 * (q - p));
                    if (intersection <= z[k]) k--;
                    else { k++; v[k] = q; z[k] = intersection; z[k + 1] = double.PositiveInfinity; break; }
                }
                if (k < 0) { k = 0; v[0] = q; z[0] = double.NegativeInfinity; z[1] = double.PositiveInfinity; }
            }
            if (k < 0) { Array.Fill(d, double.PositiveInfinity); return; }
            int j = 0;
            for (int q = 0; q < n; q++)
            {
                while (z[j + 1] < q) j++;
                double dq = s * (q - v[j]);
                d[q] = dq * dq + f[v[j]];
            }
        }
    }
}
