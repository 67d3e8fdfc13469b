using System;
using System.Collections.Generic;
using System.Linq;

namespace E2ENet.Data.Datasets.Synth
{
    /// <summary>How large a class is across subjects: mean voxels and ml, and the coefficient of variation of its volume (sample sd / mean).</summary>
    public sealed record SynthClassSize(SynthClass Class, double MeanVoxels, double MeanMl, double CoefficientOfVariation)
    {
        /// <summary>The size of every foreground class over <paramref name="subjects"/> (the coefficient of variation needs two or more; NaN otherwise).</summary>
        public static IReadOnlyList<SynthClassSize> Of(IReadOnlyList<SynthSubjectInfo> subjects)
        {
            if (subjects.Count == 0) throw new ArgumentException("no subject", nameof(subjects));
            return SynthClasses.Foreground.Select((c, index) =>
            {
                double[] voxels = subjects.Select(s => (double)s.ClassVoxels[index]).ToArray();
                double mean = voxels.Average();
                double sd = voxels.Length < 2 ? double.NaN : Math.Sqrt(voxels.Sum(v => (v - mean) * (v - mean)) / (voxels.Length - 1));
                return new SynthClassSize(c, mean, subjects.Average(s => s.ClassVoxels[index] * s.VoxelMl), sd / mean);
            }).ToArray();
        }
    }
}
