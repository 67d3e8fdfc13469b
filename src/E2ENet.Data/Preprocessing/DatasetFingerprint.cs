using System.Collections.Generic;

namespace E2ENet.Data.Preprocessing
{
    /// <summary>
    /// nnU-Net's dataset fingerprint (dataset_fingerprint.json): per training case the voxel spacing and the shape after
    /// cropping to the non-zero region, and per channel the statistics of the foreground intensities (voxels whose label
    /// is above 0). Spacings and shapes are per array axis of the files (k, j, i), before any transpose.
    /// </summary>
    public sealed record DatasetFingerprint(
        int Version,
        string InputKey,
        string Dataset,
        IReadOnlyList<string> Cases,
        IReadOnlyList<double[]> Spacings,
        IReadOnlyList<int[]> ShapesAfterCrop,
        IReadOnlyList<double> SizeReductions,
        IReadOnlyList<IntensityStatistics> ForegroundIntensities,
        double MedianRelativeSizeAfterCropping);
}
