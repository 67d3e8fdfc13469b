using E2ENet.Compiler.Semantics;

namespace E2ENet.Data.Volumes
{
    /// <summary>What a volume file holds, known from its header alone: the grid and the stored voxel type.</summary>
    /// <param name="Shape">(n0, n1, n2), as <see cref="Volume.Shape"/>.</param>
    /// <param name="Spacing">Voxel size in mm per array axis.</param>
    /// <param name="StoredType">The voxel type in the file.</param>
    public sealed record VolumeInfo(Int3 Shape, Real3 Spacing, VoxelType StoredType)
    {
        /// <summary>Voxels of the volume.</summary>
        public long Voxels => Shape.Volume;

        /// <summary>Bytes reading it takes at its peak: the float32 voxels and the stored ones being converted.</summary>
        public long ReadBytes => Voxels * (4L + StoredType.Size());

        /// <summary>
        /// The header of <paramref name="path"/> when its format can read headers alone (<see cref="IVolumeInfoReader"/>;
        /// NIfTI does), else null.
        /// </summary>
        /// <exception cref="DataException">The header is invalid (the same errors as reading the file).</exception>
        public static VolumeInfo? Read(string path) => VolumeFiles.FormatOf(path) is IVolumeInfoReader reader ? reader.ReadInfo(path) : null;
    }

    /// <summary>A volume format that can tell a file's grid and voxel type without reading its voxels.</summary>
    public interface IVolumeInfoReader
    {
        /// <summary>The grid and stored type of a file, from its header.</summary>
        VolumeInfo ReadInfo(string path);
    }
}
