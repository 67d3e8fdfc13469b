using System;
using System.Collections.Generic;

namespace E2ENet.Data.Preprocessing
{
    /// <summary>Summary statistics of a sample of intensities (numpy's conventions: population sd, linear-interpolated percentiles).</summary>
    public sealed record IntensityStatistics(long Count, double Mean, double StandardDeviation, double Median, double Min, double Max, double Percentile005, double Percentile995)
    {
        /// <summary>No values.</summary>
        public static IntensityStatistics Empty { get; } = new IntensityStatistics(0, 0, 0, 0, 0, 0, 0, 0);

        /// <summary>Statistics of <paramref name="values"/> (sorted in place).</summary>
        public static IntensityStatistics Of(float[] values)
        {
            if (values.Length == 0) return Empty;
            Array.Sort(values);
            double sum = 0;
            foreach (float v in values) sum += v;
            double mean = sum / values.Length, squares = 0;
            foreach (float v in values) squares += (v - mean) * (v - mean);
            return new IntensityStatistics(values.Length, mean, Math.Sqrt(squares / values.Length), Statistics.PercentileOfSorted(values, 50),
                values[0], values[values.Length - 1], Statistics.PercentileOfSorted(values, 0.5), Statistics.PercentileOfSorted(values, 99.5));
        }
    }

    /// <summary>Small numeric helpers with numpy's conventions.</summary>
    public static class Statistics
    {
        /// <summary>The <paramref name="percent"/> percentile of sorted values, linear interpolation (numpy's default).</summary>
        public static double PercentileOfSorted(IReadOnlyList<float> sorted, double percent)
        {
            if (sorted.Count == 0) return double.NaN;
            double position = percent / 100 * (sorted.Count - 1);
            int lower = (int)Math.Floor(position);
            int upper = Math.Min(lower + 1, sorted.Count - 1);
            double fraction = position - lower;
            return sorted[lower] + (sorted[upper] - (double)sorted[lower]) * fraction;
        }

        /// <summary>The <paramref name="percent"/> percentile of values (copied and sorted), linear interpolation.</summary>
        public static double Percentile(IEnumerable<double> values, double percent)
        {
            var list = new List<double>(values);
            if (list.Count == 0) return double.NaN;
            list.Sort();
            double position = percent / 100 * (list.Count - 1);
            int lower = (int)Math.Floor(position);
            int upper = Math.Min(lower + 1, list.Count - 1);
            return list[lower] + (list[upper] - list[lower]) * (position - lower);
        }

        /// <summary>The median (numpy: the mean of the two middle values for an even count).</summary>
        public static double Median(IEnumerable<double> values) => Percentile(values, 50);

        /// <summary>
        /// At most <paramref name="max"/> values of <paramref name="values"/> where <paramref name="where"/> holds, evenly
        /// strided (deterministic): nnU-Net's foreground intensity sample, capped so that large datasets stay in memory.
        /// </summary>
        public static float[] SampleWhere(float[] values, Func<long, bool> where, long total, long max)
        {
            long stride = Math.Max(1, (total + max - 1) / Math.Max(1, max));
            var sample = new List<float>((int)Math.Min(total / stride + 1, int.MaxValue / 2));
            long seen = 0;
            for (long n = 0; n < values.LongLength; n++)
            {
                if (!where(n)) continue;
                if (seen % stride == 0) sample.Add(values[n]);
                seen++;
            }
            return sample.ToArray();
        }
    }
}
