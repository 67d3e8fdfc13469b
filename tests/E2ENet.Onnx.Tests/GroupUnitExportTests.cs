using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Emit;
using E2ENet.Onnx.Export;
using E2ENet.Onnx.Pruning;
using E2ENet.Onnx.Tuning;
using E2ENet.Onnx.Verification;

namespace E2ENet.Onnx.Tests
{
    /// <summary>
    /// The output-group unit (<c>fusion unit group</c>) is executed sparsity: its fusion convolutions lower to one Gather of
    /// every group's kept inputs and one grouped convolution, its transposed convolutions to one grouped ConvTranspose, and
    /// the graph computes exactly what the TorchSharp network computes while executing close to the active count. That
    /// lowering is the reference one (what <c>--no-tune</c> exports and what the tuner must beat), so the sparse graph is
    /// the default, not a choice that depends on the machine's timings.
    /// </summary>
    public class GroupUnitExportTests
    {
        private static (ModelSpec Spec, ModelSource Source) Fast(int groups)
        {
            ModelSpec spec = Support.NarrowModel("amos-ct.e2e", "AmosCtFast", "widths.base=8", "widths.max=32", "fusion.groups=" + groups);
            return (spec, ModelSource.Random(spec, seed: 5));
        }

        [Theory]
        [InlineData(2)]
        [InlineData(4)]
        [InlineData(8)]
        public void Unit_groups_lower_to_grouped_convolutions_that_are_exact_and_execute_what_is_kept(int groups)
        {
            var (spec, source) = Fast(groups);
            using ModelSource _ = source;
            Assert.Equal(SparsityUnit.Group, spec.Fusion.Unit);
            Dataflow flow = Dataflow.Build(source.Network);
            ChannelLiveness liveness = ChannelLiveness.Analyze(flow, source.Weights, dense: false);
            var choices = new Dictionary<string, BlockLowering>();
            var union = new Dictionary<string, BlockLowering>();
            foreach (DataflowLayer layer in flow.Layers.Where(l => l.Kind == LayerKind.Block && l.Block!.Mask != null && !liveness.Layers[l.Name].Dead))
            {
                LayerLiveness live = liveness.Layers[layer.Name];
                var partition = OutputGrouping.ByUnit(liveness.Presence[layer.Name], live.Out, live.In, layer.Block!.Mask!.Group);
                Assert.NotNull(partition);
                // Constant fan-in: every group of a layer reads the same number of (live) inputs, never more than the IR's fan-in.
                Assert.All(partition!.Value.Unions, u => Assert.InRange(u.Length, 1, layer.Block.Mask.FanIn));
                ShiftLowering shift = NetworkEmitter.HasShift(layer.Block) ? ShiftLowering.Pad : ShiftLowering.None;
                if (partition.Value.Groups.Length > 1) choices[layer.Name] = new BlockLowering(ConvLowering.Grouped, shift, partition.Value.Groups.Length);
                union[layer.Name] = new BlockLowering(ConvLowering.Concat, shift);
            }
            Assert.NotEmpty(choices);

            float[] input = ExportVerifier.RandomInput(spec.Input.Channels, spec.Input.Patch, 3, out long[] shape);
            float[] reference = ExportVerifier.Torch(source.Torch, input, shape);
            // The reference lowering (what --no-tune exports) is the unit's own groups wherever they pay; the union lowering
            // runs one convolution over every input any group reads (the reference before 2026-12-05).
            GraphExport referenceLowering = GraphExporter.Build(source, new GraphOptions(Pruned: true, Half: false, Tune: false));
            GraphExport grouped = GraphExporter.Build(source, new GraphOptions(Pruned: true, Half: false, Tune: false, Lowerings: choices));
            GraphExport unionLowering = GraphExporter.Build(source, new GraphOptions(Pruned: true, Half: false, Tune: false, Lowerings: union));
            foreach (GraphExport graph in new[] { referenceLowering, grouped, unionLowering })
            {
                Assert.InRange(ExportVerifier.RelativeError(ExportVerifier.Onnx(graph.Model, input, shape), reference), 0, 1e-4);
            }
            foreach (DataflowLayer layer in flow.Layers.Where(l => choices.ContainsKey(l.Name)))
            {
                LayerLiveness live = liveness.Layers[layer.Name];
                bool pays = OutputGrouping.ByUnitIfSmaller(liveness.Presence[layer.Name], live.Out, live.In, layer.Block!.Mask!.Group) != null;
                string expected = (pays ? choices[layer.Name] : union[layer.Name]).ToString();
                Assert.Equal(expected, referenceLowering.Report.Layers.Single(l => l.Layer == layer.Name).Lowering);
            }

            // The up paths go grouped where that saves a fifth of their MACs (with 4 groups here; with 2, pruning the outputs
            // nothing reads already leaves less to compute than whole groups would).
            if (groups == 4) Assert.Contains(referenceLowering.Report.Layers, l => l.Kind == "up" && l.Lowering.StartsWith("grouped", System.StringComparison.Ordinal));
            Assert.Contains(referenceLowering.Report.Layers, l => l.Kind == "fusion" && l.Lowering.StartsWith("grouped", System.StringComparison.Ordinal));
            Assert.DoesNotContain(unionLowering.Report.Layers, l => l.Kind == "fusion" && l.Lowering.StartsWith("grouped", System.StringComparison.Ordinal));
            var macs = referenceLowering.Report.TotalMacs;
            Assert.True(macs.Executed <= grouped.Report.TotalMacs.Executed, $"reference {macs.Executed}, every layer grouped {grouped.Report.TotalMacs.Executed}");
            Assert.True(macs.Executed < unionLowering.Report.TotalMacs.Executed, $"reference {macs.Executed}, union lowering {unionLowering.Report.TotalMacs.Executed}");
            // What runs is the active count, give or take the encoder's dense layers (counted in both) and the unread inputs
            // pruned away (executed can fall below active): never the dense count the kernel unit executes.
            Assert.True(macs.Executed < 0.5 * macs.Dense, $"executed {macs.Executed}, dense {macs.Dense}, active {macs.Active}");
            Assert.True(macs.Executed <= macs.Active * 1.05, $"executed {macs.Executed}, active {macs.Active}");

            // fp16 too: the grouped weights convert like the others.
            GraphExport half = GraphExporter.Build(source, new GraphOptions(Pruned: true, Half: true, Tune: false, Lowerings: choices));
            Assert.InRange(ExportVerifier.RelativeError(ExportVerifier.Onnx(half.Model, input, shape), reference), 0, 2e-2);
        }

        [Fact]
        public void The_tuner_offers_the_units_own_groups_first()
        {
            var (_, source) = Fast(2);
            using ModelSource _ = source;
            Dataflow flow = Dataflow.Build(source.Network);
            ChannelLiveness liveness = ChannelLiveness.Analyze(flow, source.Weights, dense: false);
            int offered = 0, offeredFirst = 0;
            foreach (DataflowLayer layer in flow.Layers.Where(l => l.Kind == LayerKind.Block && l.Block!.Mask != null && !liveness.Layers[l.Name].Dead))
            {
                LayerLiveness live = liveness.Layers[layer.Name];
                var partition = OutputGrouping.ByUnit(liveness.Presence[layer.Name], live.Out, live.In, layer.Block!.Mask!.Group);
                if (partition is not { } p || p.Groups.Length < 2) continue;
                IReadOnlyList<BlockLowering> candidates = LoweringCandidates.For(layer, live, liveness.Presence[layer.Name], CostModel.Default);
                Assert.Contains(candidates, c => c.Conv == ConvLowering.Grouped && c.Groups == p.Groups.Length);
                // The reference lowering comes first (the tuner keeps it unless another is 5% faster), the union one is
                // always among the others, and nothing is timed twice.
                BlockLowering first = BlockLowering.Reference(layer.Block, live, liveness.Presence[layer.Name]);
                Assert.Equal(first, candidates[0]);
                Assert.Contains(candidates, c => c.Conv == ConvLowering.Concat);
                Assert.Equal(candidates.Count, candidates.Distinct().Count());
                if (first.Conv == ConvLowering.Grouped) offeredFirst++;
                offered++;
            }
            Assert.True(offered > 0);
            Assert.True(offeredFirst > 0, "no layer's reference lowering was its unit's groups");
        }
    }
}
