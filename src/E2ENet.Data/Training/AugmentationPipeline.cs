using System.Collections.Generic;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Training.Augmentations;

namespace E2ENet.Data.Training
{
    /// <summary>
    /// One training sample from choice to augmented patch, in nnU-Net v1's order: spatial (rotation, scaling, with the
    /// patch cut), Gaussian noise, Gaussian blur, brightness, contrast, low resolution, gamma, mirroring; then the
    /// image is set to 0 where the label is -1 for channels normalized inside the non-zero mask, and -1 becomes
    /// background 0. Each augmentation runs with its probability from the model's <c>training.augment</c> section
    /// (0 switches it off).
    /// </summary>
    public static class AugmentationPipeline
    {
        /// <summary>Makes the sample for <paramref name="choice"/>; the names of the augmentations applied are added to <paramref name="applied"/> when given.</summary>
        public static TrainingSample Run(PreprocessedDataset data, PatchChoice choice, TrainingDataOptions options, Rng rng, List<string>? applied = null)
        {
            PreprocessedCase @case = data.Case(choice.Case);
            AugmentSpec a = options.Augment;
            bool anisotropic = options.InPlaneRotationOnly ?? data.Plan.IsAnisotropic;
            TrainingSample sample = SpatialTransform.Extract(@case, choice, options.Patch, a, anisotropic, rng);
            void Note(bool done, string name) { if (done) applied?.Add(name); }
            Note(GaussianNoise.Apply(sample, a.Noise, rng), "noise");
            Note(GaussianBlur.Apply(sample, a.Blur, rng), "blur");
            Note(Brightness.Apply(sample, a.Brightness, rng), "brightness");
            Note(Contrast.Apply(sample, a.Contrast, rng), "contrast");
            Note(LowResolution.Apply(sample, a.LowResolution, anisotropic, rng), "low_resolution");
            Note(Gamma.Apply(sample, a.Gamma, rng), "gamma");
            Note(Mirror.Apply(sample, a.MirrorProbability, a.MirrorAxes, rng), "mirror");

            for (int c = 0; c < sample.Channels; c++)
            {
                if (!data.Plan.UseNonzeroMaskForNormalization[c]) continue;
                var channel = sample.Channel(c);
                for (int n = 0; n < channel.Length; n++) if (sample.Label[n] < 0) channel[n] = 0;
            }
            for (int n = 0; n < sample.Label.Length; n++) if (sample.Label[n] < 0) sample.Label[n] = 0;
            return sample;
        }
    }
}
