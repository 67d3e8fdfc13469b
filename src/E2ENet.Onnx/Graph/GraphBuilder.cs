using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using E2ENet.Onnx.Proto;

namespace E2ENet.Onnx.Graph
{
    /// <summary>
    /// Collects the nodes and initializers of one ONNX graph: unique value and node names, shared int64 constants
    /// (pads, slice bounds, gather indices are stored once however often they are used), and weights in the graph's precision.
    /// </summary>
    public sealed class GraphBuilder
    {
        private readonly List<OnnxNode> _nodes = new List<OnnxNode>();
        private readonly List<OnnxTensor> _initializers = new List<OnnxTensor>();
        private readonly Dictionary<string, string> _constants = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly HashSet<string> _names = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>Creates a builder whose weights are stored as <paramref name="weightType"/> (float or float16).</summary>
        public GraphBuilder(OnnxDataType weightType = OnnxDataType.Float)
        {
            WeightType = weightType;
        }

        /// <summary>The element type of weights and of the activations between convolutions.</summary>
        public OnnxDataType WeightType { get; }

        /// <summary>The nodes so far, in topological order.</summary>
        public IReadOnlyList<OnnxNode> Nodes => _nodes;

        /// <summary>The initializers so far.</summary>
        public IReadOnlyList<OnnxTensor> Initializers => _initializers;

        /// <summary>Adds a node with one output; returns the output's name (<paramref name="name"/>, made unique).</summary>
        public string Add(string opType, string name, IEnumerable<string> inputs, params OnnxAttribute[] attributes)
        {
            string output = Unique(name);
            _nodes.Add(new OnnxNode(opType, output, inputs, new[] { output }, attributes));
            return output;
        }

        /// <summary>Adds a node whose single output has a fixed name (a graph output).</summary>
        public void AddNamed(string opType, string output, IEnumerable<string> inputs, params OnnxAttribute[] attributes)
        {
            if (!_names.Add(output)) throw new InvalidOperationException("value name used twice: " + output);
            _nodes.Add(new OnnxNode(opType, output, inputs, new[] { output }, attributes));
        }

        /// <summary>Adds a weight initializer in <see cref="WeightType"/>; returns its name.</summary>
        public string Weight(string name, long[] dims, float[] values)
        {
            string unique = Unique(name);
            _initializers.Add(WeightType == OnnxDataType.Float16 ? OnnxTensor.Float16(unique, dims, values) : OnnxTensor.Float(unique, dims, values));
            return unique;
        }

        /// <summary>Adds a float32 initializer regardless of <see cref="WeightType"/> (instance-norm parameters of an fp16 graph).</summary>
        public string Float32(string name, long[] dims, float[] values)
        {
            string unique = Unique(name);
            _initializers.Add(OnnxTensor.Float(unique, dims, values));
            return unique;
        }

        /// <summary>A shared 1-D int64 constant; equal values give the same initializer.</summary>
        public string Int64(params long[] values)
        {
            string key = string.Join(",", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
            if (_constants.TryGetValue(key, out string? existing)) return existing;
            string name = Unique("const_i64_" + _constants.Count.ToString(CultureInfo.InvariantCulture));
            _initializers.Add(OnnxTensor.Int64(name, new long[] { values.Length }, values));
            _constants[key] = name;
            return name;
        }

        /// <summary>Reserves a name (a graph input) so that nothing else takes it.</summary>
        public void Reserve(string name)
        {
            if (!_names.Add(name)) throw new InvalidOperationException("value name used twice: " + name);
        }

        /// <summary>Builds the graph.</summary>
        public OnnxGraph Build(string name, IEnumerable<OnnxValueInfo> inputs, IEnumerable<OnnxValueInfo> outputs, string? doc = null)
            => new OnnxGraph(name, _nodes, _initializers, inputs, outputs, doc);

        /// <summary><paramref name="name"/>, or with a numeric suffix when taken.</summary>
        public string Unique(string name)
        {
            if (_names.Add(name)) return name;
            for (int i = 1; ; i++)
            {
                string candidate = name + "_" + i.ToString(CultureInfo.InvariantCulture);
                if (_names.Add(candidate)) return candidate;
            }
        }
    }
}
