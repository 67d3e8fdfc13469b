using System;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Training.Augmentations;

namespace E2ENet.Data.Datasets.Synth
{
    /// <summary>The random ranges of a label-driven image (SynthSeg's generative model, Billot et al. 2023).</summary>
    public sealed record LabelDrivenImageSettings
    {
        /// <summary>Largest tissue mean; each tissue group draws its mean uniformly in [0, this].</summary>
        public double MaxMean { get; init; } = 255;

        /// <summary>Smallest within-tissue standard deviation (texture, drawn at the fine grid).</summary>
        public double MinTextureSd { get; init; } = 1;

        /// <summary>Largest within-tissue standard deviation.</summary>
        public double MaxTextureSd { get; init; } = 20;

        /// <summary>Standard deviation of each region's mean around its group's mean (AAL parcels of one tissue differ a little).</summary>
        public double RegionSd { get; init; } = 6;

        /// <summary>Acquisition resolution per axis, as a multiple of the output spacing: drawn in [min, max].</summary>
        public double MinResolution { get; init; } = 0.5;

        /// <summary>See <see cref="MinResolution"/>.</summary>
        public double MaxResolution { get; init; } = 1.25;

        /// <summary>Probability that one random axis is acquired with thick slices instead.</summary>
        public double ThickSliceChance { get; init; } = 0.5;

        /// <summary>Thick-slice resolution range, as a multiple of the output spacing (lower bound).</summary>
        public double MinThickSlice { get; init; } = 1.5;

        /// <summary>Thick-slice resolution range (upper bound).</summary>
        public double MaxThickSlice { get; init; } = 3;

        /// <summary>Largest standard deviation of the log bias field at its 4 x 4 x 4 control points.</summary>
        public double MaxBiasSd { get; init; } = 0.3;

        /// <summary>Largest standard deviation of the acquisition noise (same unit as the means).</summary>
        public double MaxNoiseSd { get; init; } = 10;

        /// <summary>Standard deviation of the log of the final gamma.</summary>
        public double GammaLogSd { get; init; } = 0.25;

        /// <summary>The image is rescaled to [0, this] and rounded.</summary>
        public double OutputMax { get; init; } = 255;
    }

    /// <summary>The random choices of one label-driven image.</summary>
    /// <param name="ResolutionMm">Acquisition resolution along z, y, x in mm (blur FWHM about the same).</param>
    /// <param name="BiasSd">Standard deviation of the log bias field.</param>
    /// <param name="NoiseSd">Standard deviation of the noise, before rescaling.</param>
    /// <param name="Gamma">The final gamma.</param>
    public sealed record LabelDrivenImageInfo(double[] ResolutionMm, double BiasSd, double NoiseSd, double Gamma);

    /// <summary>
    /// Draws an image from a map of generation labels, as SynthSeg does: per tissue a random mean (left and right regions
    /// of a class share one group; every AAL region not segmented is one cortex-like group; each T1-derived tissue is its
    /// own group) with Gaussian texture, on the fine grid (half the output spacing); then a random acquisition: Gaussian
    /// blur matching a random resolution per axis (sometimes thick slices), resampling down to that resolution and back
    /// to the output grid, a smooth multiplicative bias field, Gaussian noise, and a random gamma.
    /// </summary>
    public static class LabelDrivenImage
    {
        private const int BiasControl = 4;

        /// <summary>Tissue groups: one per foreground class, one for the other AAL regions, one per T1-derived tissue.</summary>
        public static int Groups => SynthClasses.Foreground.Count + 1 + (SynthAtlas.GenerationLabels - 117);

        /// <summary>The tissue group of generation label <paramref name="label"/>.</summary>
        public static int GroupOf(int label)
        {
            if (label >= 117) return SynthClasses.Foreground.Count + 1 + (label - 117);
            int c = SynthClasses.ClassOfAalRegion(label);
            return c > 0 ? c - 1 : SynthClasses.Foreground.Count;
        }

        /// <summary>Draws the image on <paramref name="grid"/> from <paramref name="generation"/> labels on <paramref name="fine"/> (its refined grid).</summary>
        public static (float[] Image, LabelDrivenImageInfo Info) Draw(short[] generation, SynthGrid fine, SynthGrid grid, Rng rng, LabelDrivenImageSettings settings)
        {
            // Tissue intensities: a mean and a texture per group, each region's mean near its group's.
            var groupMean = new double[Groups];
            var groupSd = new double[Groups];
            for (int g = 0; g < Groups; g++) groupMean[g] = rng.Uniform(0, settings.MaxMean);
            for (int g = 0; g < Groups; g++) groupSd[g] = rng.Uniform(settings.MinTextureSd, settings.MaxTextureSd);
            var mean = new double[SynthAtlas.GenerationLabels];
            var sd = new double[SynthAtlas.GenerationLabels];
            for (int label = 1; label < SynthAtlas.GenerationLabels; label++)
            {
                int group = GroupOf(label);
                mean[label] = groupMean[group] + settings.RegionSd * rng.Normal();
                sd[label] = groupSd[group];
            }
            var image = new float[fine.Shape.Volume];
            for (int n = 0; n < image.Length; n++)
            {
                int label = generation[n];
                image[n] = (float)(mean[label] + sd[label] * rng.Normal());
            }

            // Acquisition: a resolution per axis (one axis sometimes thick), blur to it, resample down and back up.
            var resolution = new double[3];
            for (int axis = 0; axis < 3; axis++) resolution[axis] = grid.Spacing * rng.Uniform(settings.MinResolution, settings.MaxResolution);
            if (rng.Chance(settings.ThickSliceChance)) resolution[rng.Next(3)] = grid.Spacing * rng.Uniform(settings.MinThickSlice, settings.MaxThickSlice);
            // FWHM = resolution: sigma = resolution / 2.355, in fine voxels.
            GaussianBlur.Filter(image, fine.Shape, resolution[0] / 2.355 / fine.Spacing, resolution[1] / 2.355 / fine.Spacing, resolution[2] / 2.355 / fine.Spacing);
            var acquired = new Int3(Acquired(fine, grid, resolution, 0), Acquired(fine, grid, resolution, 1), Acquired(fine, grid, resolution, 2));
            float[] low = Resampler.Resize(image, fine.Shape, acquired, Interpolation.Linear, clip: false);
            float[] result = Resampler.Resize(low, acquired, grid.Shape, Interpolation.Linear, clip: false);

            // A smooth multiplicative bias field, then noise.
            double biasSd = rng.Uniform(0, settings.MaxBiasSd);
            var points = new float[BiasControl * BiasControl * BiasControl];
            for (int n = 0; n < points.Length; n++) points[n] = (float)(biasSd * rng.Normal());
            float[] bias = Resampler.Resize(points, new Int3(BiasControl, BiasControl, BiasControl), grid.Shape, Interpolation.Cubic, clip: false);
            double noiseSd = rng.Uniform(0, settings.MaxNoiseSd);
            for (int n = 0; n < result.Length; n++) result[n] = (float)(result[n] * Math.Exp(bias[n]) + noiseSd * rng.Normal());

            // Rescale to [0, 1], a random gamma, then [0, OutputMax] in whole numbers.
            double gamma = Math.Exp(settings.GammaLogSd * rng.Normal());
            float min = float.MaxValue, max = float.MinValue;
            foreach (float value in result) { min = Math.Min(min, value); max = Math.Max(max, value); }
            double range = Math.Max(max - min, 1e-6);
            for (int n = 0; n < result.Length; n++) result[n] = (float)Math.Round(settings.OutputMax * Math.Pow((result[n] - min) / range, gamma));
            return (result, new LabelDrivenImageInfo(resolution, biasSd, noiseSd, gamma));
        }

        /// <summary>Voxels along <paramref name="axis"/> at the acquisition resolution (at most the fine grid's).</summary>
        private static int Acquired(SynthGrid fine, SynthGrid grid, double[] resolution, int axis)
            => Math.Clamp((int)Math.Round(grid.Extent(axis) / resolution[axis]), 2, fine.Shape[axis]);
    }
}
