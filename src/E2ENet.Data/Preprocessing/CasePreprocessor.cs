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

        /// <summary>
        /// The four steps, each in its own method: in consuming mode every array a step no longer needs is dropped from the
        /// arrays of arrays it was given, and nothing else of the step outlives its frame (a debug build keeps a method's
        /// temporaries alive until it returns).
        /// </summary>
        private static PreprocessedArrays Preprocess(float[]?[] voxels, Int3 original, Real3 spacing, Volume? label, PreprocessingPlan plan, IReadOnlyList<string>? files, bool consume)
        {
            // 1. Crop to the non-zero region (file axes); the label (-1 outside the non-zero mask) for training, and for
            // normalizations that use the mask.
            bool needLabels = !consume || label != null || plan.UseNonzeroMaskForNormalization.Any(m => m);
            (Box3 box, short[] labels) = Crop(voxels, original, label, needLabels, plan, files, consume);

            // 2. Transpose to plan axes.
            int[] forward = plan.TransposeForward;
            Int3 shape = ToPlanAxes(voxels, box.Size, forward, consume);
            if (needLabels) labels = VolumeOps.Transpose(labels, box.Size, forward).Data;
            double[] spacingPlan = forward.Select(a => spacing[a]).ToArray();

            // 3. Resample to the target spacing.
            double[] target = plan.TargetSpacing;
            var newShape = new Int3(
                Math.Max(1, (int)Math.Round(spacingPlan[0] / target[0] * shape.D)),
                Math.Max(1, (int)Math.Round(spacingPlan[1] / target[1] * shape.H)),
                Math.Max(1, (int)Math.Round(spacingPlan[2] / target[2] * shape.W)));
            if (newShape != shape)
            {
                Resample(voxels, shape, newShape, Planner.Orders(spacingPlan, target, Interpolation.Cubic));
                if (needLabels) labels = Resampler.ResizeLabels(labels, shape, newShape, Planner.Orders(spacingPlan, target, Interpolation.Linear));
            }

            // 4. Normalize each channel (in place when the one channel's array is ours).
            float[] image = Normalize(voxels, labels, newShape, plan, consume);
            var geometry = new CaseGeometry(new[] { original.D, original.H, original.W }, spacing.ToArray(),
                new[] { box.Start.D, box.Start.H, box.Start.W }, new[] { box.Size.D, box.Size.H, box.Size.W }, forward.ToArray(),
                new[] { newShape.D, newShape.H, newShape.W }, target.ToArray());
            return new PreprocessedArrays(image, labels, newShape, geometry);
        }

        /// <summary>Crops every channel (in place of <paramref name="arrays"/>) to the non-zero box; the cropped label when needed.</summary>
        private static (Box3 Box, short[] Labels) Crop(float[]?[] arrays, Int3 original, Volume? label, bool needLabels, PreprocessingPlan plan, IReadOnlyList<string>? files, bool consume)
        {
            bool[] mask = VolumeOps.NonzeroMask(arrays.Select(v => v!).ToList(), original);
            Box3 box = VolumeOps.BoundingBox(mask, original);
            bool whole = box.Size == original;
            for (int c = 0; c < arrays.Length; c++)
            {
                if (!(consume && whole)) arrays[c] = VolumeOps.Crop(arrays[c]!, original, box);
            }
            if (!needLabels) return (box, Array.Empty<short>());
            bool[] croppedMask = whole ? mask : VolumeOps.Crop(mask, original, box);
            var labels = new short[box.Size.Volume];
            if (label != null)
            {
                float[] values = VolumeOps.Crop(label.Voxels, original, box);
                for (long n = 0; n < labels.LongLength; n++)
                {
                    float v = values[n];
                    if (v < 0 || v >= plan.Classes || v != Math.Floor(v))
                    {
                        string file = files != null && arrays.Length < files.Count ? files[arrays.Length] : "channel " + arrays.Length;
                        throw new DataException(DataErrors.UndeclaredLabel, file, $"label value {v.ToString(System.Globalization.CultureInfo.InvariantCulture)} is not one of 0..{plan.Classes - 1}");
                    }
                    labels[n] = (short)v;
                }
            }
            for (long n = 0; n < labels.LongLength; n++) if (labels[n] == 0 && !croppedMask[n]) labels[n] = -1;
            return (box, labels);
        }

        /// <summary>Transposes every channel (in place of <paramref name="arrays"/>) to the plan's axes; an identity keeps a consumed array.</summary>
        private static Int3 ToPlanAxes(float[]?[] arrays, Int3 shape, int[] forward, bool consume)
        {
            bool identity = forward[0] == 0 && forward[1] == 1 && forward[2] == 2;
            for (int c = 0; c < arrays.Length; c++)
            {
                if (!(consume && identity)) arrays[c] = VolumeOps.Transpose(arrays[c]!, shape, forward).Data;
            }
            return new Int3(shape[forward[0]], shape[forward[1]], shape[forward[2]]);
        }

        /// <summary>Resamples every channel (in place of <paramref name="arrays"/>), one at a time.</summary>
        private static void Resample(float[]?[] arrays, Int3 shape, Int3 newShape, Interpolation[] orders)
        {
            for (int c = 0; c < arrays.Length; c++) arrays[c] = Resampler.Resize(arrays[c]!, shape, newShape, orders);
        }

        /// <summary>Normalizes every channel into one (C, D, H, W) array; a consumed single channel is normalized where it is.</summary>
        private static float[] Normalize(float[]?[] arrays, short[] labels, Int3 shape, PreprocessingPlan plan, bool consume)
        {
            if (consume && arrays.Length == 1)
            {
                float[] only = arrays[0]!;
                arrays[0] = null;
                IntensityNormalizer.Normalize(only, labels, plan.Normalization[0], plan.UseNonzeroMaskForNormalization[0], plan.CtStatistics[0]);
                return only;
            }
            var image = new float[plan.Channels * shape.Volume];
            for (int c = 0; c < plan.Channels; c++)
            {
                Span<float> channel = image.AsSpan((int)(c * shape.Volume), (int)shape.Volume);
                arrays[c].CopyTo(channel);
                if (consume) arrays[c] = null;
                IntensityNormalizer.Normalize(channel, labels, plan.Normalization[c], plan.UseNonzeroMaskForNormalization[c], plan.CtStatistics[c]);
            }
            return image;
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
