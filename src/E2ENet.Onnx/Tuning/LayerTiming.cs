using System.Collections.Generic;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Emit;

namespace E2ENet.Onnx.Tuning
{
    /// <summary>The measured latency of one candidate lowering of a block (median of the timed runs, milliseconds).</summary>
    public sealed record CandidateTiming(string Lowering, double Milliseconds, long Macs);

    /// <summary>What the tuner measured for one block and what it chose.</summary>
    public sealed record LayerTiming(string Layer, BlockLowering Chosen, IReadOnlyList<CandidateTiming> Candidates);

    /// <summary>The tuner's result: the chosen lowering of every measured block, at which patch and with how many runs.</summary>
    public sealed record TuningResult(Int3 Patch, int Runs, IReadOnlyList<LayerTiming> Layers)
    {
        /// <summary>The chosen lowerings by block name.</summary>
        public IReadOnlyDictionary<string, BlockLowering> Choices
        {
            get
            {
                var choices = new Dictionary<string, BlockLowering>(System.StringComparer.Ordinal);
                foreach (LayerTiming layer in Layers) choices[layer.Layer] = layer.Chosen;
                return choices;
            }
        }
    }
}
