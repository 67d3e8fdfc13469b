using System.Collections.Generic;
using E2ENet.Data.Datasets;

namespace E2ENet.Data.Preprocessing
{
    /// <summary>
    /// How every case is preprocessed (nnU-Net's plan, the parts that concern data): the axis order, the target spacing,
    /// the normalization of each channel. Axes: <see cref="TransposeForward"/> reorders the files' array axes (k, j, i)
    /// so that the axis with the largest target spacing comes first: plan axes are (D, H, W), the network's.
    /// </summary>
    public sealed record PreprocessingPlan(
        int Version,
        string Dataset,
        IReadOnlyList<string> ChannelNames,
        IReadOnlyList<ChannelNormalization> Normalization,
        IReadOnlyList<bool> UseNonzeroMaskForNormalization,
        IReadOnlyList<IntensityStatistics?> CtStatistics,
        IReadOnlyList<string> Labels,
        int[] TransposeForward,
        int[] TransposeBackward,
        double[] MedianSpacing,
        double[] TargetSpacing,
        int[] MedianShape,
        double AnisotropyThreshold,
        int[]? Patch,
        string? Model,
        IReadOnlyList<string> Notes)
    {
        /// <summary>Input channels.</summary>
        public int Channels => ChannelNames.Count;

        /// <summary>Classes, background included.</summary>
        public int Classes => Labels.Count;

        /// <summary>Target spacing (D, H, W) in mm.</summary>
        public Volumes.Real3 Spacing => Volumes.Real3.From(TargetSpacing);

        /// <summary>True when nnU-Net would call this dataset anisotropic (largest/smallest target spacing above the threshold): data augmentation then rotates only in-plane.</summary>
        public bool IsAnisotropic => Spacing.Max / Spacing.Min > AnisotropyThreshold;
    }
}
