using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Datasets;

namespace E2ENet.Data.Preprocessing
{
    /// <summary>What a caller may impose on the plan (a model's settings); everything else follows nnU-Net's rules.</summary>
    public sealed class PlanOptions
    {
        /// <summary>Target spacing (D, H, W) in mm, instead of the median rule (a model's <c>input.spacing</c>).</summary>
        public double[]? TargetSpacing { get; init; }

        /// <summary>Normalization per channel, instead of dataset.json's channel names (a model's <c>input.normalization</c>).</summary>
        public IReadOnlyList<ChannelNormalization>? Normalization { get; init; }

        /// <summary>The patch the model trains on (recorded in the plan; checked against the channel count there).</summary>
        public Int3? Patch { get; init; }

        /// <summary>The model's name (recorded).</summary>
        public string? Model { get; init; }

        /// <summary>Expected input channels (a model's input.channels); E4116 when the dataset differs.</summary>
        public int? Channels { get; init; }

        /// <summary>Expected classes (a model's classes); E4116 when the dataset differs.</summary>
        public int? Classes { get; init; }

        /// <summary>The options a model implies: its patch, name, channels and classes, its spacing when set, its normalization.</summary>
        public static PlanOptions FromModel(ModelSpec spec)
        {
            var normalization = spec.Input.Normalization.Select(n => n switch
            {
                InputNormalization.ZScore => ChannelNormalization.ZScore,
                InputNormalization.Ct => ChannelNormalization.Ct,
                InputNormalization.None => ChannelNormalization.None,
                _ => throw new ArgumentOutOfRangeException(nameof(spec), n, "an input normalization the planner does not know"),
            }).ToList();
            if (normalization.Count == 1 && spec.Input.Channels > 1) normalization = Enumerable.Repeat(normalization[0], spec.Input.Channels).ToList();
            return new PlanOptions
            {
                TargetSpacing = spec.Input.Spacing.Count == 3 ? spec.Input.Spacing.ToArray() : null,
                Normalization = normalization,
                Patch = spec.Input.Patch,
                Model = spec.Name,
                Channels = spec.Input.Channels,
                Classes = spec.Classes,
            };
        }
    }

    /// <summary>nnU-Net's planning rules, for the data: target spacing, axis order, normalization.</summary>
    public static class Planner
    {
        /// <summary>nnU-Net's ANISO_THRESHOLD: an axis is "low resolution" when its spacing is more than 3x the others'.</summary>
        public const double AnisotropyThreshold = 3;

        /// <summary>The version of the preprocessing pipeline; part of every cache key (bump it when outputs change).</summary>
        public const int PipelineVersion = 1;

        /// <summary>Makes the plan.</summary>
        /// <exception cref="DataException">E4116 when the options' channels or classes do not match the dataset; E4202 for an invalid spacing.</exception>
        public static PreprocessingPlan Plan(DatasetFingerprint fingerprint, DatasetJson json, PlanOptions? options = null)
        {
            options ??= new PlanOptions();
            var notes = new List<string>();
            if (options.Channels is int channels && channels != json.Channels.Count)
                throw new DataException(DataErrors.ModelMismatch, json.Path, $"the model{ModelName(options)} takes {channels} input channel(s); the dataset has {json.Channels.Count}");
            if (options.Classes is int classes && classes != json.Labels.Count)
                throw new DataException(DataErrors.ModelMismatch, json.Path, $"the model{ModelName(options)} predicts {classes} classes; the dataset declares {json.Labels.Count} (background included)");

            double[] median = Enumerable.Range(0, 3).Select(axis => Statistics.Median(fingerprint.Spacings.Select(s => s[axis]))).ToArray();
            double[] target = TargetSpacing(fingerprint.Spacings, fingerprint.ShapesAfterCrop);
            int maxAxis = Array.IndexOf(target, target.Max());
            int[] forward = new[] { maxAxis }.Concat(Enumerable.Range(0, 3).Where(a => a != maxAxis)).ToArray();
            int[] backward = VolumeOps.Inverse(forward);
            double[] targetPlan = forward.Select(a => target[a]).ToArray();
            if (options.TargetSpacing != null)
            {
                if (options.TargetSpacing.Length != 3 || options.TargetSpacing.Any(s => !(s > 0) || double.IsInfinity(s)))
                    throw new DataException(DataErrors.InvalidSettings, null, "the target spacing must be three positive numbers (D, H, W)");
                targetPlan = options.TargetSpacing.ToArray();
                notes.Add($"target spacing {Volumes.Real3.From(targetPlan)} mm set by the model (the dataset's rule gives {Volumes.Real3.From(forward.Select(a => target[a]).ToArray())})");
            }

            // Normalization: dataset.json's channel names, or the caller's.
            var normalization = json.Channels.Select(c => c.Normalization).ToList();
            if (options.Normalization != null)
            {
                if (options.Normalization.Count != normalization.Count)
                    throw new DataException(DataErrors.ModelMismatch, json.Path, $"{options.Normalization.Count} normalization(s) for {normalization.Count} channel(s)");
                for (int c = 0; c < normalization.Count; c++)
                    if (options.Normalization[c] != normalization[c])
                        notes.Add($"channel {c} ({json.Channels[c].Name}): normalization {Name(options.Normalization[c])} set by the model; dataset.json's channel name implies {Name(normalization[c])}");
                normalization = options.Normalization.ToList();
            }
            // nnU-Net v1: z-score inside the non-zero mask when cropping removed a quarter of the volume or more (never for CT).
            bool cropHelps = fingerprint.MedianRelativeSizeAfterCropping < 0.75;
            var useMask = normalization.Select(n => n == ChannelNormalization.ZScore && cropHelps).ToList();
            var ct = normalization.Select((n, c) => n == ChannelNormalization.Ct ? fingerprint.ForegroundIntensities[c] : null).ToList();
            for (int c = 0; c < ct.Count; c++)
                if (ct[c] is IntensityStatistics s && s.Count == 0)
                    throw new DataException(DataErrors.EmptyLabel, json.Path, $"channel {c} is normalized as CT, which needs foreground voxels, and no training label has any");

            // Median shape after resampling, in plan axes.
            var shapes = fingerprint.ShapesAfterCrop.Select((shape, i) => Enumerable.Range(0, 3).Select(a => shape[a] * fingerprint.Spacings[i][a] / target[a]).ToArray()).ToList();
            int[] medianShape = forward.Select(a => (int)Math.Round(Statistics.Median(shapes.Select(s => s[a])))).ToArray();

            return new PreprocessingPlan(PipelineVersion, fingerprint.Dataset, json.Channels.Select(c => c.Name).ToList(), normalization, useMask, ct,
                json.Labels.Select(l => l.Name).ToList(), forward, backward, forward.Select(a => median[a]).ToArray(), targetPlan, medianShape,
                AnisotropyThreshold, options.Patch is Int3 p ? new[] { p.D, p.H, p.W } : null, options.Model, notes);
        }

        /// <summary>
        /// nnU-Net's full-resolution target spacing (per file axis): the median spacing; but when one axis is both more
        /// than 3x coarser than the others and has fewer than a third of their voxels (median shapes after cropping),
        /// that axis gets the 10th percentile of its spacings instead (at least the largest other spacing + 1e-5).
        /// </summary>
        public static double[] TargetSpacing(IReadOnlyList<double[]> spacings, IReadOnlyList<int[]> shapes)
        {
            double[] target = Enumerable.Range(0, 3).Select(a => Statistics.Median(spacings.Select(s => s[a]))).ToArray();
            double[] size = Enumerable.Range(0, 3).Select(a => Statistics.Median(shapes.Select(s => (double)s[a]))).ToArray();
            int worst = Array.IndexOf(target, target.Max());
            int[] others = Enumerable.Range(0, 3).Where(a => a != worst).ToArray();
            double maxOther = others.Max(a => target[a]);
            bool anisotropicSpacing = target[worst] > AnisotropyThreshold * maxOther;
            bool anisotropicVoxels = size[worst] * AnisotropyThreshold < others.Min(a => size[a]);
            if (anisotropicSpacing && anisotropicVoxels)
            {
                double tenth = Statistics.Percentile(spacings.Select(s => s[worst]), 10);
                if (tenth < maxOther) tenth = Math.Max(maxOther, tenth) + 1e-5;
                target[worst] = tenth;
            }
            return target;
        }

        /// <summary>
        /// nnU-Net's rule for resampling one case (get_do_separate_z / get_lowres_axis): when the original spacing is
        /// anisotropic (largest/smallest &gt; 3) its coarsest axis, else when the target spacing is, that one, is resampled
        /// separately with order 0; the other axes with <paramref name="inPlane"/>. Otherwise every axis uses <paramref name="inPlane"/>.
        /// </summary>
        public static Interpolation[] Orders(double[] originalSpacing, double[] targetSpacing, Interpolation inPlane)
        {
            int? axis = LowResolutionAxis(originalSpacing) ?? LowResolutionAxis(targetSpacing);
            var orders = new[] { inPlane, inPlane, inPlane };
            if (axis is int a) orders[a] = Interpolation.Nearest;
            return orders;
        }

        private static int? LowResolutionAxis(double[] spacing)
        {
            if (!(spacing.Max() / spacing.Min() > AnisotropyThreshold)) return null;
            double max = spacing.Max();
            int[] axes = Enumerable.Range(0, 3).Where(a => spacing[a] == max).ToArray();
            return axes.Length == 1 ? axes[0] : null; // two equally coarse axes: nnU-Net does not separate
        }

        private static string Name(ChannelNormalization n) => n switch { ChannelNormalization.Ct => "ct", ChannelNormalization.None => "none", _ => "zscore" };

        private static string ModelName(PlanOptions options) => options.Model != null ? " '" + options.Model + "'" : "";
    }
}
