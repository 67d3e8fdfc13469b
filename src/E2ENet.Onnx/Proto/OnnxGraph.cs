using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;

namespace E2ENet.Onnx.Proto
{
    /// <summary>
    /// <c>onnx.GraphProto</c>: nodes in topological order, initializers, inputs and outputs.
    /// Fields: node = 1, name = 2, initializer = 5, doc_string = 10, input = 11, output = 12.
    /// </summary>
    public sealed class OnnxGraph : ProtoMessage
    {
        /// <summary>Creates a graph.</summary>
        public OnnxGraph(string name, IEnumerable<OnnxNode> nodes, IEnumerable<OnnxTensor> initializers, IEnumerable<OnnxValueInfo> inputs,
            IEnumerable<OnnxValueInfo> outputs, string? doc = null)
        {
            Name = name;
            Nodes = nodes.ToArray();
            Initializers = initializers.ToArray();
            Inputs = inputs.ToArray();
            Outputs = outputs.ToArray();
            Doc = doc;
        }

        /// <summary>The graph's name.</summary>
        public string Name { get; }

        /// <summary>Nodes, topologically sorted.</summary>
        public IReadOnlyList<OnnxNode> Nodes { get; }

        /// <summary>Constants (weights, pads, indices).</summary>
        public IReadOnlyList<OnnxTensor> Initializers { get; }

        /// <summary>Graph inputs.</summary>
        public IReadOnlyList<OnnxValueInfo> Inputs { get; }

        /// <summary>Graph outputs.</summary>
        public IReadOnlyList<OnnxValueInfo> Outputs { get; }

        /// <summary>Documentation.</summary>
        public string? Doc { get; }

        /// <inheritdoc />
        public override long Size()
        {
            long size = Nodes.Sum(n => MessageFieldSize(1, n)) + StringFieldSize(2, Name) + Initializers.Sum(t => MessageFieldSize(5, t));
            if (Doc != null) size += StringFieldSize(10, Doc);
            size += Inputs.Sum(i => MessageFieldSize(11, i)) + Outputs.Sum(o => MessageFieldSize(12, o));
            return size;
        }

        /// <inheritdoc />
        public override void Write(CodedOutputStream output)
        {
            foreach (OnnxNode node in Nodes) WriteMessageField(output, 1, node);
            WriteStringField(output, 2, Name);
            foreach (OnnxTensor tensor in Initializers) WriteMessageField(output, 5, tensor);
            if (Doc != null) WriteStringField(output, 10, Doc);
            foreach (OnnxValueInfo input in Inputs) WriteMessageField(output, 11, input);
            foreach (OnnxValueInfo value in Outputs) WriteMessageField(output, 12, value);
        }
    }
}
