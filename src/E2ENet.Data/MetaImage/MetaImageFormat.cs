using System;
using System.Collections.Generic;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.MetaImage
{
    /// <summary>MetaImage (.mha, and .mhd with a separate data file) as an <see cref="IVolumeFormat"/>.</summary>
    public sealed class MetaImageFormat : IVolumeFormat
    {
        /// <inheritdoc />
        public string Name => "MetaImage";

        /// <inheritdoc />
        public bool Handles(string path)
            => path.EndsWith(".mha", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".mhd", StringComparison.OrdinalIgnoreCase);

        /// <inheritdoc />
        public Volume Read(string path, VolumeReadOptions options) => MetaImageReader.Read(path, options);

        /// <inheritdoc />
        public void Write(string path, Volume volume, VoxelType type) => MetaImageWriter.Write(path, volume, type);

        /// <inheritdoc />
        public IReadOnlyList<string> DataFiles(string path) => MetaImageReader.DataFiles(path);
    }
}
