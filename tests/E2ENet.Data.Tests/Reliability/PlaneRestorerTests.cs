using System;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Preprocessing;

namespace E2ENet.Data.Tests.Reliability
{
    /// <summary>
    /// Issue 10 (5): restoring a prediction plane by plane gives the labels of the whole-volume restore (transpose back, 3D
    /// resize, argmax, paste), for every axis order and resampling kind; only exact ties of two classes may differ.
    /// </summary>
    public class PlaneRestorerTests
    {
        public static TheoryData<int[], int[], double[], double[]> Geometries => new TheoryData<int[], int[], double[], double[]>
        {
            // transpose forward, crop size (file axes), original spacing (file axes), target spacing (plan axes)
            { new[] { 0, 1, 2 }, new[] { 9, 14, 11 }, new[] { 1.0, 1.0, 1.0 }, new[] { 1.0, 1.0, 1.0 } },      // nothing to resample
            { new[] { 0, 1, 2 }, new[] { 9, 14, 11 }, new[] { 1.5, 0.8, 0.8 }, new[] { 1.0, 1.0, 1.0 } },      // linear on every axis
            { new[] { 0, 1, 2 }, new[] { 7, 13, 12 }, new[] { 4.0, 0.9, 0.9 }, new[] { 2.5, 1.2, 1.2 } },      // anisotropic: nearest along axis 0
            { new[] { 2, 0, 1 }, new[] { 10, 9, 6 }, new[] { 0.9, 0.9, 4.0 }, new[] { 2.5, 1.2, 1.2 } },      // transposed, anisotropic axis last
            { new[] { 1, 2, 0 }, new[] { 8, 5, 9 }, new[] { 1.1, 3.0, 0.7 }, new[] { 1.5, 1.0, 1.0 } },
        };

        [Theory]
        [MemberData(nameof(Geometries))]
        public void Plane_by_plane_equals_the_whole_volume_restore(int[] forward, int[] crop, double[] originalSpacing, double[] target)
        {
            const int classes = 4;
            var original = new Int3(crop[0] + 3, crop[1] + 2, crop[2] + 4);
            var cropStart = new[] { 1, 2, 0 };
            double[] spacingPlan = forward.Select(a => originalSpacing[a]).ToArray();
            int[] cropPlan = forward.Select(a => crop[a]).ToArray();
            var resampled = new Int3(
                Math.Max(1, (int)Math.Round(spacingPlan[0] / target[0] * cropPlan[0])),
                Math.Max(1, (int)Math.Round(spacingPlan[1] / target[1] * cropPlan[1])),
                Math.Max(1, (int)Math.Round(spacingPlan[2] / target[2] * cropPlan[2])));
            var geometry = new CaseGeometry(new[] { original.D, original.H, original.W }, originalSpacing, cropStart, crop, forward,
                new[] { resampled.D, resampled.H, resampled.W }, target);
            var random = new Random(forward.Sum() * 31 + crop[0]);
            var probabilities = new float[classes * resampled.Volume];
            for (int n = 0; n < probabilities.Length; n++) probabilities[n] = (float)random.NextDouble();

            short[] planes = CasePreprocessor.Restore(probabilities, classes, geometry);
            (short[] whole, float[] margin) = WholeVolume(probabilities, classes, geometry);
            int differing = 0;
            for (int n = 0; n < whole.Length; n++)
            {
                if (planes[n] == whole[n]) continue;
                differing++;
                Assert.True(margin[n] < 1e-5f, $"voxel {n}: {planes[n]} vs {whole[n]} with a margin of {margin[n]}");
            }
            if (forward[0] == 0) Assert.Equal(0, differing);
        }

        /// <summary>The whole-volume restore (the reference): transpose back, 3D resize per class, argmax with the top-two margin, paste.</summary>
        private static (short[] Labels, float[] Margin) WholeVolume(float[] probabilities, int classes, CaseGeometry g)
        {
            var shape = new Int3(g.ShapeAfterResampling[0], g.ShapeAfterResampling[1], g.ShapeAfterResampling[2]);
            int[] backward = VolumeOps.Inverse(g.TransposeForward);
            var crop = new Int3(g.CropSize[0], g.CropSize[1], g.CropSize[2]);
            var transposed = new Int3(shape[backward[0]], shape[backward[1]], shape[backward[2]]);
            double[] current = backward.Select(a => g.SpacingAfterResampling[a]).ToArray();
            Interpolation[] orders = Planner.Orders(g.OriginalSpacing, current, Interpolation.Linear);
            var best = new float[crop.Volume];
            var second = Enumerable.Repeat(float.MinValue, (int)crop.Volume).ToArray();
            var argmax = new short[crop.Volume];
            for (int k = 0; k < classes; k++)
            {
                float[] channel = probabilities.AsSpan((int)(k * shape.Volume), (int)shape.Volume).ToArray();
                float[] back = VolumeOps.Transpose(channel, shape, backward).Data;
                float[] resized = transposed == crop ? back : Resampler.Resize(back, transposed, crop, orders);
                for (int n = 0; n < resized.Length; n++)
                {
                    if (k == 0 || resized[n] > best[n]) { second[n] = k == 0 ? float.MinValue : best[n]; best[n] = resized[n]; argmax[n] = (short)k; }
                    else if (resized[n] > second[n]) second[n] = resized[n];
                }
            }
            var original = new Int3(g.OriginalShape[0], g.OriginalShape[1], g.OriginalShape[2]);
            var labels = new short[original.Volume];
            var margin = Enumerable.Repeat(float.MaxValue, (int)original.Volume).ToArray();
            var box = new Box3(new Int3(g.CropStart[0], g.CropStart[1], g.CropStart[2]), crop);
            VolumeOps.Paste(argmax, labels, original, box);
            VolumeOps.Paste(best.Zip(second, (b, s) => b - s).ToArray(), margin, original, box);
            return (labels, margin);
        }
    }
}
