using E2ENet.Compiler.Errors;
using System;
using System.Globalization;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace E2ENet.Data.Preprocessing
{
    /// <summary>
    /// numpy's .npy format (version 1.0, little-endian, C order) for the preprocessed arrays: readable by
    /// <c>numpy.load</c> for inspection, and memory-mapped by <see cref="NpyArray"/> so that training reads only the
    /// patches it needs. Element types: float32 ('&lt;f4'), int16 ('&lt;i2'), int32 ('&lt;i4').
    /// </summary>
    public static class NpyFile
    {
        private static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

        /// <summary>Writes an array atomically.</summary>
        public static void Write<T>(string path, T[] data, long[] shape) where T : unmanaged
        {
            if (shape.Aggregate(1L, (a, b) => a * b) != data.LongLength) throw new ArgumentException("shape does not match the data", nameof(shape));
            string descr = typeof(T) == typeof(float) ? "<f4" : typeof(T) == typeof(short) ? "<i2" : typeof(T) == typeof(int) ? "<i4" : throw new NotSupportedException(typeof(T).Name);
            byte[] header = Header(descr, shape);
            AtomicFile.Write(path, stream =>
            {
                stream.Write(header, 0, header.Length);
                stream.Write(MemoryMarshal.AsBytes(data.AsSpan()));
            });
        }

        /// <summary>The header of a version 1.0 .npy array of numpy type <paramref name="descr"/> and <paramref name="shape"/> (C order), padded so the data starts at a multiple of 64 bytes.</summary>
        public static byte[] Header(string descr, long[] shape)
        {
            string shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape.Select(s => s.ToString(CultureInfo.InvariantCulture))) + ")";
            string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeText + ", }";
            int total = Magic.Length + 2 + 2 + header.Length + 1;
            int padding = (64 - total % 64) % 64;
            header = header + new string(' ', padding) + "\n";
            var bytes = new byte[Magic.Length + 4 + header.Length];
            Magic.CopyTo(bytes, 0);
            bytes[6] = 1;
            bytes[7] = 0;
            bytes[8] = (byte)(header.Length & 0xFF);
            bytes[9] = (byte)(header.Length >> 8);
            Encoding.ASCII.GetBytes(header).CopyTo(bytes, 10);
            return bytes;
        }

        /// <summary>Reads the header: element type, shape and where the data starts.</summary>
        public static (string Descr, long[] Shape, long DataOffset) ReadHeader(string path)
        {
            try
            {
                using var stream = File.OpenRead(path);
                var (descr, dims, offset) = ReadHeader(stream, path, DataErrors.PreprocessedInvalid);
                long elements = dims.Aggregate(1L, (a, b) => a * b);
                int size = descr switch { "<f4" => 4, "<i2" => 2, "<i4" => 4, _ => throw new DataException(DataErrors.PreprocessedInvalid, path, "unsupported element type " + descr) };
                if (stream.Length < offset + elements * size) throw new DataException(DataErrors.PreprocessedInvalid, path, $"the file has {stream.Length} bytes; its header needs {offset + elements * size}");
                return (descr, dims, offset);
            }
            catch (IOException e) { throw new DataException(DataErrors.PreprocessedInvalid, path, "cannot read: " + e.Message, e); }
        }

        /// <summary>
        /// Reads a version 1.0 header from <paramref name="stream"/> (positioned at its start; left at the data): element type,
        /// shape (C order), and the data's offset from the header's start. Problems are <paramref name="error"/> naming <paramref name="path"/>.
        /// </summary>
        public static (string Descr, long[] Shape, long DataOffset) ReadHeader(Stream stream, string path, ErrorDescriptor error)
        {
            var prefix = new byte[10];
            if (stream.ReadAtLeast(prefix, 10, throwOnEndOfStream: false) < 10 || !prefix.AsSpan(0, 6).SequenceEqual(Magic) || prefix[6] != 1)
                throw new DataException(error, path, "not a version 1.0 .npy array");
            int length = prefix[8] | prefix[9] << 8;
            var headerBytes = new byte[length];
            if (stream.ReadAtLeast(headerBytes, length, throwOnEndOfStream: false) < length) throw new DataException(error, path, "the .npy header is cut");
            string header = Encoding.ASCII.GetString(headerBytes);
            Match descr = Regex.Match(header, "'descr':\\s*'([^']+)'");
            Match shape = Regex.Match(header, "'shape':\\s*\\(([^)]*)\\)");
            if (!descr.Success || !shape.Success || header.Contains("'fortran_order': True", StringComparison.Ordinal))
                throw new DataException(error, path, "unsupported .npy header: " + header.Trim());
            long[] dims;
            try
            {
                dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(s => long.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
            }
            catch (Exception e) when (e is FormatException || e is OverflowException)
            {
                throw new DataException(error, path, "the .npy shape is not a tuple of sizes: " + shape.Value, e);
            }
            return (descr.Groups[1].Value, dims, 10 + length);
        }

        /// <summary>Reads a whole array.</summary>
        public static T[] ReadAll<T>(string path, out long[] shape) where T : unmanaged
        {
            var (descr, dims, offset) = ReadHeader(path);
            string expected = typeof(T) == typeof(float) ? "<f4" : typeof(T) == typeof(short) ? "<i2" : "<i4";
            if (descr != expected) throw new DataException(DataErrors.PreprocessedInvalid, path, $"holds {descr}, expected {expected}");
            shape = dims;
            long count = dims.Aggregate(1L, (a, b) => a * b);
            var data = new T[count];
            using var stream = File.OpenRead(path);
            stream.Seek(offset, SeekOrigin.Begin);
            stream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
            return data;
        }
    }

    /// <summary>A memory-mapped .npy array: reads rows without loading the file. Thread-safe for reading.</summary>
    public sealed class NpyArray : IDisposable
    {
        private readonly MemoryMappedFile _file;
        private readonly MemoryMappedViewAccessor _view;
        private readonly long _offset;

        /// <summary>Maps <paramref name="path"/>.</summary>
        public NpyArray(string path)
        {
            var (descr, shape, offset) = NpyFile.ReadHeader(path);
            Path = path;
            Descr = descr;
            Shape = shape;
            _offset = offset;
            try
            {
                _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
                _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            }
            catch (IOException e) { throw new DataException(DataErrors.PreprocessedInvalid, path, "cannot map: " + e.Message, e); }
        }

        /// <summary>The file.</summary>
        public string Path { get; }

        /// <summary>numpy's element type ('&lt;f4', '&lt;i2', '&lt;i4').</summary>
        public string Descr { get; }

        /// <summary>The shape.</summary>
        public long[] Shape { get; }

        /// <summary>Reads <paramref name="count"/> elements from element <paramref name="index"/> into <paramref name="target"/>.</summary>
        public void Read<T>(long index, T[] target, int targetIndex, int count) where T : unmanaged
            => _view.ReadArray(_offset + index * Marshal.SizeOf<T>(), target, targetIndex, count);

        /// <inheritdoc />
        public void Dispose()
        {
            _view.Dispose();
            _file.Dispose();
        }
    }
}
