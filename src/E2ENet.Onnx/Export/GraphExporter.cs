using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Diagnostics;
using E2ENet.Onnx.Emit;
using E2ENet.Onnx.Graph;
using E2ENet.Onnx.Proto;
using E2ENet.Onnx.Pruning;
using E2ENet.Onnx.Reporting;
using E2ENet.Onnx.Tuning;

namespace E2ENet.Onnx.Export
{
    /// <summary>How to build one graph.</summary>
    /// <param name="Pruned">Run the pruning pass (false: the dense network, zeros included).</param>
    /// <param name="Half">float16 weights and activations.</param>
    /// <param name="Tune">Choose lowerings by measured latency (ignored when <paramref name="Lowerings"/> is given).</param>
    /// <param name="TuneRuns">Timed runs per candidate.</param>
    /// <param name="TunePatch">The tuner's patch (null: <see cref="GraphExporter.DefaultTunePatch"/>).</param>
    /// <param name="Opset">The ONNX opset.</param>
    /// <param name="Lowerings">Lowerings to use as they are (null: tune or use the reference).</param>
    public sealed record GraphOptions(bool Pruned, bool Half, bool Tune, int TuneRuns = 3, Int3? TunePatch = null, int Opset = OnnxOpsets.Default,
        IReadOnlyDictionary<string, BlockLowering>? Lowerings = null);

    /// <summary>A built graph: the encoded model, its report, and what tuning chose.</summary>
    public sealed record GraphExport(byte[] Model, PruningReport Report, TuningResult? Tuning, IReadOnlyDictionary<string, BlockLowering> Lowerings);

    /// <summary>
    /// Builds the ONNX model of a network from its IR and weights (no tracing): the dataflow, the pruning pass, tuning when
    /// asked, the emission, the report, and the model with its metadata.
    /// </summary>
    public static class GraphExporter
    {
        /// <summary>The most voxels the default tuning patch has (64^3).</summary>
        public const long TuneVoxels = 64L * 64 * 64;

        /// <summary>Builds the graph.</summary>
        public static GraphExport Build(ModelSource source, GraphOptions options, Action<string>? progress = null)
        {
            NetworkIr ir = source.Network;
            Dataflow flow = Dataflow.Build(ir);
            ChannelLiveness liveness = ChannelLiveness.Analyze(flow, source.Weights, dense: !options.Pruned);
            TuningResult? tuning = null;
            EmittedNetwork? emitted = null;
            IReadOnlyDictionary<string, BlockLowering> lowerings = options.Lowerings ?? new Dictionary<string, BlockLowering>();
            if (options.Lowerings == null && options.Tune)
            {
                Int3 patch = options.TunePatch ?? DefaultTunePatch(source.Spec);
                NetworkIr tuneIr = patch == ir.Spec.Input.Patch ? ir : IrBuilder.Build(source.Spec with { Input = source.Spec.Input with { Patch = patch } });
                progress?.Invoke(string.Format(CultureInfo.InvariantCulture, "tuning lowerings by measured ONNX Runtime latency at {0} ({1} timed runs per candidate)",
                    patch.ToSizeString(), options.TuneRuns));
                tuning = LayerTuner.Tune(Dataflow.Build(tuneIr), liveness, source.Weights, options.Half, CostModel.Default, options.TuneRuns, progress);
                lowerings = tuning.Choices;
                if (tuning.ChangesAnything)
                {
                    EmittedNetwork tunedNetwork = NetworkEmitter.Emit(flow, liveness, source.Weights, new EmitOptions(options.Half, lowerings, CostModel.Default));
                    EmittedNetwork referenceNetwork = NetworkEmitter.Emit(flow, liveness, source.Weights, new EmitOptions(options.Half, new Dictionary<string, BlockLowering>(), CostModel.Default));
                    WholeGraphTiming whole = WholeGraphComparison.Compare(Model(source, tunedNetwork, options).ToBytes(), Model(source, referenceNetwork, options).ToBytes(),
                        source.Spec.Input.Channels, patch, options.TuneRuns, tunedNetwork.Layers.Values.Sum(l => l.Macs), referenceNetwork.Layers.Values.Sum(l => l.Macs));
                    tuning = tuning with { WholeGraph = whole };
                    lowerings = tuning.Applied;
                    emitted = whole.KeptTuned ? tunedNetwork : referenceNetwork;
                    progress?.Invoke(string.Format(CultureInfo.InvariantCulture, "whole graph at {0}: tuned {1:0.0} ms, reference {2:0.0} ms{3} -> {4}",
                        patch.ToSizeString(), whole.TunedMilliseconds, whole.ReferenceMilliseconds,
                        whole.Tie ? string.Format(CultureInfo.InvariantCulture, " (within {0:0%}: executed GMACs {1:0.00} tuned, {2:0.00} reference decide)",
                            WholeGraphComparison.Margin, whole.TunedMacs / 1e9, whole.ReferenceMacs / 1e9) : "",
                        whole.KeptTuned ? "tuned lowerings kept" : "reference lowering kept"));
                }
            }
            emitted ??= NetworkEmitter.Emit(flow, liveness, source.Weights, new EmitOptions(options.Half, lowerings, CostModel.Default));
            PruningReport report = PruningReport.Build(ir, emitted.Layers, options.Pruned, options.Half, tuning);
            OnnxModel model = Model(source, emitted, options);
            long size = model.Size();
            if (size > OnnxModel.MaxBytes)
            {
                throw new E2ENetOnnxException(OnnxErrors.UnsupportedModel, null, string.Format(CultureInfo.InvariantCulture,
                    "the graph of {0} would be {1:N0} bytes; one ONNX file holds at most 2 GiB (external weight files are not written): export with --fp16, or narrow the model",
                    source.Spec.Name, size));
            }
            return new GraphExport(model.ToBytes(), report, tuning, lowerings);
        }

        private static OnnxModel Model(ModelSource source, EmittedNetwork emitted, GraphOptions options)
            => new OnnxModel(emitted.Graph, options.Opset, OnnxOpsets.IrVersion(options.Opset), ExportTool.Name, ExportTool.Version,
                OnnxMetadata.For(source.Spec, options.Half, options.Pruned),
                "E2ENet " + source.Spec.Name + " exported by e2enet " + ExportTool.Version + " from its .e2e model and weights (no tracing).");

        /// <summary>
        /// The tuner's default patch: the model's patch, reduced along its largest axis by the product of that axis's pools
        /// (so it stays a valid input) until it has at most <see cref="TuneVoxels"/> voxels.
        /// </summary>
        public static Int3 DefaultTunePatch(ModelSpec spec)
        {
            Int3 step = OnnxMetadata.DivisibleBy(spec);
            int[] size = { spec.Input.Patch.D, spec.Input.Patch.H, spec.Input.Patch.W };
            while ((long)size[0] * size[1] * size[2] > TuneVoxels)
            {
                int axis = -1;
                for (int a = 0; a < 3; a++)
                {
                    if (size[a] > step[a] && (axis < 0 || size[a] > size[axis])) axis = a;
                }
                if (axis < 0) break;
                size[axis] -= step[axis];
            }
            return new Int3(size[0], size[1], size[2]);
        }
    }
}
