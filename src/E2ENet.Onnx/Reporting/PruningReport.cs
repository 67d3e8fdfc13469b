using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Emit;
using E2ENet.Onnx.Tuning;

namespace E2ENet.Onnx.Reporting
{
    /// <summary>Dense, active (the paper's count: only kept units of sparse layers) and executed (in the exported graph) counts.</summary>
    public sealed record CountTriple(long Dense, long Active, long Executed)
    {
        /// <summary>Sum.</summary>
        public static CountTriple operator +(CountTriple a, CountTriple b) => new CountTriple(a.Dense + b.Dense, a.Active + b.Active, a.Executed + b.Executed);

        /// <summary>Zero.</summary>
        public static readonly CountTriple Zero = new CountTriple(0, 0, 0);
    }

    /// <summary>One layer of the report: a block (conv with its norm), a transposed conv, or a head.</summary>
    public sealed record LayerReport(
        string Layer,
        string Kind,
        int Level,
        string Lowering,
        int InLive,
        int InTotal,
        int OutLive,
        int OutTotal,
        CountTriple Parameters,
        long NonZeroParameters,
        CountTriple Macs,
        long CopiedElements,
        IReadOnlyList<CandidateTiming> Timings);

    /// <summary>
    /// The pruning report of an export: per layer and in total, parameters and multiply-accumulates dense, active (the
    /// paper's count, equal to the IR's Costs: only kept kernels of sparse layers) and executed (what the exported graph
    /// stores and computes at the model's patch, zero padding of grouped convolutions and zero taps of folded shifts
    /// included), plus the elements the graph copies (shift, slice, gather, concat, pool) to say where the time goes that
    /// multiply-accumulates do not show. The gap between active and executed is the part of the paper's savings that dense
    /// convolution kernels cannot skip.
    /// </summary>
    public sealed record PruningReport(
        string Model,
        Int3 Patch,
        string Precision,
        bool Pruned,
        string Unit,
        double Sparsity,
        IReadOnlyList<LayerReport> Layers,
        TuningResult? Tuning)
    {
        /// <summary>Totals over every layer.</summary>
        public CountTriple TotalParameters => Layers.Aggregate(CountTriple.Zero, (a, l) => a + l.Parameters);

        /// <summary>Totals over every layer.</summary>
        public CountTriple TotalMacs => Layers.Aggregate(CountTriple.Zero, (a, l) => a + l.Macs);

        /// <summary>Non-zero parameters stored in the graph.</summary>
        public long TotalNonZero => Layers.Sum(l => l.NonZeroParameters);

        /// <summary>Elements copied by data movement, in total.</summary>
        public long TotalCopied => Layers.Sum(l => l.CopiedElements);

        /// <summary>
        /// Builds the report from the IR's costs (every layer <c>e2enet check</c> counts, deep-supervision heads included: they
        /// are reported with nothing executed) and what the emission executes.
        /// </summary>
        public static PruningReport Build(NetworkIr ir, IReadOnlyDictionary<string, LayerExecution> executions, bool pruned, bool half, TuningResult? tuning)
        {
            var timings = tuning?.Layers.ToDictionary(l => l.Layer, l => l.Candidates, StringComparer.Ordinal) ?? new Dictionary<string, IReadOnlyList<CandidateTiming>>();
            var copies = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (FusionNodeIr node in ir.Fusion)
            {
                // The max-pool of a node's down path has no parameters; its copies are reported with the node's first block.
                if (executions.TryGetValue("down." + node.Name, out LayerExecution? down)) copies[node.Blocks[0].Name] = down.CopiedElements;
            }
            // Every layer of the IR's module tree: encoder blocks, decoder blocks (E2ENet's fusion nodes or a U-Net's stages), ups.
            var encoderBlocks = new HashSet<string>(ir.Encoder.SelectMany(e => e.Blocks).Select(b => b.Name), StringComparer.Ordinal);
            string decoder = ir.Spec.Decoder.Kind == DecoderKind.UNet ? "decoder" : "fusion";
            var shapes = new Dictionary<string, (string Kind, int In, int Out)>(StringComparer.Ordinal);
            foreach (var (_, module) in ir.Modules.Leaves())
            {
                if (module.Kind == ModuleKind.Block) shapes[module.Block!.Name] = (encoderBlocks.Contains(module.Block.Name) ? "encoder" : decoder, module.Block.InChannels, module.Block.OutChannels);
                else if (module.Kind == ModuleKind.Up) shapes[module.Up!.Name] = ("up", module.Up.InChannels, module.Up.OutChannels);
            }
            foreach (HeadIr head in ir.Heads) shapes[head.Name] = (head.Index == 0 ? "head" : "head (deep supervision)", head.InChannels, head.Classes);

            var layers = new List<LayerReport>();
            foreach (LayerCost cost in ir.Costs)
            {
                (string kind, int inTotal, int outTotal) = shapes[cost.Layer];
                LayerExecution execution = executions.TryGetValue(cost.Layer, out LayerExecution? e) ? e : LayerExecution.Removed;
                string lowering = execution.Lowering;
                if (kind == "head (deep supervision)") lowering = "dropped";
                long copied = execution.CopiedElements + (copies.TryGetValue(cost.Layer, out long c) ? c : 0);
                layers.Add(new LayerReport(cost.Layer, kind, cost.Level, lowering, execution.InChannels, inTotal, execution.OutChannels, outTotal,
                    new CountTriple(cost.Counts.DenseParameters, cost.Counts.ActiveParameters, execution.Parameters), execution.NonZeroParameters,
                    new CountTriple(cost.Counts.DenseMacs, cost.Counts.ActiveMacs, execution.Macs), copied,
                    timings.TryGetValue(cost.Layer, out IReadOnlyList<CandidateTiming>? t) ? t : Array.Empty<CandidateTiming>()));
            }
            return new PruningReport(ir.Spec.Name, ir.Spec.Input.Patch, half ? "fp16" : "fp32", pruned, ir.Spec.Fusion.Unit.ToSymbol(),
                ir.Spec.Fusion.Sparsity, layers, tuning);
        }
    }
}
