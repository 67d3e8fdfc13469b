using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Ir;
using static TorchSharp.torch;

namespace E2ENet.Onnx.Weights
{
    /// <summary>
    /// The parameters of one network as float32 arrays under the authors' state-dict names, with the IR's shapes: what the
    /// exporter reads. Taken from a TorchSharp module whose weights were loaded (and validated) by
    /// <see cref="E2ENet.Torch.Weights.StateDictLoader"/>, so that the exported graph and the TorchSharp network the export is
    /// checked against hold the very same numbers.
    /// </summary>
    public sealed class ModelWeights
    {
        private readonly Dictionary<string, float[]> _values;
        private readonly Dictionary<string, long[]> _shapes;

        private ModelWeights(Dictionary<string, float[]> values, Dictionary<string, long[]> shapes)
        {
            _values = values;
            _shapes = shapes;
        }

        /// <summary>Copies every parameter of <paramref name="module"/> that <paramref name="ir"/> names.</summary>
        /// <exception cref="InvalidOperationException">The module lacks a parameter of the IR or has another shape (a defect: build it from the same IR).</exception>
        public static ModelWeights From(nn.Module module, NetworkIr ir)
        {
            var parameters = module.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
            var values = new Dictionary<string, float[]>(StringComparer.Ordinal);
            var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
            foreach (ParameterIr parameter in ir.Parameters)
            {
                if (!parameters.TryGetValue(parameter.Name, out var tensor) || !tensor.shape.SequenceEqual(parameter.Shape))
                {
                    throw new InvalidOperationException("the module has no parameter " + parameter.Name + " " + parameter.ShapeText + "; build it from the same model");
                }
                using (no_grad())
                using (Tensor cpu = tensor.detach().to(CPU).to_type(ScalarType.Float32).contiguous())
                {
                    values[parameter.Name] = cpu.data<float>().ToArray();
                }
                shapes[parameter.Name] = parameter.Shape.ToArray();
            }
            return new ModelWeights(values, shapes);
        }

        /// <summary>Creates weights from arrays (tests): every array must have the IR's element count.</summary>
        public static ModelWeights FromArrays(NetworkIr ir, IReadOnlyDictionary<string, float[]> arrays)
        {
            var values = new Dictionary<string, float[]>(StringComparer.Ordinal);
            var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
            foreach (ParameterIr parameter in ir.Parameters)
            {
                if (!arrays.TryGetValue(parameter.Name, out float[]? array) || array.LongLength != parameter.Count)
                {
                    throw new ArgumentException("no array of " + parameter.Count + " values for " + parameter.Name, nameof(arrays));
                }
                values[parameter.Name] = array;
                shapes[parameter.Name] = parameter.Shape.ToArray();
            }
            return new ModelWeights(values, shapes);
        }

        /// <summary>The values of a parameter, C order.</summary>
        public float[] this[string name] => _values.TryGetValue(name, out float[]? v) ? v : throw new KeyNotFoundException("no parameter " + name);

        /// <summary>Whether the parameter exists (e.g. conv biases only when the model has them).</summary>
        public bool Contains(string name) => _values.ContainsKey(name);

        /// <summary>The shape of a parameter.</summary>
        public long[] Shape(string name) => _shapes[name];

        /// <summary>Non-zero elements of a parameter.</summary>
        public long NonZero(string name) => _values[name].LongCount(v => v != 0);
    }
}
