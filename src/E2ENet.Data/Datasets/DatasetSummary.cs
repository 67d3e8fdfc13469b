using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Data.Preprocessing;

namespace E2ENet.Data.Datasets
{
    /// <summary>Min, median and max of one quantity over the cases.</summary>
    public sealed record Spread(double Min, double Median, double Max);

    /// <summary>One class over the dataset: in how many cases it appears, its mean share of the voxels and mean volume.</summary>
    public sealed record ClassFrequency(int Value, string Name, int Cases, double MeanVoxelShare, double MeanVolumeMl);

    /// <summary>One channel's foreground intensities over the dataset (the statistics nnU-Net's CT normalization uses).</summary>
    public sealed record ChannelSummary(int Index, string Name, ChannelNormalization Normalization, IntensityStatistics Foreground, double Min, double Max);

    /// <summary>The dataset-wide summary that 'e2enet dataset check' prints: shapes and spacings in NIfTI order (i, j, k).</summary>
    public sealed record DatasetSummary(string Name, int TrainingCases, int TestCases, Spread[] ShapeIjk, Spread[] SpacingIjk,
        IReadOnlyList<ChannelSummary> Channels, IReadOnlyList<ClassFrequency> Classes)
    {
        /// <summary>Computes the summary from the readable cases.</summary>
        public static DatasetSummary From(Dataset dataset, IReadOnlyList<CaseSummary> cases)
        {
            Spread Of(IEnumerable<double> values)
            {
                var list = values.ToList();
                return new Spread(list.Min(), Statistics.Median(list), list.Max());
            }
            // NIfTI order (i, j, k) = array axes (2, 1, 0).
            var shape = new[] { 2, 1, 0 }.Select(axis => Of(cases.Select(c => (double)c.Shape[axis]))).ToArray();
            var spacing = new[] { 2, 1, 0 }.Select(axis => Of(cases.Select(c => c.Spacing[axis]))).ToArray();
            var channels = dataset.Json.Channels.Select(ch =>
            {
                float[] pooled = cases.SelectMany(c => c.ForegroundSamples[ch.Index]).ToArray();
                return new ChannelSummary(ch.Index, ch.Name, ch.Normalization, IntensityStatistics.Of(pooled),
                    cases.Min(c => c.Range[ch.Index].Min), cases.Max(c => c.Range[ch.Index].Max));
            }).ToList();
            var classes = dataset.Json.Labels.Select(label =>
            {
                int present = cases.Count(c => c.ClassVoxels[label.Value] > 0);
                double share = cases.Average(c => (double)c.ClassVoxels[label.Value] / c.ClassVoxels.Sum());
                double volume = cases.Average(c => c.ClassVoxels[label.Value] * c.Spacing.D * c.Spacing.H * c.Spacing.W / 1000.0);
                return new ClassFrequency(label.Value, label.Name, present, share, volume);
            }).ToList();
            return new DatasetSummary(dataset.Json.Name, dataset.Training.Count, dataset.Test.Count, shape, spacing, channels, classes);
        }
    }
}
