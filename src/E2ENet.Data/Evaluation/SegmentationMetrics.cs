using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Evaluation
{
    /// <summary>
    /// The metrics of one class in one case. NaN (JSON null) where a metric is undefined:
    /// Dice is NaN when both prediction and reference are empty (nnU-Net: excluded from means) and 0 when only one is;
    /// HD95 is NaN when either is empty (nnU-Net v1 / MedPy); surface Dice is NaN when both are empty and 0 when only one is.
    /// </summary>
    public sealed record ClassMetrics(int Label, double Dice, double Hd95, double SurfaceDice, long ReferenceVoxels, long PredictionVoxels, long TruePositives);

    /// <summary>Dice, HD95 and surface Dice (normalized surface distance) between two label maps on one grid, with true spacing.</summary>
    public static class SegmentationMetrics
    {
        /// <summary>Metrics of every label in <paramref name="labels"/> (foreground classes).</summary>
        public static IReadOnlyList<ClassMetrics> Compute(float[] prediction, float[] reference, Int3 shape, Real3 spacing, IReadOnlyList<int> labels, double toleranceMm)
            => labels.Select(label => ForClass(prediction, reference, shape, spacing, label, toleranceMm)).ToList();

        /// <summary>The Dice of one label alone (NaN when neither map holds it, as in <see cref="ForClass"/>).</summary>
        public static double Dice(float[] prediction, float[] reference, int label)
        {
            long tp = 0, np = 0, nr = 0;
            for (long n = 0; n < prediction.LongLength; n++)
            {
                bool p = prediction[n] == label, r = reference[n] == label;
                if (p) np++;
                if (r) nr++;
                if (p && r) tp++;
            }
            return np + nr == 0 ? double.NaN : 2.0 * tp / (np + nr);
        }

        /// <summary>The metrics of one label.</summary>
        public static ClassMetrics ForClass(float[] prediction, float[] reference, Int3 shape, Real3 spacing, int label, double toleranceMm)
        {
            var p = new bool[prediction.Length];
            var r = new bool[reference.Length];
            long tp = 0, np = 0, nr = 0;
            for (long n = 0; n < p.LongLength; n++)
            {
                p[n] = prediction[n] == label;
                r[n] = reference[n] == label;
                if (p[n]) np++;
                if (r[n]) nr++;
                if (p[n] && r[n]) tp++;
            }
            double dice = np + nr == 0 ? double.NaN : 2.0 * tp / (np + nr);
            if (np == 0 || nr == 0)
                return new ClassMetrics(label, dice, double.NaN, np + nr == 0 ? double.NaN : 0, nr, np, tp);

            bool[] pBorder = Border(p, shape), rBorder = Border(r, shape);
            double[] toReference = DistanceTransform.Compute(rBorder, shape, spacing);
            double[] toPrediction = DistanceTransform.Compute(pBorder, shape, spacing);
            var distances = new List<double>();
            long within = 0, surface = 0;
            for (long n = 0; n < pBorder.LongLength; n++)
            {
                if (pBorder[n]) { distances.Add(toReference[n]); surface++; if (toReference[n] <= toleranceMm) within++; }
                if (rBorder[n]) { distances.Add(toPrediction[n]); surface++; if (toPrediction[n] <= toleranceMm) within++; }
            }
            double hd95 = Statistics.Percentile(distances, 95);
            return new ClassMetrics(label, dice, hd95, (double)within / surface, nr, np, tp);
        }

        /// <summary>The surface voxels of a mask: in the mask, with a 6-neighbour outside it or outside the volume (MedPy's border: mask XOR erosion).</summary>
        public static bool[] Border(bool[] mask, Int3 shape)
        {
            var border = new bool[mask.Length];
            long plane = (long)shape.H * shape.W;
            long n = 0;
            for (int a = 0; a < shape.D; a++)
                for (int b = 0; b < shape.H; b++)
                    for (int c = 0; c < shape.W; c++, n++)
                    {
                        if (!mask[n]) continue;
                        border[n] = a == 0 || a == shape.D - 1 || b == 0 || b == shape.H - 1 || c == 0 || c == shape.W - 1
                            || !mask[n - plane] || !mask[n + plane] || !mask[n - shape.W] || !mask[n + shape.W] || !mask[n - 1] || !mask[n + 1];
                    }
            return border;
        }
    }
}
