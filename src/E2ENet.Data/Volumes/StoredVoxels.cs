using System;
using System.Collections.Generic;

namespace E2ENet.Data.Volumes
{
    /// <summary>
    /// How a MetaImage or NRRD header says its voxels are stored: the sizes of every axis, the type, the byte order,
    /// whether they are compressed, the separate data file (null when they follow the header) and the geometry.
    /// </summary>
    /// <param name="Sizes">The size of every axis, as the header gives them.</param>
    /// <param name="Type">The stored voxel type.</param>
    /// <param name="BigEndian">Whether multi-byte values are big-endian.</param>
    /// <param name="Compressed">Whether the data is zlib- or gzip-compressed.</param>
    /// <param name="DataFile">The full path of a separate data file; null when the data follows the header.</param>
    /// <param name="Geometry">Sizes, spacing, origin and direction of the 3D volume.</param>
    public sealed record StoredVoxels(long[] Sizes, VoxelType Type, bool BigEndian, bool Compressed, string? DataFile, ItkGeometry Geometry)
    {
        /// <summary>The bytes of voxel data, after the count was checked against the limits (E4005) before anything is allocated.</summary>
        public long ByteCount(string path, VolumeReadOptions options) => VoxelData.CheckVoxelCount(path, Sizes, Type, options) * Type.Size();

        /// <summary>"181 x 217 x 3 voxels of TYPE", for messages.</summary>
        public string Describe(string typeName) => $"{string.Join(" x ", Sizes)} voxels of {typeName}";

        /// <summary>The volume of the voxel bytes read: byte order fixed, decoded, NaN and infinities refused unless allowed (E4010).</summary>
        public Volume ToVolume(string path, byte[] data, VolumeReadOptions options)
        {
            if (BigEndian) VoxelCodec.SwapBytes(data, Type.Size());
            float[] values = VoxelCodec.Decode(data, Type);
            if (Type.IsFloatingPoint() && !options.AllowNonFinite) VoxelCodec.CheckFinite(path, values, Geometry.Sizes);
            return Geometry.ToVolume(values, Type);
        }

        /// <summary>The data file of the voxels <paramref name="parse"/> describes, as a list (empty for attached data or a header that cannot be read).</summary>
        public static IReadOnlyList<string> DataFileList(Func<StoredVoxels> parse)
        {
            try
            {
                string? file = parse().DataFile;
                return file == null ? Array.Empty<string>() : new[] { file };
            }
            catch (DataException) { return Array.Empty<string>(); }
        }
    }
}
