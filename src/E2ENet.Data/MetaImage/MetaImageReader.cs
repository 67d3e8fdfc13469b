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
            TextHeader text = ReadText(path);
            MetaImageHeader header = MetaImageHeader.Parse(text);
            StoredVoxels voxels = header.Voxels;
            long byteCount = voxels.ByteCount(path, options);
            string dataFile = voxels.DataFile ?? path;
            long offset = voxels.DataFile == null ? text.DataOffset : header.HeaderSize;
            if (offset < 0 && voxels.Compressed) offset = Math.Max(0, FileLength(dataFile) - header.CompressedSize!.Value); // HeaderSize -1: the data is the file's last CompressedDataSize bytes
            byte[] data = VoxelData.Read(path, dataFile, offset, byteCount, voxels.Compressed, 0, voxels.Describe(voxels.Type.ToString().ToLowerInvariant()));
            return voxels.ToVolume(path, data, options);
        }

        /// <summary>The data file a <c>.mhd</c> header names (none for LOCAL data); an unreadable header gives none.</summary>
        public static IReadOnlyList<string> DataFiles(string path) => StoredVoxels.DataFileList(() => MetaImageHeader.Parse(ReadText(path)).Voxels);

        private static TextHeader ReadText(string path)
        {
            using FileStream stream = VoxelData.Open(path);
            return TextHeader.Read(path, stream, DataErrors.BadMetaImageHeader, line => KeyOf(line.Text).Equals("ElementDataFile", StringComparison.OrdinalIgnoreCase));
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
