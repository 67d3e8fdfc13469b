using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Nrrd
{
    /// <summary>
    /// Writes NRRD files as ITK does: <c>NRRD0004</c>, space left-posterior-superior, space directions (direction x spacing
    /// per axis) and origin from the volume's own MetaImage/NRRD header when it has one on this grid, else from its affine;
    /// little-endian, gzip encoding. <c>.nrrd</c> holds header and data; <c>.nhdr</c> names a <c>.raw.gz</c> data file next
    /// to it (written first, both atomically).
    /// </summary>
    public static class NrrdWriter
    {
        /// <summary>Writes <paramref name="volume"/> storing <paramref name="type"/>.</summary>
        /// <exception cref="DataException">E4014 when a value does not fit the type or the file cannot be written.</exception>
        public static void Write(string path, Volume volume, VoxelType type)
        {
            ItkGeometry geometry = ItkGeometry.For(volume, "NRRD", path);
            byte[] data = VoxelData.Compress(VoxelCodec.Encode(path, volume.Voxels, type), gzip: true);
            string? dataName = path.EndsWith(".nhdr", StringComparison.OrdinalIgnoreCase) ? Path.GetFileNameWithoutExtension(path) + ".raw.gz" : null;
            VoxelData.WriteWithHeader(path, data, dataName, file => HeaderText(geometry, type, file));
        }

        /// <summary>The header; for attached data it ends with the empty line after which the data follows.</summary>
        public static string HeaderText(ItkGeometry geometry, VoxelType type, string? dataFile)
        {
            string Vector(double x, double y, double z) => "(" + string.Join(",", new[] { x, y, z }.Select(ItkGeometry.Format)) + ")";
            double[] d = geometry.Direction, s = geometry.Spacing, o = geometry.Origin;
            var text = new StringBuilder();
            text.Append("NRRD0004\n");
            text.Append("# Complete NRRD file format specification at:\n");
            text.Append("# http://teem.sourceforge.net/nrrd/format.html\n");
            text.Append("type: ").Append(NrrdHeader.TypeName(type)).Append('\n');
            text.Append("dimension: 3\n");
            text.Append("space: left-posterior-superior\n");
            text.Append("sizes: ").Append(string.Join(" ", geometry.Sizes.Select(v => v.ToString(CultureInfo.InvariantCulture)))).Append('\n');
            text.Append("space directions: ").Append(string.Join(" ", Enumerable.Range(0, 3).Select(c => Vector(d[c] * s[c], d[3 + c] * s[c], d[6 + c] * s[c])))).Append('\n');
            text.Append("kinds: domain domain domain\n");
            text.Append("endian: little\n");
            text.Append("encoding: gzip\n");
            text.Append("space origin: ").Append(Vector(o[0], o[1], o[2])).Append('\n');
            if (dataFile != null) text.Append("data file: ").Append(dataFile).Append('\n');
            else text.Append('\n');
            return text.ToString();
        }
    }
}
