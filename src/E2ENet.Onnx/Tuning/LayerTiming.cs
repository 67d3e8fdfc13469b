using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Emit;

namespace E2ENet.Onnx.Tuning
{
    /// <summary>
    /// The measured latency of one candidate lowering of a block (median of the timed runs, milliseconds). The reference
    /// lowering (the first candidate) is measured first and again after the others: <paramref name="Milliseconds"/> is the
    /// faster of its two medians and <paramref name="FirstPassMilliseconds"/> the first (null for the other candidates).
    /// </summary>
    public sealed record CandidateTiming(string Lowering, double Milliseconds, long Macs, double? FirstPassMilliseconds = null);

    /// <summary>What the tuner measured for one block and what it chose.</summary>
    public sealed record LayerTiming(string Layer, BlockLowering Chosen, IReadOnlyList<CandidateTiming> Candidates);

    /// <summary>The tuner's result: the chosen lowering of every measured block, at which patch and with how many runs.</summary>
    /// <param name="Patch">The tuning patch.</param>
    /// <param name="Runs">Timed runs per candidate (at least).</param>
    /// <param name="Layers">Every measured block: its candidates and the one the per-layer measurement chose.</param>
    /// <param name="WholeGraph">The whole-graph comparison of the tuned and the reference graphs (null when every layer kept its reference lowering).</param>
    public sealed record TuningResult(Int3 Patch, int Runs, IReadOnlyList<LayerTiming> Layers, WholeGraphTiming? WholeGraph = null)
    {
        /// <summary>The lowerings per-layer measurement chose, by block name.</summary>
        public IReadOnlyDictionary<string, BlockLowering> Choices
        {
            get
            {
                var choices = new Dictionary<string, BlockLowering>(System.StringComparer.Ordinal);
                foreach (LayerTiming layer in Layers) choices[layer.Layer] = layer.Chosen;
                return choices;
            }
        }

        /// <summary>True when some layer's chosen lowering is not its reference (its first candidate).</summary>
        public bool ChangesAnything => Layers.Any(l => l.Chosen.ToString() != l.Candidates[0].Lowering);

        /// <summary>The lowerings the graph uses: the chosen ones, or none (the reference) when the whole-graph check kept the reference.</summary>
        public IReadOnlyDictionary<string, BlockLowering> Applied
            => WholeGraph == null || WholeGraph.KeptTuned ? Choices : new Dictionary<string, BlockLowering>(System.StringComparer.Ordinal);
    }
}
