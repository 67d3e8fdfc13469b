namespace E2ENet.Data.Preprocessing
{
    /// <summary>
    /// Where a preprocessed case came from, so a prediction can be put back on the original grid: the original shape
    /// and spacing (file array axes k, j, i), the non-zero crop (file axes), the axis order, and the shape and spacing
    /// after resampling (plan axes D, H, W).
    /// </summary>
    public sealed record CaseGeometry(
        int[] OriginalShape,
        double[] OriginalSpacing,
        int[] CropStart,
        int[] CropSize,
        int[] TransposeForward,
        int[] ShapeAfterResampling,
        double[] SpacingAfterResampling);
}
