using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Preprocessing;

namespace E2ENet.Data.Training.Augmentations
{
    /// <summary>
    /// nnU-Net's spatial transform (batchgenerators' SpatialTransform as nnU-Net v1 configures it), fused with cutting
    /// the patch out of the case: with probability p_rotation the patch grid is rotated about its centre by an angle
    /// drawn uniformly in ±degrees around each axis (only around the depth axis for anisotropic data), with probability
    /// p_scaling its coordinates are multiplied by a factor drawn as batchgenerators does (half the time in [low, 1),
    /// otherwise in [1, high]); the image is then sampled with cubic B-splines (order 3) and the label per value with
    /// linear interpolation (order 1, a voxel takes a value whose interpolated indicator is at least 0.5). Outside the
    /// case the image is 0 and the label -1. When neither is drawn, the patch is copied exactly (no interpolation).
    /// </summary>
    public static class SpatialTransform
    {
        private const int Margin = 3;

        /// <summary>Cuts and (maybe) rotates and scales one patch.</summary>
        public static TrainingSample Extract(PreprocessedCase @case, PatchChoice choice, Int3 patch, AugmentSpec augment, bool inPlaneOnly, Rng rng)
        {
            bool rotate = rng.Chance(augment.Rotation.Probability);
            bool scale = rng.Chance(augment.Scaling.Probability);
            if (!rotate && !scale) return Copy(@case, choice, patch);

            double degrees = Math.Max(Math.Abs(augment.Rotation.Range.Min), Math.Abs(augment.Rotation.Range.Max));
            var angles = new double[3];
            if (rotate)
                for (int axis = 0; axis < 3; axis++)
                    angles[axis] = inPlaneOnly && axis != 0 ? 0 : rng.Uniform(-degrees, degrees) * Math.PI / 180;
            double factor = 1;
            if (scale)
            {
                RealRange range = augment.Scaling.Range;
                factor = rng.NextDouble() < 0.5 && range.Min < 1 ? rng.Uniform(range.Min, 1) : rng.Uniform(Math.Max(range.Min, 1), range.Max);
            }
            double[,] m = Multiply(Rotation(0, angles[0]), Multiply(Rotation(1, angles[1]), Rotation(2, angles[2])));
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) m[i, j] *= factor;
            return Warp(@case, choice, patch, m);
        }

        /// <summary>The patch at the choice's centre, copied exactly.</summary>
        public static TrainingSample Copy(PreprocessedCase @case, PatchChoice choice, Int3 patch)
        {
            var start = new Int3((int)Math.Round(choice.Centre[0] - (patch.D - 1) / 2.0), (int)Math.Round(choice.Centre[1] - (patch.H - 1) / 2.0), (int)Math.Round(choice.Centre[2] - (patch.W - 1) / 2.0));
            var box = new Box3(start, patch);
            var image = new float[@case.Channels * patch.Volume];
            for (int c = 0; c < @case.Channels; c++) @case.ReadImage(c, box, image, (int)(c * patch.Volume));
            var label = new short[patch.Volume];
            @case.ReadLabel(box, label);
            return new TrainingSample(@case.Name, @case.Channels, patch, image, label);
        }

        /// <summary>Samples the patch through the linear map <paramref name="m"/> (output offset from the centre to source offset).</summary>
        public static TrainingSample Warp(PreprocessedCase @case, PatchChoice choice, Int3 patch, double[,] m)
        {
            // The source block that holds every transformed voxel, with a margin for the cubic taps.
            var low = new double[] { double.MaxValue, double.MaxValue, double.MaxValue };
            var high = new double[] { double.MinValue, double.MinValue, double.MinValue };
            foreach (int cd in new[] { 0, patch.D - 1 })
            foreach (int ch in new[] { 0, patch.H - 1 })
            foreach (int cw in new[] { 0, patch.W - 1 })
            {
                double[] v = { cd - (patch.D - 1) / 2.0, ch - (patch.H - 1) / 2.0, cw - (patch.W - 1) / 2.0 };
                for (int i = 0; i < 3; i++)
                {
                    double x = choice.Centre[i] + m[i, 0] * v[0] + m[i, 1] * v[1] + m[i, 2] * v[2];
                    low[i] = Math.Min(low[i], x);
                    high[i] = Math.Max(high[i], x);
                }
            }
            var start = new Int3((int)Math.Floor(low[0]) - Margin, (int)Math.Floor(low[1]) - Margin, (int)Math.Floor(low[2]) - Margin);
            var size = new Int3((int)Math.Ceiling(high[0]) + Margin - start.D + 1, (int)Math.Ceiling(high[1]) + Margin - start.H + 1, (int)Math.Ceiling(high[2]) + Margin - start.W + 1);
            var box = new Box3(start, size);

            // Source coordinates of every output voxel, relative to the block.
            int voxels = (int)patch.Volume;
            var coords = new double[3][] { new double[voxels], new double[voxels], new double[voxels] };
            int n = 0;
            for (int a = 0; a < patch.D; a++)
                for (int b = 0; b < patch.H; b++)
                    for (int c = 0; c < patch.W; c++, n++)
                    {
                        double v0 = a - (patch.D - 1) / 2.0, v1 = b - (patch.H - 1) / 2.0, v2 = c - (patch.W - 1) / 2.0;
                        coords[0][n] = choice.Centre[0] + m[0, 0] * v0 + m[0, 1] * v1 + m[0, 2] * v2 - start.D;
                        coords[1][n] = choice.Centre[1] + m[1, 0] * v0 + m[1, 1] * v1 + m[1, 2] * v2 - start.H;
                        coords[2][n] = choice.Centre[2] + m[2, 0] * v0 + m[2, 1] * v1 + m[2, 2] * v2 - start.W;
                    }

            var image = new float[@case.Channels * voxels];
            var block = new float[size.Volume];
            for (int channel = 0; channel < @case.Channels; channel++)
            {
                @case.ReadImage(channel, box, block);
                PrefilterBlock(block, size);
                for (int i = 0; i < voxels; i++) image[channel * voxels + i] = Cubic(block, size, coords[0][i], coords[1][i], coords[2][i]);
            }

            var labels = new short[size.Volume];
            @case.ReadLabel(box, labels);
            var result = new short[voxels];
            var indicator = new float[size.Volume];
            foreach (short value in new SortedSet<short>(labels))
            {
                for (long i = 0; i < labels.LongLength; i++) indicator[i] = labels[i] == value ? 1f : 0f;
                for (int i = 0; i < voxels; i++) if (Linear(indicator, size, coords[0][i], coords[1][i], coords[2][i]) >= 0.5) result[i] = value;
            }
            return new TrainingSample(@case.Name, @case.Channels, patch, image, result);
        }

        private static void PrefilterBlock(float[] block, Int3 size)
        {
            for (int axis = 0; axis < 3; axis++)
            {
                int length = size[axis];
                long stride = axis == 0 ? (long)size.H * size.W : axis == 1 ? size.W : 1;
                var line = new float[length];
                for (long start = 0; start < block.LongLength; start++)
                {
                    // Visit each line once: its first element has index 0 along the axis.
                    long along = axis == 0 ? start / stride : axis == 1 ? start / size.W % size.H : start % size.W;
                    if (along != 0) continue;
                    for (int i = 0; i < length; i++) line[i] = block[start + i * stride];
                    CubicBSpline.Prefilter(line);
                    for (int i = 0; i < length; i++) block[start + i * stride] = line[i];
                }
            }
        }

        private static float Cubic(float[] c, Int3 size, double x0, double x1, double x2)
        {
            int i0 = (int)Math.Floor(x0), i1 = (int)Math.Floor(x1), i2 = (int)Math.Floor(x2);
            Span<double> w0 = stackalloc double[4], w1 = stackalloc double[4], w2 = stackalloc double[4];
            for (int t = 0; t < 4; t++)
            {
                w0[t] = CubicBSpline.Basis(x0 - (i0 - 1 + t));
                w1[t] = CubicBSpline.Basis(x1 - (i1 - 1 + t));
                w2[t] = CubicBSpline.Basis(x2 - (i2 - 1 + t));
            }
            double sum = 0;
            for (int a = 0; a < 4; a++)
            {
                int ia = Math.Clamp(i0 - 1 + a, 0, size.D - 1);
                for (int b = 0; b < 4; b++)
                {
                    int ib = Math.Clamp(i1 - 1 + b, 0, size.H - 1);
                    long row = ((long)ia * size.H + ib) * size.W;
                    double wab = w0[a] * w1[b], inner = 0;
                    for (int d = 0; d < 4; d++) inner += w2[d] * c[row + Math.Clamp(i2 - 1 + d, 0, size.W - 1)];
                    sum += wab * inner;
                }
            }
            return (float)sum;
        }

        /// <summary>Trilinear value of <paramref name="v"/> (shape <paramref name="size"/>) at array coordinates (x0, x1, x2), edges replicated.</summary>
        internal static double Linear(float[] v, Int3 size, double x0, double x1, double x2)
        {
            int i0 = (int)Math.Floor(x0), i1 = (int)Math.Floor(x1), i2 = (int)Math.Floor(x2);
            double f0 = x0 - i0, f1 = x1 - i1, f2 = x2 - i2, sum = 0;
            for (int a = 0; a < 2; a++)
            {
                int ia = Math.Clamp(i0 + a, 0, size.D - 1);
                double wa = a == 0 ? 1 - f0 : f0;
                for (int b = 0; b < 2; b++)
                {
                    int ib = Math.Clamp(i1 + b, 0, size.H - 1);
                    double wb = b == 0 ? 1 - f1 : f1;
                    long row = ((long)ia * size.H + ib) * size.W;
                    sum += wa * wb * ((1 - f2) * v[row + Math.Clamp(i2, 0, size.W - 1)] + f2 * v[row + Math.Clamp(i2 + 1, 0, size.W - 1)]);
                }
            }
            return sum;
        }

        /// <summary>A rotation by <paramref name="angle"/> radians about array axis <paramref name="axis"/> (the other two axes turn).</summary>
        public static double[,] Rotation(int axis, double angle)
        {
            var r = new double[3, 3];
            r[axis, axis] = 1;
            int p = (axis + 1) % 3, q = (axis + 2) % 3;
            double cos = Math.Cos(angle), sin = Math.Sin(angle);
            r[p, p] = cos; r[p, q] = -sin;
            r[q, p] = sin; r[q, q] = cos;
            return r;
        }

        private static double[,] Multiply(double[,] a, double[,] b)
        {
            var r = new double[3, 3];
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 3; k++) r[i, j] += a[i, k] * b[k, j];
            return r;
        }
    }
}
