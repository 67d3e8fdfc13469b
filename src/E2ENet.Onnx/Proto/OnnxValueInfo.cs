using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;

namespace E2ENet.Onnx.Proto
{
    /// <summary>One dimension of a graph input or output: a fixed size or a named symbolic size (<c>dim_param</c>).</summary>
    public readonly record struct OnnxDim(long Value, string? Param)
    {
        /// <summary>A fixed size.</summary>
        public static OnnxDim Fixed(long value) => new OnnxDim(value, null);

        /// <summary>A symbolic size, e.g. <c>batch</c>.</summary>
        public static OnnxDim Symbol(string name) => new OnnxDim(0, name);

        /// <inheritdoc />
        public override string ToString() => Param ?? Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// <c>onnx.ValueInfoProto</c> for a tensor: name = 1, type = 2 (TypeProto: tensor_type = 1 (elem_type = 1, shape = 2 (dim = 1
    /// (dim_value = 1 | dim_param = 2)))).
    /// </summary>
    public sealed class OnnxValueInfo : ProtoMessage
    {
        /// <summary>Creates a value info.</summary>
        public OnnxValueInfo(string name, OnnxDataType type, IEnumerable<OnnxDim> dims)
        {
            Name = name;
            ElementType = type;
            Dims = dims.ToArray();
        }

        /// <summary>The value's name.</summary>
        public string Name { get; }

        /// <summary>Element type.</summary>
        public OnnxDataType ElementType { get; }

        /// <summary>The shape.</summary>
        public IReadOnlyList<OnnxDim> Dims { get; }

        /// <inheritdoc />
        public override long Size() => StringFieldSize(1, Name) + Wrapped(2, TypeSize());

        /// <inheritdoc />
        public override void Write(CodedOutputStream output)
        {
            WriteStringField(output, 1, Name);
            output.WriteTag(2, WireFormat.WireType.LengthDelimited); // TypeProto
            output.WriteLength(checked((int)TypeSize()));
            output.WriteTag(1, WireFormat.WireType.LengthDelimited); // tensor_type
            output.WriteLength(checked((int)TensorTypeSize()));
            WriteInt64Field(output, 1, (long)ElementType);
            output.WriteTag(2, WireFormat.WireType.LengthDelimited); // shape
            output.WriteLength(checked((int)ShapeSize()));
            foreach (OnnxDim dim in Dims)
            {
                output.WriteTag(1, WireFormat.WireType.LengthDelimited);
                output.WriteLength(checked((int)DimSize(dim)));
                if (dim.Param != null) WriteStringField(output, 2, dim.Param);
                else WriteInt64Field(output, 1, dim.Value);
            }
        }

        private long TypeSize() => Wrapped(1, TensorTypeSize());

        private long TensorTypeSize() => Int64FieldSize(1, (long)ElementType) + Wrapped(2, ShapeSize());

        private long ShapeSize() => Dims.Sum(d => Wrapped(1, DimSize(d)));

        private static long DimSize(OnnxDim dim) => dim.Param != null ? StringFieldSize(2, dim.Param) : Int64FieldSize(1, dim.Value);

        private static long Wrapped(int field, long size) => CodedOutputStream.ComputeTagSize(field) + LengthSize(size) + size;
    }
}
