using System.Collections.Generic;
using System.Linq;
using E2ENet.Onnx.Export;
using E2ENet.Onnx.Reporting;
using E2ENet.Onnx.Verification;
using E2ENet.Torch.Serialization;
using static TorchSharp.torch;

namespace E2ENet.Onnx.Tests
{
    /// <summary>The pruning pass removes exactly what nothing reads, transitively, and keeps the output exact.</summary>
    public class PruningTests
    {
        [Fact]
        public void A_branch_nothing_reads_disappears_with_everything_that_only_fed_it()
        {
            const string name = "tiny_s3_dense";
            using var temp = new TempFolder();
            // The golden weights with every kernel of x05's first block that reads its up branch (concat channels C0..2C0) pruned.
            Dictionary<string, Tensor> state = TensorFile.ReadAll(Support.GoldenWeights(name));
            Tensor weight = state["loc0.4.0.blocks.0.conv.weight"];
            int c0 = (int)weight.shape[0];
            using (no_grad()) weight.narrow(1, c0, c0).zero_();
            TensorFileWriter.Write(temp["weights.pt"], state.Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Value)));

            using ModelSource source = ModelSource.Load(Support.GoldenModelFile(name), "TinyS3Dense", System.Array.Empty<string>(), temp["weights.pt"]);
            GraphExport graph = GraphExporter.Build(source, new GraphOptions(Pruned: true, Half: false, Tune: false));
            var removed = graph.Report.Layers.Where(l => l.Lowering == "removed").Select(l => l.Layer).ToHashSet();
            // x14 (loc0.3: nodes are grouped by diagonal, loc{z} holds L + j = 5 - z) then feeds nothing (its head is training-only),
            // nor x23, x32, x41 that only fed it, nor the bottleneck x50 that only fed x41; their up paths go with them.
            foreach (string layer in new[] { "up0.4", "loc0.3.0.blocks.0", "loc0.3.1.blocks.0", "up0.3", "loc0.2.0.blocks.0", "loc0.2.1.blocks.0", "up0.2",
                "loc0.1.0.blocks.0", "loc0.1.1.blocks.0", "up0.1", "loc0.0.0.blocks.0", "loc0.0.1.blocks.0", "up0.0",
                "conv_blocks_context.5.0.blocks.0", "conv_blocks_context.5.1.blocks.0" })
            {
                Assert.Contains(layer, removed);
            }
            // What still feeds x05 stays: x05 itself, x04 (loc1.3), x31's up path, the encoder's level 4.
            foreach (string layer in new[] { "loc0.4.0.blocks.0", "loc0.4.1.blocks.0", "loc1.3.0.blocks.0", "up1.0", "conv_blocks_context.4.blocks.1" }) Assert.DoesNotContain(layer, removed);
            Assert.Equal(15, removed.Count);
            LayerReport first = graph.Report.Layers.Single(l => l.Layer == "loc0.4.0.blocks.0");
            Assert.Equal(first.InTotal - c0, first.InLive);

            float[] input = ExportVerifier.RandomInput(1, source.Spec.Input.Patch, 3, out long[] shape);
            Assert.InRange(ExportVerifier.RelativeError(ExportVerifier.Onnx(graph.Model, input, shape), ExportVerifier.Torch(source.Torch, input, shape)), 0, 1e-4);
            GraphExport dense = GraphExporter.Build(source, new GraphOptions(Pruned: false, Half: false, Tune: false));
            Assert.True(graph.Report.TotalMacs.Executed < dense.Report.TotalMacs.Executed * 0.9);
        }

        [Fact]
        public void Output_channels_with_every_kernel_pruned_are_exactly_their_norm_shift()
        {
            // A kernel-sparse model small enough that some output rows lose every kernel: they are the conv bias everywhere,
            // which instance norm maps to exactly beta; ONNX Runtime's InstanceNormalization alone would be off by ~1e-3 there.
            var spec = Support.NarrowModel("amos-ct.e2e", "AmosCt", "widths.base=8", "widths.max=64", "input.patch=[32, 64, 64]");
            using ModelSource source = ModelSource.Random(spec, seed: 3);
            Assert.Contains(source.Network.Fusion.SelectMany(f => f.Blocks), b => Emit.BlockEmitter.ConstantRows(source.Weights[b.ConvWeight], source.Weights.Shape(b.ConvWeight)).Any(c => c));
            float[] input = ExportVerifier.RandomInput(1, spec.Input.Patch, 1, out long[] shape);
            float[] reference = ExportVerifier.Torch(source.Torch, input, shape);
            foreach (bool pruned in new[] { false, true })
            {
                GraphExport graph = GraphExporter.Build(source, new GraphOptions(pruned, false, false));
                Assert.InRange(ExportVerifier.RelativeError(ExportVerifier.Onnx(graph.Model, input, shape), reference), 0, 1e-4);
            }
        }
    }
}
