using System;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Nifti
{
    /// <summary>NIfTI-1 and NIfTI-2 (.nii, .nii.gz) as an <see cref="IVolumeFormat"/>.</summary>
    public sealed class NiftiFormat : IVolumeFormat, IVolumeInfoReader
    {
        /// <inheritdoc />
        public string Name => "NIfTI";

        /// <inheritdoc />
        public bool Handles(string path)
            => path.EndsWith(".nii", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase);

        /// <inheritdoc />
        public Volume Read(string path, VolumeReadOptions options) => NiftiReader.ReadVolume(path, options);

        /// <inheritdoc />
        public VolumeInfo ReadInfo(string path)
        {
            NiftiHeader header = NiftiReader.ReadHeader(path);
            var (shape, spacing) = NiftiImage.Grid(header, path);
            return new VolumeInfo(shape, spacing, NiftiDataType.ToVoxelType(header.DataType)!.Value);
        }

        /// <inheritdoc />
        public void Write(string path, Volume volume, VoxelType type) => NiftiWriter.Write(path, volume, type);
    }
}
