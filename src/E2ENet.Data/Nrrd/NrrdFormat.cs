using System;
using System.Collections.Generic;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Nrrd
{
    /// <summary>NRRD (.nrrd, and .nhdr with a separate data file) as an <see cref="IVolumeFormat"/>.</summary>
    public sealed class NrrdFormat : IVolumeFormat
    {
        /// <inheritdoc />
        public string Name => "NRRD";

        /// <inheritdoc />
        public bool Handles(string path)
            => path.EndsWith(".nrrd", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".nhdr", StringComparison.OrdinalIgnoreCase);

        /// <inheritdoc />
        public Volume Read(string path, VolumeReadOptions options) => NrrdReader.Read(path, options);

        /// <inheritdoc />
        public void Write(string path, Volume volume, VoxelType type) => NrrdWriter.Write(path, volume, type);

        /// <inheritdoc />
        public IReadOnlyList<string> DataFiles(string path) => NrrdReader.DataFiles(path);
    }
}
