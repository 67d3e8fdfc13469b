using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Postprocessing;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Inference
{
    /// <summary>
    /// Segments one case end to end, as nnU-Net predicts: preprocess the channels with the training plan (crop, transpose,
    /// resample, normalize), sliding-window probabilities, back to the original grid (transpose back, resample the
    /// probabilities linearly, argmax, un-crop), and a label volume on the first channel's grid and header, so the file
    /// written lands exactly on the image.
    /// <para>
    /// Memory: the probabilities are never held whole. The sliding window hands finished planes to a <see cref="PlaneRestorer"/>
    /// as it goes, so a case holds its preprocessed image, a window of one patch's depth of sums, and the labels
    /// (<c>MemoryBytes</c> estimates the peak); reading files (<c>PredictFiles</c>) also preprocesses in place.
    /// </para>
    /// </summary>
    public static class CasePredictor
    {
        /// <summary>Predicts the label volume of a case given as one volume per channel (on one grid).</summary>
        public static Volume Predict(IReadOnlyList<Volume> channels, PreprocessingPlan plan, PatchPredictor predictor, SlidingWindowOptions options,
            IReadOnlyList<string>? files = null, IProgress<DataProgress>? progress = null)
        {
            PreprocessedArrays arrays = CasePreprocessor.Run(channels, null, plan, files);
            short[] labels = Labels(arrays, plan, new[] { new EnsembleMember(predictor, options.MirrorAxes) }, options, null, progress);
            return LabelVolume(channels[0], labels, plan);
        }

        /// <summary>Reads the channel files, predicts, and writes the label file (atomically) with the first image's header.</summary>
        public static Volume PredictFiles(IReadOnlyList<string> imageFiles, string outputFile, PreprocessingPlan plan, PatchPredictor predictor,
            SlidingWindowOptions options, IProgress<DataProgress>? progress = null)
            => PredictFiles(imageFiles, outputFile, plan, new[] { new EnsembleMember(predictor, options.MirrorAxes) }, options, null, progress);

        /// <summary>
        /// Reads the channel files, predicts with the mean probabilities of <paramref name="members"/> (one member: a plain
        /// prediction), writes the probabilities when <paramref name="outputs"/> asks for them (streamed, see
        /// <see cref="ProbabilityWriter"/>), applies its postprocessing to the labels, and writes the label file (atomically) with
        /// the first image's header.
        /// </summary>
        public static Volume PredictFiles(IReadOnlyList<string> imageFiles, string outputFile, PreprocessingPlan plan, IReadOnlyList<EnsembleMember> members,
            SlidingWindowOptions options, CaseOutputs? outputs, IProgress<DataProgress>? progress = null)
        {
            (PreprocessedArrays? arrays, Grid grid) = ReadAndPreprocess(imageFiles, plan);
            LargeArrays.Reclaim(); // what the files' voxels became is in arrays; the rest is garbage
            short[] labels;
            using (ProbabilityWriter? probabilities = outputs?.ProbabilitiesFile is string file ? new ProbabilityWriter(file, plan.Classes, arrays.Geometry) : null)
            {
                labels = Labels(arrays, plan, members, options, probabilities, progress);
                probabilities?.Finish();
            }
            arrays = null;
            LargeArrays.Reclaim();
            float[] voxels = ToFloat(labels);
            labels = null!;
            if (outputs?.Postprocessing is { IsNone: false } decision) voxels = decision.Apply(voxels, grid.Shape);
            var prediction = new Volume(grid.Shape, voxels, grid.Spacing, grid.Affine, VoxelTypes.ForLabels(plan.Classes - 1), grid.Header);
            string? folder = Path.GetDirectoryName(Path.GetFullPath(outputFile));
            if (folder != null) Directory.CreateDirectory(folder);
            VolumeFiles.Write(outputFile, prediction, prediction.StoredType);
            return prediction;
        }

        /// <summary>The first image's grid: all the output needs of it.</summary>
        private sealed record Grid(Int3 Shape, Real3 Spacing, AffineMatrix Affine, IVolumeHeader? Header);

        /// <summary>
        /// Reads the channels and preprocesses them in place. Its own frame: nothing that referenced the read voxels outlives
        /// it (a debug build keeps every temporary of a method alive until the method returns).
        /// </summary>
        private static (PreprocessedArrays Arrays, Grid Grid) ReadAndPreprocess(IReadOnlyList<string> imageFiles, PreprocessingPlan plan)
        {
            var channels = imageFiles.Select(VolumeFiles.Read).ToList();
            var grid = new Grid(channels[0].Shape, channels[0].Spacing, channels[0].Affine, channels[0].Header);
            return (CasePreprocessor.RunConsuming(channels, plan, imageFiles), grid);
        }

        /// <summary>
        /// An estimate of the peak memory of <c>PredictFiles</c> for a case of these channel files, in bytes: reading
        /// (every channel as float32 and the stored voxels of one), preprocessing (the non-zero mask, a resampled copy, the
        /// channels joined when there are several), the sliding window (the image, two windows of the class sums one patch
        /// deep, the labels, and <paramref name="networkBytes"/> for the network on one tile), and writing (the labels as
        /// integers, as float32 and as stored), plus 256 MiB for arrays the collector has not reclaimed yet.
        /// </summary>
        /// <remarks>
        /// With <paramref name="postprocess"/>, the connected components of postprocessing on the original grid come on top (a copy
        /// of the labels, a mask and a component number per voxel). Saved probabilities go through a file, not memory.
        /// </remarks>
        public static long MemoryBytes(IReadOnlyList<VolumeInfo> channels, PreprocessingPlan plan, SlidingWindowOptions options, long networkBytes, bool postprocess = false)
        {
            VolumeInfo first = channels[0];
            double voxels = first.Voxels, count = channels.Count;
            Int3 shape = first.Shape;
            int[] forward = plan.TransposeForward;
            double[] resampled = Enumerable.Range(0, 3).Select(i => Math.Max(1.0, Math.Round(first.Spacing[forward[i]] / plan.TargetSpacing[i] * shape[forward[i]]))).ToArray();
            double after = resampled[0] * resampled[1] * resampled[2];
            bool mask = plan.UseNonzeroMaskForNormalization.Any(m => m);
            double read = 4.0 * count * voxels + channels.Max(c => c.ReadBytes - 4.0 * c.Voxels);
            double preprocess = 4.0 * count * voxels + 2.0 * voxels + 4.0 * count * after * (count > 1 ? 2 : 1) + (mask ? 6.0 * Math.Max(voxels, after) : 0);
            double[] padded = Enumerable.Range(0, 3).Select(i => Math.Max(resampled[i], options.Patch[i])).ToArray();
            double window = 2.0 * 4.0 * (plan.Classes + 1) * options.Patch.D * padded[1] * padded[2];
            double slide = 4.0 * count * after + window + 2.0 * voxels + networkBytes;
            double write = (2.0 + 4.0 + 1.0 + (postprocess ? 4.0 + 1.0 + 4.0 + 4.0 : 0)) * voxels;
            // What the collector has not reclaimed yet between its collections (see LargeArrays) comes on top of every stage.
            double peak = new[] { read, preprocess, slide, write }.Max() + (256L << 20);
            return peak >= long.MaxValue ? long.MaxValue : (long)peak;
        }

        /// <summary>The labels of a preprocessed case on its original grid, plane by plane.</summary>
        private static short[] Labels(PreprocessedArrays arrays, PreprocessingPlan plan, IReadOnlyList<EnsembleMember> members, SlidingWindowOptions options,
            ProbabilityWriter? probabilities, IProgress<DataProgress>? progress)
        {
            var restorer = new PlaneRestorer(plan.Classes, arrays.Geometry, probabilities);
            long area = (long)arrays.Shape.H * arrays.Shape.W;
            SlidingWindow.PredictPlanes(arrays.Image, plan.Channels, arrays.Shape, members, options, (z, plane) =>
            {
                if (plane.LongLength != restorer.PlaneLength)
                    throw new DataException(DataErrors.PredictorShape, null, $"the predictor returned {plane.LongLength / area} classes; the plan has {plan.Classes} ({string.Join(", ", plan.Labels)})");
                restorer.Add(z, plane);
            }, progress);
            return restorer.Finish();
        }

        private static Volume LabelVolume(Volume grid, short[] labels, PreprocessingPlan plan) => grid.WithVoxels(ToFloat(labels), VoxelTypes.ForLabels(plan.Classes - 1));

        private static float[] ToFloat(short[] labels)
        {
            var result = new float[labels.LongLength];
            for (long n = 0; n < labels.LongLength; n++) result[n] = labels[n];
            return result;
        }
    }
}
