using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Onnx.Weights;

namespace E2ENet.Onnx.Pruning
{
    /// <summary>What pruning keeps of one layer: its live output channels and the input channels those read.</summary>
    public sealed record LayerLiveness(string Layer, int[] Out, int[] In, bool KeptAlive)
    {
        /// <summary>True when nothing reads the layer's output: it disappears from the graph.</summary>
        public bool Dead => Out.Length == 0;
    }

    /// <summary>
    /// The pruning pass: which channels of which values the network output actually depends on. Walking the layers
    /// backwards from the logits, a channel of a value is live when a live output channel of some consumer reads it
    /// through a kernel that is not all zeros (a convolution's input channel, a transposed convolution's input channel,
    /// a max-pool passes liveness through channel by channel). Everything else is exactly dead and is removed: input
    /// channels whose kernels are all pruned (from the weight and from the concatenation that feeds them), transposed-conv
    /// output channels nothing reads, and whole sources (an up or down path, a fusion node) nobody reads any more, with
    /// everything that only fed them.
    /// <para>
    /// One exception keeps the graph well formed: a layer whose output is read but whose kernels are all zero (a fully
    /// pruned layer) still needs an input of the right spatial size; it keeps its first input channel with zero weights
    /// (<see cref="LayerLiveness.KeptAlive"/>), which computes exactly what the network does (bias, then normalization).
    /// </para>
    /// </summary>
    public sealed class ChannelLiveness
    {
        private ChannelLiveness(Dictionary<string, bool[]> values, Dictionary<string, LayerLiveness> layers, Dictionary<string, KernelPresence> presence)
        {
            Values = values;
            Layers = layers;
            Presence = presence;
        }

        /// <summary>Per value, which channels are live.</summary>
        public IReadOnlyDictionary<string, bool[]> Values { get; }

        /// <summary>Per layer (by name), what it keeps.</summary>
        public IReadOnlyDictionary<string, LayerLiveness> Layers { get; }

        /// <summary>Per weighted layer, its kernel presence in the weight's own orientation.</summary>
        public IReadOnlyDictionary<string, KernelPresence> Presence { get; }

        /// <summary>Live channels of a value, ascending.</summary>
        public int[] LiveChannels(string value) => Indices(Values[value]);

        /// <summary>
        /// Runs the pass. <paramref name="dense"/> keeps every channel (a dense export: kernels count as present whatever
        /// their values); otherwise kernels are read from <paramref name="weights"/>.
        /// </summary>
        public static ChannelLiveness Analyze(Dataflow flow, ModelWeights weights, bool dense)
        {
            var presence = new Dictionary<string, KernelPresence>(StringComparer.Ordinal);
            foreach (DataflowLayer layer in flow.Layers)
            {
                string? weight = layer.WeightName;
                if (weight == null) continue;
                long[] shape = weights.Shape(weight);
                presence[layer.Name] = dense ? KernelPresence.All((int)shape[0], (int)shape[1]) : KernelPresence.Of(weights[weight], shape);
            }

            var values = flow.Values.ToDictionary(v => v.Key, v => new bool[v.Value.Channels], StringComparer.Ordinal);
            values["logits"] = Enumerable.Repeat(true, flow.Network.Spec.Classes).ToArray();
            var layers = new Dictionary<string, LayerLiveness>(StringComparer.Ordinal);
            for (int index = flow.Layers.Count - 1; index >= 0; index--)
            {
                DataflowLayer layer = flow.Layers[index];
                int[] outs = Indices(values[layer.Output]);
                var reads = new bool[layer.InChannels];
                if (outs.Length > 0)
                {
                    if (layer.Kind == LayerKind.Down)
                    {
                        foreach (int o in outs) reads[o] = true;
                    }
                    else
                    {
                        KernelPresence kernels = presence[layer.Name];
                        bool transposed = layer.Kind == LayerKind.Up;
                        for (int i = 0; i < reads.Length; i++)
                        {
                            foreach (int o in outs)
                            {
                                if (transposed ? kernels[i, o] : kernels[o, i])
                                {
                                    reads[i] = true;
                                    break;
                                }
                            }
                        }
                    }
                }
                bool keptAlive = false;
                if (outs.Length > 0 && !reads.Any(r => r))
                {
                    reads[0] = true;
                    keptAlive = true;
                }
                foreach (SourceRef source in layer.Sources)
                {
                    bool[] live = values[source.Value];
                    for (int c = 0; c < source.Channels; c++) live[c] |= reads[source.Offset + c];
                }
                layers[layer.Name] = new LayerLiveness(layer.Name, outs, Indices(reads), keptAlive);
            }
            return new ChannelLiveness(values, layers, presence);
        }

        private static int[] Indices(bool[] flags)
        {
            var list = new List<int>();
            for (int i = 0; i < flags.Length; i++) if (flags[i]) list.Add(i);
            return list.ToArray();
        }
    }
}
