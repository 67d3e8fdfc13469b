using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.MetaImage
{
    /// <summary>
    /// Reads MetaImage files (ITK's format): <c>.mha</c> with the voxels after the header (<c>ElementDataFile = LOCAL</c>)
    /// and <c>.mhd</c> with a separate data file (<c>.raw</c>, or zlib-compressed <c>.zraw</c>). The header is
    /// <c>Key = Value</c> lines ending with <c>ElementDataFile</c>; geometry (ElementSpacing, Offset, TransformMatrix) is in
    /// ITK's LPS world and becomes the RAS affine through <see cref="ItkGeometry"/>. Every problem is a
    /// <see cref="DataException"/> naming the file and the line (E4016 for the header, E40xx otherwise); a header is never
    /// trusted for a size before it was checked against the file and the limits.
    /// </summary>
    public static class MetaImageReader
    {
        private static readonly Dictionary<string, VoxelType> Types = new Dictionary<string, VoxelType>(StringComparer.OrdinalIgnoreCase)
        {
            ["MET_CHAR"] = VoxelType.Int8, ["MET_UCHAR"] = VoxelType.UInt8, ["MET_SHORT"] = VoxelType.Int16, ["MET_USHORT"] = VoxelType.UInt16,
            ["MET_INT"] = VoxelType.Int32, ["MET_UINT"] = VoxelType.UInt32, ["MET_LONG"] = VoxelType.Int32, ["MET_ULONG"] = VoxelType.UInt32,
            ["MET_LONG_LONG"] = VoxelType.Int64, ["MET_ULONG_LONG"] = VoxelType.UInt64, ["MET_FLOAT"] = VoxelType.Float32, ["MET_DOUBLE"] = VoxelType.Float64,
        };

        /// <summary>The MetaImage element type name of a voxel type (MET_LONG_LONG for 64-bit integers).</summary>
        public static string TypeName(VoxelType type) => type switch
        {
            VoxelType.Int8 => "MET_CHAR", VoxelType.UInt8 => "MET_UCHAR", VoxelType.Int16 => "MET_SHORT", VoxelType.UInt16 => "MET_USHORT",
            VoxelType.Int32 => "MET_INT", VoxelType.UInt32 => "MET_UINT", VoxelType.Int64 => "MET_LONG_LONG", VoxelType.UInt64 => "MET_ULONG_LONG",
            VoxelType.Float32 => "MET_FLOAT", _ => "MET_DOUBLE",
        };

        /// <summary>Reads a 2D or 3D scalar image as a volume (a 2D image is one slice; sizes beyond the third must be 1).</summary>
        /// <exception cref="DataException">Every problem with the header or the data (E4001-E4018).</exception>
        public static Volume Read(string path, VolumeReadOptions? options = null)
        {
            options ??= VolumeReadOptions.Default;
            TextHeader text;
            using (FileStream stream = VoxelData.Open(path))
                text = TextHeader.Read(path, stream, DataErrors.BadMetaImageHeader, line => KeyOf(line.Text).Equals("ElementDataFile", StringComparison.OrdinalIgnoreCase));
            var header = MetaImageHeader.Parse(text);
            long voxels = header.VoxelCount(path, options);
            string describe = $"{string.Join(" x ", header.Sizes)} voxels of {header.Type.ToString().ToLowerInvariant()}";
            long byteCount = voxels * header.Type.Size();
            string dataFile = header.DataFile ?? path;
            long offset = header.DataFile == null ? text.DataOffset : header.HeaderSize;
            if (offset < 0 && header.Compressed) offset = Math.Max(0, FileLength(dataFile) - header.CompressedSize!.Value); // HeaderSize -1: the data is the file's last CompressedDataSize bytes
            byte[] data = VoxelData.Read(path, dataFile, offset, byteCount, header.Compressed, 0, describe);
            if (header.BigEndian) VoxelCodec.SwapBytes(data, header.Type.Size());
            float[] values = VoxelCodec.Decode(data, header.Type);
            if (header.Type.IsFloatingPoint() && !options.AllowNonFinite) VoxelCodec.CheckFinite(path, values, header.Geometry.Sizes);
            return header.Geometry.ToVolume(values, header.Type);
        }

        /// <summary>The data file a <c>.mhd</c> header names (none for LOCAL data); an unreadable header gives none.</summary>
        public static IReadOnlyList<string> DataFiles(string path)
        {
            try
            {
                TextHeader text;
                using (FileStream stream = VoxelData.Open(path))
                    text = TextHeader.Read(path, stream, DataErrors.BadMetaImageHeader, line => KeyOf(line.Text).Equals("ElementDataFile", StringComparison.OrdinalIgnoreCase));
                string? file = MetaImageHeader.Parse(text).DataFile;
                return file == null ? Array.Empty<string>() : new[] { file };
            }
            catch (DataException) { return Array.Empty<string>(); }
        }

        private static long FileLength(string file)
        {
            try { return new FileInfo(file).Length; }
            catch (IOException) { return 0; }
        }

        internal static string KeyOf(string line)
        {
            int equals = line.IndexOf('=');
            return equals < 0 ? line.Trim() : line.Substring(0, equals).Trim();
        }

        internal static VoxelType? TypeOf(string name) => Types.TryGetValue(name, out VoxelType type) ? type : null;
    }
}
