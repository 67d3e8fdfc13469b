using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.MetaImage
{
    /// <summary>
    /// The fields of a MetaImage header that locate and describe the voxels, checked: sizes, voxel type, byte order,
    /// compression, data file and geometry. Keys are matched without regard to case; the synonyms ITK accepts are taken
    /// (ElementSize for a missing ElementSpacing; Position or Origin for Offset; Rotation or Orientation for TransformMatrix).
    /// </summary>
    internal sealed class MetaImageHeader
    {
        private const int MaxDims = 10;

        private MetaImageHeader(StoredVoxels voxels, long headerSize, long? compressedSize)
        {
            Voxels = voxels;
            HeaderSize = headerSize;
            CompressedSize = compressedSize;
        }

        /// <summary>Sizes (DimSize as given), type, byte order, compression, data file (null for LOCAL) and geometry.</summary>
        public StoredVoxels Voxels { get; }

        /// <summary>HeaderSize: bytes before the data in a separate data file; -1 for "the data is at the end".</summary>
        public long HeaderSize { get; }

        /// <summary>CompressedDataSize, when given.</summary>
        public long? CompressedSize { get; }

        public static MetaImageHeader Parse(TextHeader text)
        {
            string path = text.Path;
            var fields = new Dictionary<string, (HeaderLine Line, string Value)>(StringComparer.OrdinalIgnoreCase);
            foreach (HeaderLine line in text.Lines)
            {
                if (line.Text.Trim().Length == 0) continue;
                int equals = line.Text.IndexOf('=');
                if (equals <= 0) throw text.Fail(line, "a MetaImage header line reads 'Key = Value'" + (line.Number == 1 ? "; this is not a MetaImage file" : ""));
                string key = line.Text.Substring(0, equals).Trim(), value = line.Text.Substring(equals + 1).Trim();
                if (fields.TryGetValue(key, out var earlier)) throw text.Fail(line, $"{key} is given twice (first on line {earlier.Line.Number})");
                fields[key] = (line, value);
            }
            if (text.DataOffset < 0)
                throw new DataException(DataErrors.BadMetaImageHeader, path, $"the header has no ElementDataFile line (it ends after {text.Lines.Count} line(s)); it must be the last field");

            (HeaderLine Line, string Value) Required(string key)
                => fields.TryGetValue(key, out var field) ? field : throw new DataException(DataErrors.BadMetaImageHeader, path, $"the header has no {key} field");
            bool Flag(string key, bool fallback)
            {
                if (!fields.TryGetValue(key, out var field)) return fallback;
                if (field.Value.Equals("True", StringComparison.OrdinalIgnoreCase) || field.Value == "1") return true;
                if (field.Value.Equals("False", StringComparison.OrdinalIgnoreCase) || field.Value == "0") return false;
                throw text.Fail(field.Line, $"{key} must be True or False");
            }

            if (fields.TryGetValue("ObjectType", out var objectType) && !objectType.Value.Equals("Image", StringComparison.OrdinalIgnoreCase))
                throw text.Fail(objectType.Line, $"ObjectType is '{objectType.Value}'; only images are read");
            var dimField = Required("DimSize");
            long[] sizes = text.Sizes(Required("NDims"), "NDims", dimField, "DimSize", MaxDims);
            int n = sizes.Length;
            for (int axis = 3; axis < n; axis++)
                if (sizes[axis] > 1) throw text.Fail(DataErrors.NotThreeDimensional, dimField.Line, $"the image has {n} dimensions ({string.Join(" x ", sizes)}), and one 3D volume is needed");

            var typeField = Required("ElementType");
            VoxelType type = MetaImageReader.TypeOf(typeField.Value)
                ?? throw text.Fail(DataErrors.UnsupportedDataType, typeField.Line, $"ElementType '{typeField.Value}' is not supported (MET_CHAR, MET_UCHAR, MET_SHORT, MET_USHORT, MET_INT, MET_UINT, MET_LONG, MET_ULONG, MET_LONG_LONG, MET_ULONG_LONG, MET_FLOAT, MET_DOUBLE are)");
            if (fields.TryGetValue("ElementNumberOfChannels", out var channels))
            {
                long count = text.Integers(channels.Line, "ElementNumberOfChannels", channels.Value, 1)[0];
                if (count < 1) throw text.Fail(channels.Line, "ElementNumberOfChannels must be at least 1");
                if (count > 1) throw text.Fail(DataErrors.NotThreeDimensional, channels.Line, $"every voxel has {count} components (a vector or colour image); one scalar per voxel is needed: save each component as its own channel image");
            }
            if (!Flag("BinaryData", true))
                throw text.Fail(DataErrors.UnsupportedStorage, fields["BinaryData"].Line, "ASCII voxel data is not read; save the image with binary data");
            bool bigEndian = fields.ContainsKey("BinaryDataByteOrderMSB") ? Flag("BinaryDataByteOrderMSB", false) : Flag("ElementByteOrderMSB", false);
            bool compressed = Flag("CompressedData", false);
            long? compressedSize = null;
            if (fields.TryGetValue("CompressedDataSize", out var sizeField))
            {
                compressedSize = text.Integers(sizeField.Line, "CompressedDataSize", sizeField.Value, 1)[0];
                if (compressedSize < 0) throw text.Fail(sizeField.Line, "CompressedDataSize must not be negative");
            }
            long headerSize = 0;
            if (fields.TryGetValue("HeaderSize", out var headerField))
            {
                headerSize = text.Integers(headerField.Line, "HeaderSize", headerField.Value, 1)[0];
                if (headerSize < -1) throw text.Fail(headerField.Line, "HeaderSize is a byte count, or -1 for 'the data is at the end of the file'");
            }

            var dataField = Required("ElementDataFile");
            string? dataFile = null;
            string dataValue = dataField.Value;
            if (dataValue.Equals("LIST", StringComparison.OrdinalIgnoreCase) || dataValue.StartsWith("LIST ", StringComparison.OrdinalIgnoreCase)
                || (dataValue.Contains('%') && TextHeader.Split(dataValue).Length > 1))
                throw text.Fail(DataErrors.UnsupportedStorage, dataField.Line, "voxel data spread over several files is not read; save the image as one .mha file");
            if (dataValue.Length == 0) throw text.Fail(dataField.Line, "ElementDataFile is empty; it is LOCAL or the name of the data file");
            if (!dataValue.Equals("LOCAL", StringComparison.OrdinalIgnoreCase))
                dataFile = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", dataValue));
            else if (headerSize != 0)
                throw text.Fail(headerField.Line, "HeaderSize applies to a separate data file, and ElementDataFile is LOCAL");

            var spacing = Reals(text, fields, n, "ElementSpacing", "ElementSize") ?? Enumerable.Repeat(1.0, n).ToArray();
            var origin = Reals(text, fields, n, "Offset", "Position", "Origin") ?? new double[n];
            double[]? matrix = Matrix(text, fields, n);
            var geometry = new ItkGeometry("MetaImage", Three(sizes, 1L), Three(spacing, 1.0), Three(origin, 0.0), ThreeByThree(matrix, n));
            geometry.Validate(path);
            if (compressed && dataFile != null && headerSize == -1 && compressedSize == null)
                throw text.Fail(headerField.Line, "HeaderSize -1 with compressed data needs CompressedDataSize to find where the data starts");
            return new MetaImageHeader(new StoredVoxels(sizes, type, bigEndian, compressed, dataFile, geometry), headerSize, compressedSize);
        }

        /// <summary>The n numbers of the first of <paramref name="keys"/> present (earlier keys win), or null.</summary>
        private static double[]? Reals(TextHeader text, Dictionary<string, (HeaderLine Line, string Value)> fields, int n, params string[] keys)
        {
            foreach (string key in keys)
                if (fields.TryGetValue(key, out var field)) return text.Reals(field.Line, key, field.Value, n);
            return null;
        }

        private static double[]? Matrix(TextHeader text, Dictionary<string, (HeaderLine Line, string Value)> fields, int n)
        {
            foreach (string key in new[] { "TransformMatrix", "Rotation", "Orientation" })
                if (fields.TryGetValue(key, out var field)) return text.Reals(field.Line, key, field.Value, n * n);
            return null;
        }

        /// <summary>The first three values, padded with <paramref name="pad"/> (a 2D image is one slice).</summary>
        private static T[] Three<T>(T[] values, T pad) => Enumerable.Range(0, 3).Select(i => i < values.Length ? values[i] : pad).ToArray();

        /// <summary>
        /// MetaImage stores the direction axis by axis: values c*n .. c*n+n-1 are the direction of index axis c (ITK's
        /// MetaImageIO). Returned row-major with column c that direction, the upper 3x3 block; identity where 2D pads.
        /// </summary>
        private static double[] ThreeByThree(double[]? matrix, int n)
        {
            var result = new double[9];
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 3; c++)
                    result[r * 3 + c] = r < n && c < n ? (matrix == null ? (r == c ? 1 : 0) : matrix[c * n + r]) : (r == c ? 1 : 0);
            return result;
        }
    }
}
