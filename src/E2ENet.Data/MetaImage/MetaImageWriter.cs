using System;
using System.IO;
using System.Linq;
using System.Text;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.MetaImage
{
    /// <summary>
    /// Writes MetaImage files as ITK does: little-endian, zlib-compressed voxels, the geometry in LPS (from the volume's own
    /// MetaImage/NRRD header when it has one on this grid, else from its affine). <c>.mha</c> holds header and data;
    /// <c>.mhd</c> names a <c>.zraw</c> data file next to it (written first, both atomically).
    /// </summary>
    public static class MetaImageWriter
    {
        /// <summary>Writes <paramref name="volume"/> storing <paramref name="type"/>.</summary>
        /// <exception cref="DataException">E4014 when a value does not fit the type or the file cannot be written.</exception>
        public static void Write(string path, Volume volume, VoxelType type)
        {
            ItkGeometry geometry = ItkGeometry.For(volume, "MetaImage", path);
            byte[] data = VoxelData.Compress(VoxelCodec.Encode(path, volume.Voxels, type), gzip: false);
            string? dataName = path.EndsWith(".mhd", StringComparison.OrdinalIgnoreCase) ? Path.GetFileNameWithoutExtension(path) + ".zraw" : null;
            VoxelData.WriteWithHeader(path, data, dataName, file => HeaderText(geometry, type, data.Length, file ?? "LOCAL"));
        }

        /// <summary>The header lines, ElementDataFile last.</summary>
        public static string HeaderText(ItkGeometry geometry, VoxelType type, long compressedSize, string dataFile)
        {
            static string Numbers(params double[] values) => string.Join(" ", values.Select(ItkGeometry.Format));
            double[] d = geometry.Direction;
            var text = new StringBuilder();
            text.Append("ObjectType = Image\n");
            text.Append("NDims = 3\n");
            text.Append("BinaryData = True\n");
            text.Append("BinaryDataByteOrderMSB = False\n");
            text.Append("CompressedData = True\n");
            text.Append("CompressedDataSize = ").Append(compressedSize.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            // Axis by axis: the direction of i, then of j, then of k (ITK's MetaImageIO order).
            text.Append("TransformMatrix = ").Append(Numbers(d[0], d[3], d[6], d[1], d[4], d[7], d[2], d[5], d[8])).Append('\n');
            text.Append("Offset = ").Append(Numbers(geometry.Origin)).Append('\n');
            text.Append("CenterOfRotation = 0 0 0\n");
            text.Append("ElementSpacing = ").Append(Numbers(geometry.Spacing)).Append('\n');
            text.Append("DimSize = ").Append(string.Join(" ", geometry.Sizes)).Append('\n');
            text.Append("ElementType = ").Append(MetaImageReader.TypeName(type)).Append('\n');
            text.Append("ElementDataFile = ").Append(dataFile).Append('\n');
            return text.ToString();
        }
    }
}
