using System;
using System.Collections.Generic;
using System.Linq;

namespace E2ENet.Data.Volumes
{
    /// <summary>An <see cref="IVolumeFormat"/> made of a reader, a writer and the file extensions it handles (MetaImage, NRRD).</summary>
    public sealed class ExtensionVolumeFormat : IVolumeFormat
    {
        private readonly string[] _extensions;
        private readonly Func<string, VolumeReadOptions, Volume> _read;
        private readonly Action<string, Volume, VoxelType> _write;
        private readonly Func<string, IReadOnlyList<string>> _dataFiles;

        /// <summary>Creates the format.</summary>
        /// <param name="name">A short name, for messages.</param>
        /// <param name="extensions">The extensions it handles, with the dot (matched without regard to case).</param>
        /// <param name="read">Reads one volume.</param>
        /// <param name="write">Writes one volume atomically.</param>
        /// <param name="dataFiles">The data files a header names (see <see cref="IVolumeFormat.DataFiles"/>).</param>
        public ExtensionVolumeFormat(string name, IEnumerable<string> extensions, Func<string, VolumeReadOptions, Volume> read, Action<string, Volume, VoxelType> write,
            Func<string, IReadOnlyList<string>> dataFiles)
        {
            Name = name;
            _extensions = extensions.ToArray();
            _read = read;
            _write = write;
            _dataFiles = dataFiles;
        }

        /// <summary>MetaImage: .mha, and .mhd with a separate data file.</summary>
        public static ExtensionVolumeFormat MetaImage { get; } = new ExtensionVolumeFormat("MetaImage", new[] { ".mha", ".mhd" },
            (path, options) => E2ENet.Data.MetaImage.MetaImageReader.Read(path, options), E2ENet.Data.MetaImage.MetaImageWriter.Write, E2ENet.Data.MetaImage.MetaImageReader.DataFiles);

        /// <summary>NRRD: .nrrd, and .nhdr with a separate data file.</summary>
        public static ExtensionVolumeFormat Nrrd { get; } = new ExtensionVolumeFormat("NRRD", new[] { ".nrrd", ".nhdr" },
            (path, options) => E2ENet.Data.Nrrd.NrrdReader.Read(path, options), E2ENet.Data.Nrrd.NrrdWriter.Write, E2ENet.Data.Nrrd.NrrdReader.DataFiles);

        /// <inheritdoc />
        public string Name { get; }

        /// <inheritdoc />
        public bool Handles(string path) => _extensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

        /// <inheritdoc />
        public Volume Read(string path, VolumeReadOptions options) => _read(path, options);

        /// <inheritdoc />
        public void Write(string path, Volume volume, VoxelType type) => _write(path, volume, type);

        /// <inheritdoc />
        public IReadOnlyList<string> DataFiles(string path) => _dataFiles(path);
    }
}
