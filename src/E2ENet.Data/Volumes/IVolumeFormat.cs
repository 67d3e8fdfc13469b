using System.Collections.Generic;

namespace E2ENet.Data.Volumes
{
    /// <summary>A format-specific header carried by a <see cref="Volume"/> so that the same format can write it back.</summary>
    public interface IVolumeHeader
    {
        /// <summary>The name of the format that made it (for example "NIfTI-1").</summary>
        string FormatName { get; }
    }

    /// <summary>Limits and checks applied while reading a volume.</summary>
    public sealed class VolumeReadOptions
    {
        /// <summary>The default options: at most 2^30 voxels, NaN and infinite values refused.</summary>
        public static VolumeReadOptions Default { get; } = new VolumeReadOptions();

        /// <summary>The largest number of voxels accepted (a header claiming more is refused before anything is allocated).</summary>
        public long MaxVoxels { get; init; } = 1L << 30;

        /// <summary>Whether NaN or infinite voxel values are accepted (default: refused with E4010).</summary>
        public bool AllowNonFinite { get; init; }
    }

    /// <summary>
    /// One file format of 3D volumes. NIfTI (<see cref="Nifti.NiftiFormat"/>), MetaImage and NRRD
    /// (<see cref="ExtensionVolumeFormat.MetaImage"/>, <see cref="ExtensionVolumeFormat.Nrrd"/>) are built in; another format is a class implementing this, registered with
    /// <see cref="VolumeFiles.Register"/>.
    /// </summary>
    public interface IVolumeFormat
    {
        /// <summary>A short name, for messages.</summary>
        string Name { get; }

        /// <summary>True when this format reads and writes files with this name (decided by the extension).</summary>
        bool Handles(string path);

        /// <summary>Reads one 3D volume. Every problem is a <see cref="DataException"/> naming the file and the place.</summary>
        Volume Read(string path, VolumeReadOptions options);

        /// <summary>
        /// Writes a volume atomically, storing <paramref name="type"/>. When the volume carries a header of this format
        /// (it was read from such a file, or is a prediction made on one), orientation, spacing and the other geometry
        /// fields are copied from it, so the file lands exactly on the original grid.
        /// </summary>
        void Write(string path, Volume volume, VoxelType type);

        /// <summary>
        /// The other files that hold this file's voxels (the data file a detached .mhd or .nhdr header names), full paths;
        /// none for single-file formats or a header that cannot be read.
        /// </summary>
        IReadOnlyList<string> DataFiles(string path) => System.Array.Empty<string>();
    }
}
