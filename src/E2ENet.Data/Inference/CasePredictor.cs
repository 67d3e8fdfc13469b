using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Volumes;
using static TorchSharp.torch;

namespace E2ENet.Data.Inference
{
    /// <summary>
    /// Segments one case end to end, as nnU-Net predicts: preprocess the channels with the training plan (crop, transpose,
    /// resample, normalize), sliding-window probabilities, back to the original grid (transpose back, resample the
    /// probabilities linearly, argmax, un-crop), and a label volume on the first channel's grid and header, so the file
    /// written lands exactly on the image.
    /// </summary>
    public static class CasePredictor
    {
        /// <summary>Predicts the label volume of a case given as one volume per channel (on one grid).</summary>
        public static Volume Predict(IReadOnlyList<Volume> channels, PreprocessingPlan plan, PatchPredictor predictor, SlidingWindowOptions options,
            IReadOnlyList<string>? files = null, IProgress<DataProgress>? progress = null)
        {
            PreprocessedArrays arrays = CasePreprocessor.Run(channels, null, plan, files);
            float[] probabilities;
            using (Tensor image = tensor(arrays.Image, new long[] { plan.Channels, arrays.Shape.D, arrays.Shape.H, arrays.Shape.W }))
            using (Tensor result = SlidingWindow.PredictProbabilities(image, predictor, options, progress))
            {
                if (result.shape[0] != plan.Classes)
                    throw new DataException(DataErrors.PredictorShape, null, $"the predictor returned {result.shape[0]} classes; the plan has {plan.Classes} ({string.Join(", ", plan.Labels)})");
                probabilities = result.data<float>().ToArray();
            }
            short[] labels = CasePreprocessor.Restore(probabilities, plan.Classes, arrays.Geometry);
            return channels[0].WithVoxels(labels.Select(v => (float)v).ToArray(), VoxelTypes.ForLabels(plan.Classes - 1));
        }

        /// <summary>Reads the channel files, predicts, and writes the label file (atomically) with the first image's header.</summary>
        public static Volume PredictFiles(IReadOnlyList<string> imageFiles, string outputFile, PreprocessingPlan plan, PatchPredictor predictor,
            SlidingWindowOptions options, IProgress<DataProgress>? progress = null)
        {
            var channels = imageFiles.Select(VolumeFiles.Read).ToList();
            Volume prediction = Predict(channels, plan, predictor, options, imageFiles, progress);
            string? folder = Path.GetDirectoryName(Path.GetFullPath(outputFile));
            if (folder != null) Directory.CreateDirectory(folder);
            VolumeFiles.Write(outputFile, prediction, prediction.StoredType);
            return prediction;
        }
    }
}
