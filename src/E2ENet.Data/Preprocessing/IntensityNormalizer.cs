using System;
using E2ENet.Data.Datasets;

namespace E2ENet.Data.Preprocessing
{
    /// <summary>
    /// nnU-Net v1's intensity normalization of one channel, in place.
    /// CT: clip to the dataset's foreground [0.5, 99.5] percentiles, then (x - mean) / sd with the foreground mean and
    /// sd. Z-score: (x - mean) / (sd + 1e-8) with the image's own statistics, computed inside the non-zero mask (label
    /// &gt;= 0) and zero outside it when <c>useNonzeroMask</c>, else over the whole image. None: unchanged.
    /// </summary>
    public static class IntensityNormalizer
    {
        /// <summary>Normalizes <paramref name="data"/> (one channel) in place; <paramref name="label"/> marks the non-zero mask with values &gt;= 0.</summary>
        public static void Normalize(Span<float> data, ReadOnlySpan<short> label, ChannelNormalization normalization, bool useNonzeroMask, IntensityStatistics? ct)
        {
            switch (normalization)
            {
                case ChannelNormalization.Ct:
                {
                    if (ct == null) throw new DataException(DataErrors.InvalidSettings, null, "CT normalization needs the dataset's foreground statistics");
                    double lower = ct.Percentile005, upper = ct.Percentile995, mean = ct.Mean, sd = Math.Max(ct.StandardDeviation, 1e-8);
                    for (int n = 0; n < data.Length; n++) data[n] = (float)((Math.Clamp(data[n], lower, upper) - mean) / sd);
                    if (useNonzeroMask) for (int n = 0; n < data.Length; n++) if (label[n] < 0) data[n] = 0;
                    break;
                }
                case ChannelNormalization.ZScore:
                {
                    double sum = 0, squares = 0;
                    long count = 0;
                    for (int n = 0; n < data.Length; n++)
                        if (!useNonzeroMask || label[n] >= 0) { sum += data[n]; count++; }
                    double mean = count > 0 ? sum / count : 0;
                    for (int n = 0; n < data.Length; n++)
                        if (!useNonzeroMask || label[n] >= 0) squares += (data[n] - mean) * (data[n] - mean);
                    double sd = count > 0 ? Math.Sqrt(squares / count) : 0;
                    for (int n = 0; n < data.Length; n++)
                        data[n] = !useNonzeroMask || label[n] >= 0 ? (float)((data[n] - mean) / (sd + 1e-8)) : 0f;
                    break;
                }
            }
        }
    }
}
