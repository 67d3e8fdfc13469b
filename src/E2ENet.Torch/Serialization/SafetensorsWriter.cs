using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using E2ENet.Torch.Diagnostics;
using static TorchSharp.torch;

namespace E2ENet.Torch.Serialization
{
    /// <summary>
    /// Encodes a dict of tensors as safetensors: the header (JSON, keys in the given order, <c>__metadata__</c>
    /// <c>{"format": "pt"}</c>, padded with spaces to a multiple of 8 bytes), then each tensor's bytes, little-endian and
    /// C-contiguous, in the same order. <see cref="TensorFileWriter"/> writes it atomically for a <c>.safetensors</c> name.
    /// </summary>
    internal static class SafetensorsWriter
    {
        /// <summary>Writes the file's bytes to <paramref name="stream"/>.</summary>
        /// <exception cref="E2ENetTorchException">E2E3109 for a dtype safetensors files do not hold here (complex...).</exception>
        public static void Encode(Stream stream, string path, IReadOnlyList<KeyValuePair<string, Tensor>> tensors)
        {
            var data = new List<byte[]>(tensors.Count);
            using var json = new MemoryStream();
            using (var writer = new Utf8JsonWriter(json))
            {
                writer.WriteStartObject();
                writer.WriteStartObject("__metadata__");
                writer.WriteString("format", "pt");
                writer.WriteEndObject();
                long offset = 0;
                foreach (var pair in tensors)
                {
                    if (pair.Key == "__metadata__") throw new E2ENetTorchException(TorchErrors.WriteFailed, path, "a tensor cannot be named '__metadata__' in a safetensors file");
                    TorchDtype dtype = FromScalarType(pair.Value.dtype) ?? throw new E2ENetTorchException(TorchErrors.UnsupportedDtype, path,
                        $"tensor '{pair.Key}' is {pair.Value.dtype}, which is not written to safetensors here; convert it (x.float())");
                    byte[] bytes = pair.Value.bytes.ToArray();
                    data.Add(bytes);
                    writer.WriteStartObject(pair.Key);
                    writer.WriteString("dtype", SafetensorsFile.DtypeName(dtype));
                    writer.WriteStartArray("shape");
                    foreach (long extent in pair.Value.shape) writer.WriteNumberValue(extent);
                    writer.WriteEndArray();
                    writer.WriteStartArray("data_offsets");
                    writer.WriteNumberValue(offset);
                    writer.WriteNumberValue(offset + bytes.LongLength);
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                    offset += bytes.LongLength;
                }
                writer.WriteEndObject();
            }
            int length = (int)json.Length, padded = (length + 7) / 8 * 8;
            var head = new byte[8 + padded];
            BitConverter.TryWriteBytes(head.AsSpan(0, 8), (ulong)padded);
            json.ToArray().CopyTo(head, 8);
            head.AsSpan(8 + length).Fill((byte)' ');
            stream.Write(head, 0, head.Length);
            foreach (byte[] bytes in data) stream.Write(bytes, 0, bytes.Length);
        }

        private static TorchDtype? FromScalarType(ScalarType type) => type switch
        {
            ScalarType.Float32 => TorchDtype.Float32,
            ScalarType.Float64 => TorchDtype.Float64,
            ScalarType.Float16 => TorchDtype.Float16,
            ScalarType.BFloat16 => TorchDtype.BFloat16,
            ScalarType.Int64 => TorchDtype.Int64,
            ScalarType.Int32 => TorchDtype.Int32,
            ScalarType.Int16 => TorchDtype.Int16,
            ScalarType.Int8 => TorchDtype.Int8,
            ScalarType.Byte => TorchDtype.UInt8,
            ScalarType.Bool => TorchDtype.Bool,
            _ => null,
        };
    }
}
