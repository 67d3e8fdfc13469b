using Google.Protobuf;

namespace E2ENet.Onnx.Proto
{
    /// <summary>
    /// A protobuf message written in two passes, as protobuf itself does: <see cref="Size"/> first (so that an enclosing
    /// message can write the length prefix), then <see cref="Write"/>. No copies of large payloads (initializer bytes).
    /// </summary>
    public abstract class ProtoMessage
    {
        /// <summary>The encoded size in bytes.</summary>
        public abstract long Size();

        /// <summary>Writes the fields (without a length prefix).</summary>
        public abstract void Write(CodedOutputStream output);

        /// <summary>Size of a length-delimited field holding <paramref name="message"/>.</summary>
        protected static long MessageFieldSize(int field, ProtoMessage message)
        {
            long size = message.Size();
            return CodedOutputStream.ComputeTagSize(field) + LengthSize(size) + size;
        }

        /// <summary>Writes a length-delimited field holding <paramref name="message"/>.</summary>
        protected static void WriteMessageField(CodedOutputStream output, int field, ProtoMessage message)
        {
            output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            output.WriteLength(checked((int)message.Size()));
            message.Write(output);
        }

        /// <summary>Size of a string field.</summary>
        protected static long StringFieldSize(int field, string value) => CodedOutputStream.ComputeTagSize(field) + CodedOutputStream.ComputeStringSize(value);

        /// <summary>Writes a string field.</summary>
        protected static void WriteStringField(CodedOutputStream output, int field, string value)
        {
            output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            output.WriteString(value);
        }

        /// <summary>Size of an int64 (varint) field.</summary>
        protected static long Int64FieldSize(int field, long value) => CodedOutputStream.ComputeTagSize(field) + CodedOutputStream.ComputeInt64Size(value);

        /// <summary>Writes an int64 (varint) field.</summary>
        protected static void WriteInt64Field(CodedOutputStream output, int field, long value)
        {
            output.WriteTag(field, WireFormat.WireType.Varint);
            output.WriteInt64(value);
        }

        /// <summary>Size of a bytes field of <paramref name="length"/> bytes.</summary>
        protected static long BytesFieldSize(int field, long length) => CodedOutputStream.ComputeTagSize(field) + LengthSize(length) + length;

        /// <summary>Size of a length prefix.</summary>
        protected static long LengthSize(long length) => CodedOutputStream.ComputeLengthSize(checked((int)length));
    }
}
