using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Nrrd
{
    /// <summary>
    /// The fields of a NRRD header (teem's format, <c>NRRD0001</c>..<c>NRRD0005</c>) that locate and describe the voxels,
    /// checked. Field names are matched without regard to case, with the old spellings (<c>datafile</c>, <c>lineskip</c>,
    /// <c>byteskip</c>) too; <c>key:=value</c> pairs and <c># comments</c> are skipped.
    /// </summary>
    internal sealed class NrrdHeader
    {
        private const int MaxDims = 16; // teem's NRRD_DIM_MAX

        private static readonly Dictionary<string, VoxelType> Types = new Dictionary<string, VoxelType>(StringComparer.OrdinalIgnoreCase);

        static NrrdHeader()
        {
            void Add(VoxelType type, params string[] names) { foreach (string name in names) Types[name] = type; }
            Add(VoxelType.Int8, "signed char", "int8", "int8_t");
            Add(VoxelType.UInt8, "uchar", "unsigned char", "uint8", "uint8_t");
            Add(VoxelType.Int16, "short", "short int", "signed short", "signed short int", "int16", "int16_t");
            Add(VoxelType.UInt16, "ushort", "unsigned short", "unsigned short int", "uint16", "uint16_t");
            Add(VoxelType.Int32, "int", "signed int", "int32", "int32_t");
            Add(VoxelType.UInt32, "uint", "unsigned int", "uint32", "uint32_t");
            Add(VoxelType.Int64, "longlong", "long long", "long long int", "signed long long", "signed long long int", "int64", "int64_t");
            Add(VoxelType.UInt64, "ulonglong", "unsigned long long", "unsigned long long int", "uint64", "uint64_t");
            Add(VoxelType.Float32, "float");
            Add(VoxelType.Float64, "double");
        }

        private NrrdHeader(StoredVoxels voxels, long lineSkip, long byteSkip)
        {
            Voxels = voxels;
            LineSkip = lineSkip;
            ByteSkip = byteSkip;
        }

        /// <summary>Sizes of every axis as given, type, byte order, gzip encoding (else raw), detached data file (null when attached) and geometry.</summary>
        public StoredVoxels Voxels { get; }

        /// <summary>Lines of the data file to skip before the data.</summary>
        public long LineSkip { get; }

        /// <summary>Bytes to skip before the data (of the decompressed stream for gzip); -1: the data is at the end (raw only).</summary>
        public long ByteSkip { get; }

        /// <summary>The canonical type name written to headers.</summary>
        public static string TypeName(VoxelType type) => type switch
        {
            VoxelType.Int8 => "int8", VoxelType.UInt8 => "uint8", VoxelType.Int16 => "int16", VoxelType.UInt16 => "uint16",
            VoxelType.Int32 => "int32", VoxelType.UInt32 => "uint32", VoxelType.Int64 => "int64", VoxelType.UInt64 => "uint64",
            VoxelType.Float32 => "float", _ => "double",
        };

        /// <summary>True when the first line is the NRRD magic (<c>NRRD000</c> and a digit).</summary>
        public static bool IsMagic(string line) => line.Length == 8 && line.StartsWith("NRRD000", StringComparison.Ordinal) && char.IsDigit(line[7]);

        public static NrrdHeader Parse(TextHeader text)
        {
            string path = text.Path;
            if (text.Lines.Count == 0 || !IsMagic(text.Lines[0].Text))
                throw new DataException(DataErrors.BadNrrdHeader, path, $"the first line is '{(text.Lines.Count == 0 ? "" : TextHeader.Shorten(text.Lines[0].Text))}', not the NRRD magic NRRD0001..NRRD0005; this is not a NRRD file");
            var fields = new Dictionary<string, (HeaderLine Line, string Value)>(StringComparer.OrdinalIgnoreCase);
            foreach (HeaderLine line in text.Lines.Skip(1))
            {
                if (line.Text.Length == 0 || line.Text.StartsWith("#", StringComparison.Ordinal)) continue;
                int colon = line.Text.IndexOf(": ", StringComparison.Ordinal), pair = line.Text.IndexOf(":=", StringComparison.Ordinal);
                if (pair >= 0 && (colon < 0 || pair < colon)) continue; // key/value pair: not a field
                if (colon <= 0) throw text.Fail(line, "a NRRD field line reads 'field: value'");
                string key = Canonical(line.Text.Substring(0, colon).Trim()), value = line.Text.Substring(colon + 2).Trim();
                if (fields.TryGetValue(key, out var earlier)) throw text.Fail(line, $"the field '{key}' is given twice (first on line {earlier.Line.Number})");
                fields[key] = (line, value);
            }

            (HeaderLine Line, string Value) Required(string key)
                => fields.TryGetValue(key, out var field) ? field : throw new DataException(DataErrors.BadNrrdHeader, path, $"the header has no '{key}' field");

            long[] sizes = text.Sizes(Required("dimension"), "dimension", Required("sizes"), "sizes", MaxDims);

            var typeField = Required("type");
            VoxelType type = Types.TryGetValue(string.Join(" ", TextHeader.Split(typeField.Value)), out VoxelType t) ? t
                : throw text.Fail(DataErrors.UnsupportedDataType, typeField.Line, $"type '{typeField.Value}' is not supported (signed and unsigned 8- to 64-bit integers, float and double are)");

            var encodingField = Required("encoding");
            bool compressed = encodingField.Value.ToLowerInvariant() switch
            {
                "raw" => false,
                "gzip" or "gz" => true,
                "txt" or "text" or "ascii" or "hex" or "bzip2" or "bz2" or "zstd" => throw text.Fail(DataErrors.UnsupportedStorage, encodingField.Line, $"the '{encodingField.Value}' encoding is not read; save the image with raw or gzip encoding"),
                _ => throw text.Fail(encodingField.Line, $"unknown encoding '{encodingField.Value}' (raw, gzip, bzip2, ascii, hex are NRRD's)"),
            };
            bool bigEndian = false;
            if (fields.TryGetValue("endian", out var endian))
            {
                if (endian.Value.Equals("big", StringComparison.OrdinalIgnoreCase)) bigEndian = true;
                else if (!endian.Value.Equals("little", StringComparison.OrdinalIgnoreCase)) throw text.Fail(endian.Line, "endian is 'little' or 'big'");
            }
            else if (type.Size() > 1) throw new DataException(DataErrors.BadNrrdHeader, path, $"the header has no 'endian' field, which {TypeName(type)} data needs");

            string? dataFile = null;
            if (fields.TryGetValue("data file", out var dataField))
            {
                string value = dataField.Value;
                if (value.StartsWith("LIST", StringComparison.Ordinal) || (value.Contains('%') && TextHeader.Split(value).Length > 1))
                    throw text.Fail(DataErrors.UnsupportedStorage, dataField.Line, "voxel data spread over several files is not read; save the image as one .nrrd file");
                if (value.Length == 0) throw text.Fail(dataField.Line, "'data file' is empty");
                dataFile = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", value));
            }
            else if (text.DataOffset < 0)
                throw new DataException(DataErrors.BadNrrdHeader, path, "the header names no 'data file' and is not followed by data (an empty line ends an attached header)");
            long lineSkip = Skip(text, fields, "line skip", allowEnd: false);
            long byteSkip = Skip(text, fields, "byte skip", allowEnd: true);
            if (byteSkip == -1 && compressed) throw text.Fail(fields["byte skip"].Line, "byte skip -1 ('the data is at the end') is only defined for raw encoding");

            ItkGeometry geometry = ParseGeometry(text, fields, sizes);
            geometry.Validate(path);
            return new NrrdHeader(new StoredVoxels(sizes, type, bigEndian, compressed, dataFile, geometry), lineSkip, byteSkip);
        }

        private static string Canonical(string key) => key.ToLowerInvariant() switch
        {
            "datafile" => "data file",
            "lineskip" => "line skip",
            "byteskip" => "byte skip",
            "spacedimension" => "space dimension",
            "spacedirections" => "space directions",
            "spaceorigin" => "space origin",
            var other => other,
        };

        private static long Skip(TextHeader text, Dictionary<string, (HeaderLine Line, string Value)> fields, string key, bool allowEnd)
        {
            if (!fields.TryGetValue(key, out var field)) return 0;
            long value = text.Integers(field.Line, key, field.Value, 1)[0];
            if (value < (allowEnd ? -1 : 0)) throw text.Fail(field.Line, $"{key} must be {(allowEnd ? "-1 or " : "")}a count of at least 0");
            return value;
        }

        /// <summary>
        /// The spatial axes (those with a space direction, or every axis without one) become i, j, k; other axes must have size
        /// 1. Directions and origin are converted from the header's space to LPS, as ITK's NRRD reader does (spaces without an
        /// anatomical meaning are taken as LPS, as ITK does).
        /// </summary>
        private static ItkGeometry ParseGeometry(TextHeader text, Dictionary<string, (HeaderLine Line, string Value)> fields, long[] sizes)
        {
            int n = sizes.Length;
            double[] toLps = { 1, 1, 1 };
            int spaceDims = 0;
            if (fields.TryGetValue("space", out var space))
            {
                (spaceDims, toLps) = space.Value.ToLowerInvariant() switch
                {
                    "right-anterior-superior" or "ras" => (3, new double[] { -1, -1, 1 }),
                    "left-anterior-superior" or "las" => (3, new double[] { 1, -1, 1 }),
                    "left-posterior-superior" or "lps" => (3, new double[] { 1, 1, 1 }),
                    "scanner-xyz" or "3d-right-handed" or "3d-left-handed" => (3, new double[] { 1, 1, 1 }),
                    "right-anterior-superior-time" or "rast" or "left-anterior-superior-time" or "last" or "left-posterior-superior-time" or "lpst"
                        or "scanner-xyz-time" or "3d-right-handed-time" or "3d-left-handed-time"
                        => throw text.Fail(DataErrors.UnsupportedStorage, space.Line, $"space '{space.Value}' has a time axis; one 3D volume is read"),
                    _ => throw text.Fail(space.Line, $"unknown space '{space.Value}'"),
                };
                if (fields.TryGetValue("space dimension", out var both)) throw text.Fail(both.Line, "'space' and 'space dimension' must not both be given");
            }
            else if (fields.TryGetValue("space dimension", out var spaceDimension))
            {
                spaceDims = (int)Math.Min(int.MaxValue, text.Integers(spaceDimension.Line, "space dimension", spaceDimension.Value, 1)[0]);
                if (spaceDims < 1 || spaceDims > 3) throw text.Fail(DataErrors.UnsupportedStorage, spaceDimension.Line, $"space dimension {spaceDims}: spaces of 1 to 3 dimensions are read");
            }

            var spatial = new List<int>();
            var vectors = new List<double[]>();
            if (spaceDims > 0 && fields.TryGetValue("space directions", out var directions))
            {
                List<string> parts = Entries(directions.Value);
                if (parts.Count != n) throw text.Fail(directions.Line, $"space directions needs {n} entries (a vector or 'none' per axis), and has {parts.Count}");
                for (int axis = 0; axis < n; axis++)
                {
                    if (parts[axis] == "none") continue;
                    spatial.Add(axis);
                    vectors.Add(Vector(text, directions.Line, "space directions", parts[axis], spaceDims));
                }
            }
            else
            {
                if (spaceDims > 0) throw new DataException(DataErrors.BadNrrdHeader, text.Path, "the header gives a space but no 'space directions'");
                double[]? spacings = null;
                if (fields.TryGetValue("spacings", out var spacingField))
                {
                    string[] parts = TextHeader.Split(spacingField.Value);
                    if (parts.Length != n) throw text.Fail(spacingField.Line, $"spacings needs {n} entries, and has {parts.Length}");
                    spacings = parts.Select(p => p.Equals("nan", StringComparison.OrdinalIgnoreCase) ? double.NaN : text.Real(spacingField.Line, "spacings", p)).ToArray();
                }
                for (int axis = 0; axis < n; axis++)
                {
                    if (spacings != null && double.IsNaN(spacings[axis])) continue;
                    if (spatial.Count == 3) break;
                    spatial.Add(axis);
                    double s = spacings == null ? 1 : Math.Abs(spacings[axis]);
                    var v = new double[3];
                    v[spatial.Count - 1] = s;
                    vectors.Add(v);
                }
                spaceDims = 3;
            }
            if (spatial.Count > 3) throw new DataException(DataErrors.NotThreeDimensional, text.Path, $"the image has {spatial.Count} spatial axes; one 3D volume is needed");
            for (int axis = 0; axis < n; axis++)
                if (!spatial.Contains(axis) && sizes[axis] > 1)
                    throw new DataException(DataErrors.NotThreeDimensional, text.Path,
                        $"axis {axis} ({sizes[axis]} values) is not a spatial axis{Kind(fields, axis)}; one scalar 3D volume is needed: save each component as its own channel image");

            var origin = new double[3];
            if (fields.TryGetValue("space origin", out var originField))
            {
                double[] o = Vector(text, originField.Line, "space origin", originField.Value.Replace(" ", "").Replace("\t", ""), spaceDims);
                Array.Copy(o, origin, o.Length);
            }
            var outSizes = new long[] { 1, 1, 1 };
            var spacing = new double[] { 1, 1, 1 };
            var columns = new double[3][];
            for (int c = 0; c < vectors.Count; c++)
            {
                double[] v = Pad(vectors[c]);
                double norm = Math.Sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
                if (!(norm > 0)) throw new DataException(DataErrors.BadGeometry, text.Path, $"the space direction of axis {spatial[c]} has length 0");
                outSizes[c] = sizes[spatial[c]];
                spacing[c] = norm;
                columns[c] = new[] { toLps[0] * v[0] / norm, toLps[1] * v[1] / norm, toLps[2] * v[2] / norm };
            }
            // Axes a 1D or 2D image lacks: unit vectors completing a right-handed frame.
            if (vectors.Count < 2) columns[1] = Math.Abs(columns[0][1]) < 0.9 ? Unit(Cross(Cross(columns[0], new double[] { 0, 1, 0 }), columns[0])) : Unit(Cross(columns[0], new double[] { 0, 0, 1 }));
            if (vectors.Count < 3) columns[2] = Unit(Cross(columns[0], columns[1]));
            var direction = new double[9];
            for (int c = 0; c < 3; c++) for (int r = 0; r < 3; r++) direction[r * 3 + c] = columns[c][r];
            for (int r = 0; r < 3; r++) origin[r] *= toLps[r];
            return new ItkGeometry("NRRD", outSizes, spacing, origin, direction);
        }

        private static string Kind(Dictionary<string, (HeaderLine Line, string Value)> fields, int axis)
        {
            if (!fields.TryGetValue("kinds", out var kinds)) return "";
            string[] parts = TextHeader.Split(kinds.Value);
            return axis < parts.Length ? $" (kind '{parts[axis]}')" : "";
        }

        private static double[] Cross(double[] a, double[] b) => new[] { a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0] };

        private static double[] Unit(double[] v)
        {
            double norm = Math.Sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
            return norm > 0 ? new[] { v[0] / norm, v[1] / norm, v[2] / norm } : new double[] { 0, 0, 1 };
        }

        /// <summary>The entries of "space directions": vectors "(x,y,z)" (spaces inside allowed) and "none".</summary>
        private static List<string> Entries(string value)
        {
            var entries = new List<string>();
            int n = 0;
            while (n < value.Length)
            {
                if (value[n] == ' ' || value[n] == '\t') { n++; continue; }
                int end = value[n] == '(' ? value.IndexOf(')', n) : value.IndexOfAny(new[] { ' ', '\t' }, n) - 1;
                if (end < 0) end = value.Length - 1;
                entries.Add(value.Substring(n, end - n + 1).Replace(" ", "").Replace("\t", ""));
                n = end + 1;
            }
            return entries;
        }

        private static double[] Pad(double[] v) => v.Length == 3 ? v : new[] { v[0], v.Length > 1 ? v[1] : 0, 0 };

        /// <summary>"(x,y,z)" with <paramref name="count"/> finite numbers.</summary>
        private static double[] Vector(TextHeader text, HeaderLine line, string field, string value, int count)
        {
            if (value.Length < 2 || value[0] != '(' || value[value.Length - 1] != ')') throw text.Fail(line, $"{field}: '{TextHeader.Shorten(value)}' is not a vector '(x,y,z)'");
            string[] parts = value.Substring(1, value.Length - 2).Split(',');
            if (parts.Length != count) throw text.Fail(line, $"{field}: '{TextHeader.Shorten(value)}' has {parts.Length} component(s); the space has {count}");
            return parts.Select(p => text.Real(line, field, p.Trim())).ToArray();
        }
    }
}
