using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Emit;
using E2ENet.Onnx.Export;
using E2ENet.Onnx.Pruning;
using E2ENet.Onnx.Tuning;
using E2ENet.Onnx.Verification;
using E2ENet.Tests;

namespace E2ENet.Onnx.Tests
{
    /// <summary>
    /// Every lowering the tuner may choose is exact on its own, applied to every block where it applies (the tuner only
    /// picks one per layer, so a lowering it never picks here would otherwise go untested): concat, branch and grouped
    /// convolutions, each with the shift as Pad copies or folded into the convolution; and the graph's axes are dynamic.
    /// </summary>
    public class LoweringTests
    {
        public static IEnumerable<object[]> Lowerings()
        {
            foreach (ConvLowering conv in new[] { ConvLowering.Concat, ConvLowering.Branch, ConvLowering.Grouped })
            {
                foreach (ShiftLowering shift in new[] { ShiftLowering.Pad, ShiftLowering.Fold })
                {
                    yield return new object[] { conv, shift };
                }
            }
        }

        [Theory]
        [MemberData(nameof(Lowerings))]
        public void Each_lowering_is_exact_on_every_block(ConvLowering conv, ShiftLowering shift)
        {
            // Kernel-sparse with 5 shift groups and anisotropic pools: the golden sparse configuration, random weights.
            ModelSpec spec = ModelSource.Compile(Support.GoldenModelFile("tiny_s5_sparse_aniso"), "TinyS5SparseAniso", System.Array.Empty<string>());
            using ModelSource source = ModelSource.Random(spec, seed: 7);
            Dataflow flow = Dataflow.Build(source.Network);
            ChannelLiveness liveness = ChannelLiveness.Analyze(flow, source.Weights, dense: false);
            var choices = new Dictionary<string, BlockLowering>();
            foreach (DataflowLayer layer in flow.Layers.Where(l => l.Kind == LayerKind.Block && !liveness.Layers[l.Name].Dead))
            {
                LayerLiveness live = liveness.Layers[layer.Name];
                int groups = 1;
                if (conv == ConvLowering.Grouped)
                {
                    groups = new[] { 4, 3, 2 }.FirstOrDefault(g => live.Out.Length % g == 0);
                    if (groups == 0) continue;
                }
                if (conv == ConvLowering.Branch && layer.Sources.Count < 2) continue;
                choices[layer.Name] = new BlockLowering(conv, shift, groups);
            }
            Assert.NotEmpty(choices);

            float[] input = ExportVerifier.RandomInput(spec.Input.Channels, spec.Input.Patch, 9, out long[] shape);
            float[] reference = ExportVerifier.Torch(source.Torch, input, shape);
            GraphExport graph = GraphExporter.Build(source, new GraphOptions(Pruned: true, Half: false, Tune: false, Lowerings: choices));
            Assert.InRange(ExportVerifier.RelativeError(ExportVerifier.Onnx(graph.Model, input, shape), reference), 0, 1e-4);
            Assert.Contains(graph.Report.Layers, l => l.Lowering == choices.First().Value.ToString());
            if (shift == ShiftLowering.Fold)
            {
                // Folding computes the zero depth taps: more multiply-accumulates, no copies for the shift.
                GraphExport padded = GraphExporter.Build(source, new GraphOptions(Pruned: true, Half: false, Tune: false));
                Assert.True(graph.Report.TotalMacs.Executed > padded.Report.TotalMacs.Executed);
            }
        }

        [Fact]
        public void Tuning_measures_candidates_and_records_its_choices()
        {
            ModelSpec spec = Support.NarrowModel("amos-ct.e2e", "AmosCt");
            using ModelSource source = ModelSource.Random(spec, seed: 2);
            GraphExport graph = GraphExporter.Build(source, new GraphOptions(Pruned: true, Half: false, Tune: true, TuneRuns: 1));
            Assert.NotNull(graph.Tuning);
            Assert.NotEmpty(graph.Tuning!.Layers);
            foreach (var layer in graph.Tuning.Layers)
            {
                Assert.True(layer.Candidates.Count >= 2);
                Assert.All(layer.Candidates, c => Assert.True(c.Milliseconds > 0));
                // The reference (first) is measured twice and keeps the faster median; the others once.
                Assert.True(layer.Candidates[0].FirstPassMilliseconds >= layer.Candidates[0].Milliseconds);
                Assert.All(layer.Candidates.Skip(1), c => Assert.Null(c.FirstPassMilliseconds));
                Assert.Contains(layer.Candidates, c => c.Lowering == layer.Chosen.ToString());
                // The graph uses the per-layer choice, unless the whole-graph timing kept the reference lowering.
                string applied = graph.Tuning.Applied.TryGetValue(layer.Layer, out BlockLowering? chosen) ? chosen.ToString() : layer.Candidates[0].Lowering;
                Assert.Equal(applied, graph.Report.Layers.Single(l => l.Layer == layer.Layer).Lowering);
            }
            Assert.Equal(graph.Tuning.ChangesAnything, graph.Tuning.WholeGraph != null);
            if (graph.Tuning.WholeGraph is { } whole)
            {
                // Both graphs' executed counts are recorded, and the exported one's is the report's.
                Assert.True(whole.TunedMacs > 0 && whole.ReferenceMacs > 0);
                Assert.Equal(whole.KeptTuned ? whole.TunedMacs : whole.ReferenceMacs, graph.Report.Layers.Sum(l => l.Macs.Executed));
                Assert.Equal(WholeGraphComparison.KeepTuned(whole.TunedMilliseconds, whole.ReferenceMilliseconds, whole.TunedMacs, whole.ReferenceMacs), whole.KeptTuned);
            }
            float[] input = ExportVerifier.RandomInput(1, spec.Input.Patch, 4, out long[] shape);
            Assert.InRange(ExportVerifier.RelativeError(ExportVerifier.Onnx(graph.Model, input, shape), ExportVerifier.Torch(source.Torch, input, shape)), 0, 1e-4);
        }

        [Theory]
        // The reference's first measurement is shown where it was more than the 5% margin slower than the one kept.
        [InlineData(39.2, 52.9, "concat+pad 39.2 ms (first 52.9 ms)")]
        [InlineData(39.2, 40.0, "concat+pad 39.2 ms")]
        [InlineData(39.2, null, "concat+pad 39.2 ms")]
        public void The_progress_line_shows_a_slow_first_measurement_of_the_reference(double kept, double? first, string expected)
        {
            Assert.Equal(expected, LayerTuner.Describe(new CandidateTiming("concat+pad", kept, 1000, first)));
        }

        [Theory]
        // The tuned graph at least 2% faster: kept, even when it executes more (a folded shift computes zero taps).
        [InlineData(97.0, 100.0, 200L, 100L, true)]
        // The reference at least 2% faster: kept, even when it executes more.
        [InlineData(100.0, 97.0, 100L, 200L, false)]
        // Within 2% either way the times do not tell the graphs apart: fewer executed MACs decide (AmosCtFast at
        // 64x160x160 on 2 cores: 8821 vs 8829 ms, 33% vs 76% of the dense MACs).
        [InlineData(8820.7, 8828.7, 263L, 597L, true)]
        [InlineData(100.0, 99.0, 100L, 200L, true)]
        [InlineData(99.0, 100.0, 200L, 100L, false)]
        // A tie on both: the reference.
        [InlineData(100.0, 100.0, 100L, 100L, false)]
        public void The_whole_graph_check_keeps_the_faster_graph_and_between_close_times_the_one_executing_less(
            double tunedMs, double referenceMs, long tunedMacs, long referenceMacs, bool keepTuned)
        {
            Assert.Equal(keepTuned, WholeGraphComparison.KeepTuned(tunedMs, referenceMs, tunedMacs, referenceMacs));
            var timing = new WholeGraphTiming(tunedMs, referenceMs, keepTuned, tunedMacs, referenceMacs);
            Assert.Equal(System.Math.Abs(tunedMs - referenceMs) < 0.02 * System.Math.Max(tunedMs, referenceMs), timing.Tie);
        }

        [Fact]
        public void Batch_and_spatial_axes_are_dynamic_even_where_a_shift_exceeds_the_depth()
        {
            ModelSpec spec = ModelSource.Compile(Support.GoldenModelFile("tiny_s5_sparse_aniso"), "TinyS5SparseAniso", System.Array.Empty<string>());
            using ModelSource source = ModelSource.Random(spec, seed: 5);
            GraphExport graph = GraphExporter.Build(source, new GraphOptions(Pruned: true, Half: false, Tune: false));
            // Depth 8 leaves 1 slice at the deepest levels, where the +-2 shift groups move everything out (zeros).
            foreach (var (batch, patch) in new[] { (2, new Int3(16, 64, 32)), (1, new Int3(8, 32, 64)), (3, new Int3(32, 32, 64)) })
            {
                float[] single = ExportVerifier.RandomInput(spec.Input.Channels, patch, batch, out long[] shape);
                float[] input = Enumerable.Range(0, batch).SelectMany(b => single.Select(v => v * (b + 1))).ToArray();
                shape[0] = batch;
                float[] reference = ExportVerifier.Torch(source.Torch, input, shape);
                float[] output = ExportVerifier.Onnx(graph.Model, input, shape);
                Assert.Equal(batch * spec.Classes * patch.Volume, output.LongLength);
                Assert.InRange(ExportVerifier.RelativeError(output, reference), 0, 1e-4);
            }
        }
    }
}
