using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;

namespace E2ENet.Onnx.Proto
{
    /// <summary>
    /// <c>onnx.NodeProto</c>: one operator application. Fields: input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
    /// An empty input name means an omitted optional input.
    /// </summary>
    public sealed class OnnxNode : ProtoMessage
    {
        /// <summary>Creates a node.</summary>
        public OnnxNode(string opType, string name, IEnumerable<string> inputs, IEnumerable<string> outputs, IEnumerable<OnnxAttribute>? attributes = null)
        {
            OpType = opType;
            Name = name;
            Inputs = inputs.ToArray();
            Outputs = outputs.ToArray();
            Attributes = (attributes ?? Enumerable.Empty<OnnxAttribute>()).ToArray();
        }

        /// <summary>The operator, e.g. <c>Conv</c>.</summary>
        public string OpType { get; }

        /// <summary>The node's unique name.</summary>
        public string Name { get; }

        /// <summary>Input value names.</summary>
        public IReadOnlyList<string> Inputs { get; }

        /// <summary>Output value names.</summary>
        public IReadOnlyList<string> Outputs { get; }

        /// <summary>Attributes.</summary>
        public IReadOnlyList<OnnxAttribute> Attributes { get; }

        /// <summary>The attribute of that name, or null.</summary>
        public OnnxAttribute? Attribute(string name) => Attributes.FirstOrDefault(a => a.Name == name);

        /// <inheritdoc />
        public override long Size()
        {
            long size = 0;
            foreach (string input in Inputs) size += StringFieldSize(1, input);
            foreach (string output in Outputs) size += StringFieldSize(2, output);
            size += StringFieldSize(3, Name) + StringFieldSize(4, OpType);
            foreach (OnnxAttribute attribute in Attributes) size += MessageFieldSize(5, attribute);
            return size;
        }

        /// <inheritdoc />
        public override void Write(CodedOutputStream output)
        {
            foreach (string input in Inputs) WriteStringField(output, 1, input);
            foreach (string value in Outputs) WriteStringField(output, 2, value);
            WriteStringField(output, 3, Name);
            WriteStringField(output, 4, OpType);
            foreach (OnnxAttribute attribute in Attributes) WriteMessageField(output, 5, attribute);
        }
    }
}
