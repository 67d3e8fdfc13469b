using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using E2ENet.Torch.Diagnostics;

namespace E2ENet.Torch.Serialization
{
    /// <summary>
    /// A safetensors file (Hugging Face's format): an 8-byte little-endian header length N, N bytes of UTF-8 JSON mapping each
    /// tensor name to <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> (offsets into the byte buffer that follows; an
    /// optional <c>"__metadata__"</c> maps strings to strings), then the buffer, little-endian and C-contiguous. Untrusted
    /// input, checked as strictly as the format's reference implementation before any tensor is read: the header at most
    /// 100 MB and inside the file, JSON without duplicate keys, known dtypes, sane shapes, and offsets that tile the buffer
    /// exactly (in order, no gap, no overlap, each span the size its dtype and shape need, the last one ending at the file's end).
    /// </summary>
    internal sealed class SafetensorsFile : ITensorStorage
    {
        /// <summary>The largest header read (the reference implementation's limit).</summary>
        public const long MaxHeaderBytes = 100_000_000;

        private static readonly Dictionary<string, TorchDtype> Dtypes = new Dictionary<string, TorchDtype>(StringComparer.Ordinal)
        {
            ["F32"] = TorchDtype.Float32, ["F64"] = TorchDtype.Float64, ["F16"] = TorchDtype.Float16, ["BF16"] = TorchDtype.BFloat16,
            ["I64"] = TorchDtype.Int64, ["I32"] = TorchDtype.Int32, ["I16"] = TorchDtype.Int16, ["I8"] = TorchDtype.Int8,
            ["U8"] = TorchDtype.UInt8, ["BOOL"] = TorchDtype.Bool,
        };

        private static readonly HashSet<string> KnownUnsupported = new HashSet<string>(StringComparer.Ordinal) { "U16", "U32", "U64", "F8_E5M2", "F8_E4M3", "C64" };

        private readonly FileStream _stream;
        private readonly long _dataStart;
        private readonly Dictionary<string, (long Begin, long End)> _spans;

        private SafetensorsFile(string path, FileStream stream, long dataStart, Dictionary<string, (long Begin, long End)> spans)
        {
            Path = path;
            _stream = stream;
            _dataStart = dataStart;
            _spans = spans;
        }

        /// <inheritdoc />
        public string Path { get; }

        /// <summary>The safetensors dtype name of a dtype (<c>F32</c> ...).</summary>
        public static string DtypeName(TorchDtype dtype) => Dtypes.First(p => p.Value == dtype).Key;

        /// <summary>True when the file looks like safetensors: named <c>.safetensors</c>, or a header length followed by <c>{</c> (a zip starts with "PK").</summary>
        public static bool Detect(string path)
        {
            if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) return true;
            try
            {
                using var stream = E2ENet.Compiler.Host.RegularFile.OpenRead(path);
                Span<byte> head = stackalloc byte[9];
                int read = stream.Read(head);
                if (read < 9 || (head[0] == (byte)'P' && head[1] == (byte)'K')) return false;
                ulong length = BinaryPrimitives.ReadUInt64LittleEndian(head);
                return head[8] == (byte)'{' && length <= (ulong)stream.Length - 8;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException)
            {
                return false; // the torch.save reader reports the file as unreadable
            }
        }

        /// <summary>Opens and checks the file; the tensors' records (shape, dtype) in the header's order of offsets.</summary>
        public static (SafetensorsFile File, List<(string Name, TensorRecord Record)> Tensors, IReadOnlyList<string> Metadata) Open(string path)
        {
            FileStream stream = TorchArchive.OpenFile(path, "a .safetensors file");
            try
            {
                E2ENetTorchException Bad(string detail) => new E2ENetTorchException(TorchErrors.BadSafetensors, path, detail);
                long length = stream.Length;
                var head = new byte[8];
                if (length < 8 || stream.Read(head, 0, 8) < 8) throw Bad($"has {length} bytes; a safetensors file starts with an 8-byte header length");
                ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(head);
                if (declared > MaxHeaderBytes)
                    throw new E2ENetTorchException(TorchErrors.TooLarge, path, $"declares a header of {declared} bytes (bytes 0-7), more than the {MaxHeaderBytes} read at most: the file is corrupt or not safetensors");
                if ((long)declared > length - 8)
                    throw Bad($"declares a header of {declared} bytes (bytes 0-7), and the file has only {length - 8} after them: it is truncated or not safetensors");
                var headerBytes = new byte[declared];
                stream.ReadExactly(headerBytes);
                long dataStart = 8 + (long)declared;
                var (tensors, metadata) = ParseHeader(path, headerBytes, length - dataStart);
                var spans = tensors.ToDictionary(t => t.Name, t => (t.Begin, t.End), StringComparer.Ordinal);
                return (new SafetensorsFile(path, stream, dataStart, spans), tensors.Select(t => (t.Name, t.Record)).ToList(), metadata);
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }

        private static (List<(string Name, TensorRecord Record, long Begin, long End)> Tensors, IReadOnlyList<string> Metadata) ParseHeader(string path, byte[] bytes, long bufferLength)
        {
            E2ENetTorchException Bad(string detail) => new E2ENetTorchException(TorchErrors.BadSafetensors, path, detail);
            if (bytes.Length == 0 || bytes[0] != (byte)'{') throw Bad("its header (from byte 8) does not start with '{': it is not safetensors JSON");
            string text;
            try { text = new UTF8Encoding(false, true).GetString(bytes); }
            catch (DecoderFallbackException) { throw Bad("its header is not valid UTF-8"); }
            JsonDocument document;
            try { document = JsonDocument.Parse(text.TrimEnd(' '), new JsonDocumentOptions { MaxDepth = 8 }); }
            catch (JsonException e) { throw Bad("its header is not valid JSON (" + e.Message + ")"); }
            using (document)
            {
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object) throw Bad("its header is not a JSON object");
                var tensors = new List<(string Name, TensorRecord Record, long Begin, long End)>();
                var metadata = new List<string>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (JsonProperty property in root.EnumerateObject())
                {
                    string name = property.Name;
                    string shown = RestrictedUnpickler.Printable(name);
                    if (!seen.Add(name)) throw Bad($"the header names '{shown}' twice");
                    if (name == "__metadata__")
                    {
                        if (property.Value.ValueKind != JsonValueKind.Object || property.Value.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String))
                            throw Bad("'__metadata__' must map strings to strings");
                        metadata.AddRange(property.Value.EnumerateObject().Select(p => RestrictedUnpickler.Printable(p.Name)));
                        continue;
                    }
                    JsonElement info = property.Value;
                    if (info.ValueKind != JsonValueKind.Object) throw Bad($"tensor '{shown}' is described by a {info.ValueKind.ToString().ToLowerInvariant()}, not {{\"dtype\", \"shape\", \"data_offsets\"}}");
                    if (!info.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String) throw Bad($"tensor '{shown}' has no \"dtype\" string");
                    string dtypeName = dtypeElement.GetString()!;
                    if (!Dtypes.TryGetValue(dtypeName, out TorchDtype dtype))
                        throw new E2ENetTorchException(TorchErrors.UnsupportedDtype, path, KnownUnsupported.Contains(dtypeName)
                            ? $"tensor '{shown}' has the dtype {dtypeName}, which is not read (F32, F64, F16, BF16, I64, I32, I16, I8, U8 and BOOL are); convert it"
                            : $"tensor '{shown}' has the unknown dtype '{RestrictedUnpickler.Printable(dtypeName)}'");
                    long[] shape = Integers(info, "shape", shown, Bad, TensorFile.MaxDimensions, -1);
                    long[] offsets = Integers(info, "data_offsets", shown, Bad, 2, 2);
                    long elements = 1;
                    foreach (long extent in shape)
                    {
                        if (extent < 0 || extent > TensorFile.MaxDimension) throw new E2ENetTorchException(TorchErrors.BadTensor, path, $"tensor '{shown}' has the absurd shape {TensorInfo.FormatShape(shape)}");
                        try { elements = checked(elements * extent); }
                        catch (OverflowException) { throw new E2ENetTorchException(TorchErrors.BadTensor, path, $"tensor '{shown}' has the shape {TensorInfo.FormatShape(shape)}, whose size overflows"); }
                    }
                    long needed;
                    try { needed = checked(elements * dtype.ElementSize()); }
                    catch (OverflowException) { throw new E2ENetTorchException(TorchErrors.BadTensor, path, $"tensor '{shown}' of shape {TensorInfo.FormatShape(shape)} overflows in bytes"); }
                    long begin = offsets[0], end = offsets[1];
                    if (begin < 0 || end < begin) throw Bad($"tensor '{shown}' has data_offsets [{begin}, {end}]: they must be 0 <= begin <= end");
                    if (end - begin != needed)
                        throw Bad($"tensor '{shown}' ({dtypeName}, shape {TensorInfo.FormatShape(shape)}) needs {needed} bytes, and its data_offsets [{begin}, {end}] span {end - begin}");
                    var stride = new long[shape.Length];
                    long step = 1;
                    for (int axis = shape.Length - 1; axis >= 0; axis--)
                    {
                        stride[axis] = step;
                        step *= Math.Max(1, shape[axis]);
                    }
                    tensors.Add((name, new TensorRecord(new StorageRecord(name, dtype, elements), 0, shape, stride), begin, end));
                }
                // The spans must tile the buffer: sorted by offset, each starting where the previous ended, the last at its end.
                tensors.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
                long at = 0;
                string previous = "the start of the buffer";
                foreach (var tensor in tensors)
                {
                    string shown = "'" + RestrictedUnpickler.Printable(tensor.Name) + "'";
                    if (tensor.Begin < at) throw Bad($"tensor {shown}'s data_offsets [{tensor.Begin}, {tensor.End}] overlap {previous} (which ends at {at})");
                    if (tensor.Begin > at) throw Bad($"tensor {shown}'s data starts at {tensor.Begin}, leaving a gap after {previous} (which ends at {at}); the buffer must be tiled without gaps");
                    at = tensor.End;
                    previous = "tensor " + shown;
                }
                if (at > bufferLength) throw Bad($"the tensors need {at} bytes of data after the header, and the file has {bufferLength}: it is truncated");
                if (at < bufferLength) throw Bad($"the file has {bufferLength - at} bytes after the last tensor's data (the tensors end at {at} of {bufferLength}): it is corrupt");
                return (tensors, metadata);
            }
        }

        private static long[] Integers(JsonElement info, string field, string tensor, Func<string, E2ENetTorchException> bad, int max, int exact)
        {
            if (!info.TryGetProperty(field, out JsonElement array) || array.ValueKind != JsonValueKind.Array) throw bad($"tensor '{tensor}' has no \"{field}\" list");
            int count = array.GetArrayLength();
            if ((exact >= 0 && count != exact) || count > max)
                throw bad($"tensor '{tensor}' has {count} value(s) in \"{field}\" ({(exact >= 0 ? "exactly " + exact.ToString(CultureInfo.InvariantCulture) : "at most " + max.ToString(CultureInfo.InvariantCulture))} expected)");
            var result = new long[count];
            int n = 0;
            foreach (JsonElement item in array.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out result[n])) throw bad($"tensor '{tensor}' has \"{field}\" entry {n} = {item.GetRawText()}, not a whole number");
                n++;
            }
            return result;
        }

        /// <inheritdoc />
        public byte[] ReadStorage(string key, long bytes, string tensorName)
        {
            CheckStorage(key, bytes, tensorName);
            var (begin, _) = _spans[key];
            var buffer = new byte[bytes];
            try
            {
                _stream.Position = _dataStart + begin;
                _stream.ReadExactly(buffer);
            }
            catch (Exception e) when (e is IOException)
            {
                throw new E2ENetTorchException(TorchErrors.BadSafetensors, Path, $"tensor '{tensorName}' cannot be read: {e.Message}", e);
            }
            return buffer;
        }

        /// <inheritdoc />
        public void CheckStorage(string key, long bytes, string tensorName)
        {
            var (begin, end) = _spans[key];
            if (bytes > end - begin) throw new E2ENetTorchException(TorchErrors.BadTensor, Path, $"tensor '{tensorName}' needs {bytes} bytes, and its span holds {end - begin}");
            if (bytes > int.MaxValue - 64) throw new E2ENetTorchException(TorchErrors.TooLarge, Path, $"tensor '{tensorName}' has {bytes} bytes, more than one tensor may hold here");
        }

        /// <inheritdoc />
        public void Dispose() => _stream.Dispose();
    }
}
