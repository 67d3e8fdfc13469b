using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Google.Protobuf;

namespace E2ENet.Onnx.Proto
{
    /// <summary>
    /// <c>onnx.ModelProto</c>: ir_version = 1, producer_name = 2, producer_version = 3, doc_string = 6, graph = 7,
    /// opset_import = 8 (OperatorSetIdProto: domain = 1, version = 2), metadata_props = 14 (StringStringEntryProto: key = 1, value = 2).
    /// Field numbers are those of onnx/onnx.proto (checked against Debian's python3-onnx 1.12 copy of it).
    /// </summary>
    public sealed class OnnxModel : ProtoMessage
    {
        /// <summary>The largest model one protobuf file can hold (2 GiB less a margin).</summary>
        public const long MaxBytes = int.MaxValue - 1024;

        /// <summary>Creates a model.</summary>
        public OnnxModel(OnnxGraph graph, int opset, long irVersion, string producerName, string producerVersion,
            IEnumerable<KeyValuePair<string, string>> metadata, string? doc = null)
        {
            Graph = graph;
            Opset = opset;
            IrVersion = irVersion;
            ProducerName = producerName;
            ProducerVersion = producerVersion;
            Metadata = metadata.ToArray();
            Doc = doc;
        }

        /// <summary>The graph.</summary>
        public OnnxGraph Graph { get; }

        /// <summary>The default-domain opset.</summary>
        public int Opset { get; }

        /// <summary>The IR version.</summary>
        public long IrVersion { get; }

        /// <summary>Producer name.</summary>
        public string ProducerName { get; }

        /// <summary>Producer version.</summary>
        public string ProducerVersion { get; }

        /// <summary><c>metadata_props</c>, in order.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Metadata { get; }

        /// <summary>Documentation.</summary>
        public string? Doc { get; }

        /// <inheritdoc />
        public override long Size()
        {
            long size = Int64FieldSize(1, IrVersion) + StringFieldSize(2, ProducerName) + StringFieldSize(3, ProducerVersion);
            if (Doc != null) size += StringFieldSize(6, Doc);
            size += MessageFieldSize(7, Graph);
            size += Wrapped(8, OpsetSize());
            foreach (var entry in Metadata) size += Wrapped(14, EntrySize(entry));
            return size;
        }

        /// <inheritdoc />
        public override void Write(CodedOutputStream output)
        {
            WriteInt64Field(output, 1, IrVersion);
            WriteStringField(output, 2, ProducerName);
            WriteStringField(output, 3, ProducerVersion);
            if (Doc != null) WriteStringField(output, 6, Doc);
            WriteMessageField(output, 7, Graph);
            output.WriteTag(8, WireFormat.WireType.LengthDelimited);
            output.WriteLength(checked((int)OpsetSize()));
            WriteStringField(output, 1, string.Empty);
            WriteInt64Field(output, 2, Opset);
            foreach (var entry in Metadata)
            {
                output.WriteTag(14, WireFormat.WireType.LengthDelimited);
                output.WriteLength(checked((int)EntrySize(entry)));
                WriteStringField(output, 1, entry.Key);
                WriteStringField(output, 2, entry.Value);
            }
        }

        /// <summary>The encoded model.</summary>
        /// <exception cref="InvalidOperationException">The model is larger than one protobuf file can hold.</exception>
        public byte[] ToBytes()
        {
            long size = Size();
            if (size > MaxBytes) throw new InvalidOperationException($"the model is {size} bytes; one ONNX protobuf file holds at most 2 GiB");
            var bytes = new byte[size];
            var output = new CodedOutputStream(bytes);
            Write(output);
            output.CheckNoSpaceLeft();
            return bytes;
        }

        /// <summary>Writes the encoded model to <paramref name="stream"/>.</summary>
        public void WriteTo(Stream stream)
        {
            byte[] bytes = ToBytes();
            stream.Write(bytes, 0, bytes.Length);
        }

        private long OpsetSize() => StringFieldSize(1, string.Empty) + Int64FieldSize(2, Opset);

        private static long EntrySize(KeyValuePair<string, string> entry) => StringFieldSize(1, entry.Key) + StringFieldSize(2, entry.Value);

        private static long Wrapped(int field, long size) => CodedOutputStream.ComputeTagSize(field) + LengthSize(size) + size;
    }
}
