using System;
using System.Linq;
using System.Runtime.InteropServices;
using Google.Protobuf;

namespace E2ENet.Onnx.Proto
{
    /// <summary>
    /// <c>onnx.TensorProto</c>: a named constant (an initializer) with its dims and little-endian <c>raw_data</c>.
    /// Fields: dims = 1, data_type = 2, name = 8, raw_data = 9.
    /// </summary>
    public sealed class OnnxTensor : ProtoMessage
    {
        private OnnxTensor(string name, OnnxDataType type, long[] dims, byte[] raw)
        {
            long expected = dims.Aggregate(1L, (a, b) => checked(a * b)) * ElementSize(type);
            if (raw.LongLength != expected) throw new ArgumentException($"tensor '{name}': {raw.LongLength} bytes for dims [{string.Join(", ", dims)}]", nameof(raw));
            Name = name;
            DataType = type;
            Dims = dims;
            Raw = raw;
        }

        /// <summary>The name (unique in the graph).</summary>
        public string Name { get; }

        /// <summary>Element type.</summary>
        public OnnxDataType DataType { get; }

        /// <summary>Shape.</summary>
        public long[] Dims { get; }

        /// <summary>Little-endian element bytes.</summary>
        public byte[] Raw { get; }

        /// <summary>Number of elements.</summary>
        public long Elements => Dims.Aggregate(1L, (a, b) => a * b);

        /// <summary>A float32 tensor.</summary>
        public static OnnxTensor Float(string name, long[] dims, float[] values)
            => new OnnxTensor(name, OnnxDataType.Float, dims, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

        /// <summary>A float16 tensor from float32 values (rounded to nearest even).</summary>
        public static OnnxTensor Float16(string name, long[] dims, float[] values)
        {
            var halves = new Half[values.Length];
            for (int i = 0; i < values.Length; i++) halves[i] = (Half)values[i];
            return new OnnxTensor(name, OnnxDataType.Float16, dims, MemoryMarshal.AsBytes(halves.AsSpan()).ToArray());
        }

        /// <summary>An int64 tensor.</summary>
        public static OnnxTensor Int64(string name, long[] dims, long[] values)
            => new OnnxTensor(name, OnnxDataType.Int64, dims, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

        /// <summary>Bytes per element of <paramref name="type"/>.</summary>
        public static int ElementSize(OnnxDataType type) => type switch
        {
            OnnxDataType.Float => 4,
            OnnxDataType.Int64 => 8,
            OnnxDataType.Float16 => 2,
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };

        /// <inheritdoc />
        public override long Size()
        {
            long size = 0;
            foreach (long dim in Dims) size += Int64FieldSize(1, dim);
            size += Int64FieldSize(2, (long)DataType);
            size += StringFieldSize(8, Name);
            size += BytesFieldSize(9, Raw.LongLength);
            return size;
        }

        /// <inheritdoc />
        public override void Write(CodedOutputStream output)
        {
            foreach (long dim in Dims) WriteInt64Field(output, 1, dim);
            WriteInt64Field(output, 2, (long)DataType);
            WriteStringField(output, 8, Name);
            output.WriteTag(9, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(UnsafeByteOperations.UnsafeWrap(Raw));
        }
    }
}
