using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Datasets;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Preprocessing
{
    /// <summary>One preprocessed case in memory: image (C, D, H, W), label (D, H, W) and where it came from.</summary>
    /// <param name="Image">Normalized intensities, float32, shape (C, D, H, W), C order.</param>
    /// <param name="Label">Labels 0..K-1, and -1 outside the non-zero mask (nnU-Net's convention); shape (D, H, W). At inference: 0 inside the mask, -1 outside.</param>
    /// <param name="Shape">(D, H, W), plan axes.</param>
    /// <param name="Geometry">How to go back to the original grid.</param>
    public sealed record PreprocessedArrays(float[] Image, short[] Label, Int3 Shape, CaseGeometry Geometry);

    /// <summary>
    /// nnU-Net v1's preprocessing of one case, shared by training and inference: crop to the non-zero region (any
    /// channel not 0, holes filled; label 0 outside it becomes -1), transpose to the plan's axes (largest spacing
    /// first), resample to the target spacing (image cubic, labels per class linear; order 0 along an anisotropic
    /// axis), normalize each channel. <see cref="Restore"/> undoes it for a prediction.
    /// </summary>
    public static class CasePreprocessor
    {
        /// <summary>Preprocesses the channels (one volume each, on one grid) and optionally the label of a case.</summary>
        /// <exception cref="DataException">E4303 when the channel count differs from the plan; E4109-E4111 when the volumes are not on one grid.</exception>
        public static PreprocessedArrays Run(IReadOnlyList<Volume> channels, Volume? label, PreprocessingPlan plan, IReadOnlyList<string>? files = null)
        {
            CheckInputs(channels, label, plan, files);
            return Preprocess(channels.Select(v => (float[]?)v.Voxels).ToArray(), channels[0].Shape, channels[0].Spacing, label, plan, files, consume: false);
        }

        /// <summary>
        /// Preprocesses the channels of a case to predict, taking their voxels over: <paramref name="channels"/> is emptied, and
        /// its voxel arrays are reused and changed in place where nothing else is needed (no crop, no transpose, one channel:
        /// normalized where they are), and released as soon as they are used. Prediction then holds one image, not several
        /// copies of it. The label of the result is empty unless normalization needs the non-zero mask.
        /// </summary>
        public static PreprocessedArrays RunConsuming(List<Volume> channels, PreprocessingPlan plan, IReadOnlyList<string>? files = null)
        {
            CheckInputs(channels, null, plan, files);
            float[]?[] voxels = channels.Select(v => (float[]?)v.Voxels).ToArray();
            Int3 shape = channels[0].Shape;
            Real3 spacing = channels[0].Spacing;
            channels.Clear();
            return Preprocess(voxels, shape, spacing, null, plan, files, consume: true);
        }

        private static void CheckInputs(IReadOnlyList<Volume> channels, Volume? label, PreprocessingPlan plan, IReadOnlyList<string>? files)
        {
            string Name(int i) => files != null && i < files.Count ? files[i] : "channel " + i;
            if (channels.Count != plan.Channels)
                throw new DataException(DataErrors.InputMismatch, files?.FirstOrDefault(), $"{channels.Count} image(s) given; the plan has {plan.Channels} channel(s) ({string.Join(", ", plan.ChannelNames)})");
            var problems = new List<DatasetProblem>();
            for (int c = 1; c < channels.Count; c++) DatasetChecker.CompareGrid(channels[0], Name(0), channels[c], Name(c), problems);
            if (label != null) DatasetChecker.CompareGrid(channels[0], Name(0), label, Name(channels.Count), problems);
            if (problems.Count > 0) throw problems[0].ToException();
        }

        private static PreprocessedArrays Preprocess(float[]?[] voxels, Int3 original, Real3 spacing, Volume? label, PreprocessingPlan plan, IReadOnlyList<string>? files, bool consume)
        {
            string Name(int i) => files != null && i < files.Count ? files[i] : "channel " + i;
            int channelCount = voxels.Length;

            // 1. Crop to the non-zero region (file axes).
            bool[]? mask = VolumeOps.NonzeroMask(voxels.Select(v => v!).ToList(), original);
            Box3 box = VolumeOps.BoundingBox(mask, original);
            bool whole = box.Size == original;
            var cropped = new float[]?[channelCount];
            for (int c = 0; c < channelCount; c++)
            {
                cropped[c] = consume && whole ? voxels[c] : VolumeOps.Crop(voxels[c]!, original, box);
                if (consume) voxels[c] = null;
            }
            // The label (-1 outside the non-zero mask): for training, and for normalizations that use the mask.
            bool needLabels = !consume || label != null || plan.UseNonzeroMaskForNormalization.Any(m => m);
            short[] labels = Array.Empty<short>();
            if (needLabels)
            {
                bool[] croppedMask = whole ? mask : VolumeOps.Crop(mask, original, box);
                labels = new short[box.Size.Volume];
                if (label != null)
                {
                    float[] values = VolumeOps.Crop(label.Voxels, original, box);
                    for (long n = 0; n < labels.LongLength; n++)
                    {
                        float v = values[n];
                        if (v < 0 || v >= plan.Classes || v != Math.Floor(v))
                            throw new DataException(DataErrors.UndeclaredLabel, Name(channelCount), $"label value {v.ToString(System.Globalization.CultureInfo.InvariantCulture)} is not one of 0..{plan.Classes - 1}");
                        labels[n] = (short)v;
                    }
                }
                for (long n = 0; n < labels.LongLength; n++) if (labels[n] == 0 && !croppedMask[n]) labels[n] = -1;
            }
            mask = null;

            // 2. Transpose to plan axes.
            int[] forward = plan.TransposeForward;
            bool identity = forward[0] == 0 && forward[1] == 1 && forward[2] == 2;
            Int3 shape = box.Size;
            var transposed = new float[]?[channelCount];
            for (int c = 0; c < channelCount; c++)
            {
                transposed[c] = consume && identity ? cropped[c] : VolumeOps.Transpose(cropped[c]!, box.Size, forward).Data;
                cropped[c] = null;
            }
            if (needLabels) (labels, shape) = VolumeOps.Transpose(labels, box.Size, forward);
            else shape = new Int3(box.Size[forward[0]], box.Size[forward[1]], box.Size[forward[2]]);
            double[] spacingPlan = forward.Select(a => spacing[a]).ToArray();

            // 3. Resample to the target spacing.
            double[] target = plan.TargetSpacing;
            var newShape = new Int3(
                Math.Max(1, (int)Math.Round(spacingPlan[0] / target[0] * shape.D)),
                Math.Max(1, (int)Math.Round(spacingPlan[1] / target[1] * shape.H)),
                Math.Max(1, (int)Math.Round(spacingPlan[2] / target[2] * shape.W)));
            if (newShape != shape)
            {
                Interpolation[] imageOrders = Planner.Orders(spacingPlan, target, Interpolation.Cubic);
                Interpolation[] labelOrders = Planner.Orders(spacingPlan, target, Interpolation.Linear);
                for (int c = 0; c < channelCount; c++) transposed[c] = Resampler.Resize(transposed[c]!, shape, newShape, imageOrders);
                if (needLabels) labels = Resampler.ResizeLabels(labels, shape, newShape, labelOrders);
            }

            // 4. Normalize each channel (in place when the one channel's array is ours).
            float[] image;
            if (consume && channelCount == 1)
            {
                image = transposed[0]!;
                IntensityNormalizer.Normalize(image, labels, plan.Normalization[0], plan.UseNonzeroMaskForNormalization[0], plan.CtStatistics[0]);
            }
            else
            {
                image = new float[plan.Channels * newShape.Volume];
                for (int c = 0; c < plan.Channels; c++)
                {
                    Span<float> channel = image.AsSpan((int)(c * newShape.Volume), (int)newShape.Volume);
                    transposed[c].CopyTo(channel);
                    transposed[c] = null;
                    IntensityNormalizer.Normalize(channel, labels, plan.Normalization[c], plan.UseNonzeroMaskForNormalization[c], plan.CtStatistics[c]);
                }
            }
            var geometry = new CaseGeometry(new[] { original.D, original.H, original.W }, spacing.ToArray(),
                new[] { box.Start.D, box.Start.H, box.Start.W }, new[] { box.Size.D, box.Size.H, box.Size.W }, forward.ToArray(),
                new[] { newShape.D, newShape.H, newShape.W }, target.ToArray());
            return new PreprocessedArrays(image, labels, newShape, geometry);
        }

        /// <summary>
        /// Puts class probabilities (K, D, H, W) of a preprocessed case back on the original grid, as nnU-Net v1 does:
        /// transpose back, resample each class to the cropped shape (linear; order 0 along an anisotropic axis), argmax,
        /// and place the result inside the crop of an all-background volume. Returns labels in the file's array order
        /// (k, j, i), shape <see cref="CaseGeometry.OriginalShape"/>. Works plane by plane (<see cref="PlaneRestorer"/>).
        /// </summary>
        public static short[] Restore(float[] probabilities, int classes, CaseGeometry geometry)
        {
            var shape = new Int3(geometry.ShapeAfterResampling[0], geometry.ShapeAfterResampling[1], geometry.ShapeAfterResampling[2]);
            if (probabilities.LongLength != classes * shape.Volume)
                throw new DataException(DataErrors.PredictorShape, null, $"{probabilities.LongLength} probabilities for {classes} classes of {shape.ToSizeString()}");
            var restorer = new PlaneRestorer(classes, geometry);
            long area = (long)shape.H * shape.W;
            for (int z = 0; z < shape.D; z++)
            {
                var plane = new float[classes * area];
                for (int k = 0; k < classes; k++) Array.Copy(probabilities, k * shape.Volume + z * area, plane, k * area, area);
                restorer.Add(z, plane);
            }
            return restorer.Finish();
        }

        /// <summary>
        /// nnU-Net's foreground locations for oversampling: for each class 1..K-1 present, up to max(min(10000, n),
        /// ceil(1% of n)) of its n voxels, drawn without replacement (deterministic under <paramref name="seed"/>).
        /// Returns linear indices (plan axes, C order) per class.
        /// </summary>
        public static Dictionary<int, int[]> ClassLocations(short[] label, int classes, long seed)
        {
            var result = new Dictionary<int, int[]>();
            for (int c = 1; c < classes; c++)
            {
                var all = new List<int>();
                for (int n = 0; n < label.Length; n++) if (label[n] == c) all.Add(n);
                if (all.Count == 0) continue;
                int take = Math.Max(Math.Min(10000, all.Count), (int)Math.Ceiling(all.Count * 0.01));
                if (take < all.Count)
                {
                    var rng = Rng.For(seed, c);
                    for (int i = 0; i < take; i++)
                    {
                        int j = i + rng.Next(all.Count - i);
                        (all[i], all[j]) = (all[j], all[i]);
                    }
                    all.RemoveRange(take, all.Count - take);
                    all.Sort();
                }
                result[c] = all.ToArray();
            }
            return result;
        }
    }
}
