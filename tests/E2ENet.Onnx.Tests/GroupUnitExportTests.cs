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
    /// the graph computes exactly what the TorchSharp network computes while executing close to the active count.
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
            foreach (DataflowLayer layer in flow.Layers.Where(l => l.Kind == LayerKind.Block && l.Block!.Mask != null && !liveness.Layers[l.Name].Dead))
            {
                LayerLiveness live = liveness.Layers[layer.Name];
                var partition = OutputGrouping.ByUnit(liveness.Presence[layer.Name], live.Out, live.In, layer.Block!.Mask!.Group);
                Assert.NotNull(partition);
                // Constant fan-in: every group of a layer reads the same number of (live) inputs, never more than the IR's fan-in.
                Assert.All(partition!.Value.Unions, u => Assert.InRange(u.Length, 1, layer.Block.Mask.FanIn));
                if (partition.Value.Groups.Length > 1) choices[layer.Name] = new BlockLowering(ConvLowering.Grouped, ShiftLowering.Pad, partition.Value.Groups.Length);
            }
            Assert.NotEmpty(choices);

            float[] input = ExportVerifier.RandomInput(spec.Input.Channels, spec.Input.Patch, 3, out long[] shape);
            float[] reference = ExportVerifier.Torch(source.Torch, input, shape);
            GraphExport referenceLowering = GraphExporter.Build(source, new GraphOptions(Pruned: true, Half: false, Tune: false));
            GraphExport grouped = GraphExporter.Build(source, new GraphOptions(Pruned: true, Half: false, Tune: false, Lowerings: choices));
            Assert.InRange(ExportVerifier.RelativeError(ExportVerifier.Onnx(referenceLowering.Model, input, shape), reference), 0, 1e-4);
            Assert.InRange(ExportVerifier.RelativeError(ExportVerifier.Onnx(grouped.Model, input, shape), reference), 0, 1e-4);

            // The up paths go grouped where that saves a fifth of their MACs (with 4 groups here; with 2, pruning the outputs
            // nothing reads already leaves less to compute than whole groups would).
            if (groups == 4) Assert.Contains(referenceLowering.Report.Layers, l => l.Kind == "up" && l.Lowering.StartsWith("grouped", System.StringComparison.Ordinal));
            Assert.Contains(grouped.Report.Layers, l => l.Kind == "fusion" && l.Lowering.StartsWith("grouped", System.StringComparison.Ordinal));
            var macs = grouped.Report.TotalMacs;
            Assert.True(macs.Executed < referenceLowering.Report.TotalMacs.Executed, $"grouped {macs.Executed}, reference lowering {referenceLowering.Report.TotalMacs.Executed}");
            // What runs is the active count, give or take the encoder's dense layers (counted in both) and the unread inputs
            // pruned away (executed can fall below active): never the dense count the kernel unit executes.
            Assert.True(macs.Executed < 0.5 * macs.Dense, $"executed {macs.Executed}, dense {macs.Dense}, active {macs.Active}");
            Assert.True(macs.Executed <= macs.Active * 1.05, $"executed {macs.Executed}, active {macs.Active}");

            // fp16 too: the grouped weights convert like the others.
            GraphExport half = GraphExporter.Build(source, new GraphOptions(Pruned: true, Half: true, Tune: false, Lowerings: choices));
            Assert.InRange(ExportVerifier.RelativeError(ExportVerifier.Onnx(half.Model, input, shape), reference), 0, 2e-2);
        }

        [Fact]
        public void The_tuner_offers_the_units_own_groups()
        {
            var (_, source) = Fast(2);
            using ModelSource _ = source;
            Dataflow flow = Dataflow.Build(source.Network);
            ChannelLiveness liveness = ChannelLiveness.Analyze(flow, source.Weights, dense: false);
            int offered = 0;
            foreach (DataflowLayer layer in flow.Layers.Where(l => l.Kind == LayerKind.Block && l.Block!.Mask != null && !liveness.Layers[l.Name].Dead))
            {
                LayerLiveness live = liveness.Layers[layer.Name];
                var partition = OutputGrouping.ByUnit(liveness.Presence[layer.Name], live.Out, live.In, layer.Block!.Mask!.Group);
                if (partition is not { } p || p.Groups.Length < 2) continue;
                IReadOnlyList<BlockLowering> candidates = LoweringCandidates.For(layer, live, liveness.Presence[layer.Name], CostModel.Default);
                Assert.Contains(candidates, c => c.Conv == ConvLowering.Grouped && c.Groups == p.Groups.Length);
                offered++;
            }
            Assert.True(offered > 0);
        }
    }
}
