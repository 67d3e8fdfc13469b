using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using static E2ENet.Compiler.Tests.Helpers;

namespace E2ENet.Compiler.Tests
{
    /// <summary>The network graph of docs/method.md: nodes, order, names, shapes.</summary>
    public class IrTests
    {
        private static NetworkIr Tiny3() => Shipped().Find("TinyS3Dense")!.Network!;

        [Fact]
        public void Fusion_nodes_follow_encoder_availability_from_coarse_to_fine()
        {
            var order = Tiny3().Fusion.Select(f => f.Id.ToString()).ToArray();
            Assert.Equal(new[] { "x01", "x11", "x02", "x21", "x12", "x03", "x31", "x22", "x13", "x04", "x41", "x32", "x23", "x14", "x05" }, order);
        }

        [Fact]
        public void Node_names_are_the_authors_loc_and_up_indices()
        {
            NetworkIr network = Tiny3();
            Assert.Equal("loc4.0", network.Node(new NodeId(0, 1))!.Name);
            Assert.Equal("loc0.0", network.Node(new NodeId(4, 1))!.Name);
            Assert.Equal("loc0.4", network.Node(new NodeId(0, 5))!.Name);
            Assert.Equal("up0.2", network.Node(new NodeId(2, 3))!.Up.Name);
            Assert.Equal(2, network.Node(new NodeId(0, 5))!.Blocks.Count);
            Assert.Single(network.Node(new NodeId(0, 4))!.Blocks);
        }

        [Fact]
        public void Concatenation_is_same_then_upsampled_then_downsampled()
        {
            FusionNodeIr x32 = Tiny3().Node(new NodeId(3, 2))!;
            Assert.Equal(new[] { SourceKind.Same, SourceKind.Up, SourceKind.Down }, x32.Inputs.Select(i => i.Kind));
            Assert.Equal(new[] { "x31", "x41", "x21" }, x32.Inputs.Select(i => i.From.ToString()));
            Assert.Equal(new[] { 32, 32, 16 }, x32.Inputs.Select(i => i.Channels));
            Assert.Equal(new[] { 0, 32, 64 }, x32.Inputs.Select(i => i.Offset));
            Assert.Equal(80, x32.Blocks[0].InChannels);
            FusionNodeIr x01 = Tiny3().Node(new NodeId(0, 1))!;
            Assert.Equal(2, x01.Inputs.Count);
            Assert.Null(x01.DownPool);
        }

        [Fact]
        public void Parameter_names_and_shapes_follow_the_authors_state_dict()
        {
            NetworkIr network = Tiny3();
            var names = network.Parameters.Select(p => p.Name).ToList();
            Assert.Equal("loc0.0.0.blocks.0.conv.weight", names[0]);
            Assert.Equal("seg_outputs.3.weight", names[names.Count - 1]);
            Assert.Contains("conv_blocks_context.5.0.blocks.0.instnorm.bias", names);
            Assert.Contains("conv_blocks_context.5.1.blocks.0.conv.weight", names);
            Assert.Contains("conv_blocks_context.4.blocks.1.conv.bias", names);
            Assert.Equal(147, names.Count);
            Assert.Equal(names.Count, names.Distinct().Count());
            ParameterIr up = network.Parameters.First(p => p.Name == "up0.2.weight");
            Assert.Equal(new long[] { 32, 16, 2, 2, 2 }, up.Shape);
            ParameterIr first = network.Parameters.First(p => p.Name == "conv_blocks_context.0.blocks.0.conv.weight");
            Assert.Equal(new long[] { 4, 1, 1, 3, 3 }, first.Shape);
        }

        [Fact]
        public void Shapes_follow_the_pools_and_strides()
        {
            NetworkIr network = Shipped().Find("TinyS5SparseAniso")!.Network!;
            Assert.Equal(new[] { new Int3(16, 64, 32), new Int3(16, 32, 16), new Int3(8, 16, 8), new Int3(4, 8, 4), new Int3(2, 4, 2), new Int3(2, 2, 1) }, network.Sizes);
            BlockIr strided = network.Encoder[1].Blocks[0];
            Assert.Equal((new Int3(1, 2, 2), new Int3(16, 64, 32), new Int3(16, 32, 16)), (strided.Stride, strided.InputSize, strided.OutputSize));
            Assert.Equal(new Int3(0, 1, 1), strided.Padding);
            Assert.Equal(1, network.Encoder[0].Blocks[0].ShiftChunk); // 2 input channels, 5 groups: chunks of ceil(2 / 5) = 1, so 2 chunks
        }

        [Fact]
        public void Heads_sit_on_the_last_node_of_each_of_the_four_finest_levels()
        {
            var heads = Tiny3().Heads;
            Assert.Equal(new[] { "x05", "x14", "x23", "x32" }, heads.Select(h => h.On.ToString()));
            Assert.Equal(new[] { 8.0 / 15, 4.0 / 15, 2.0 / 15, 1.0 / 15 }, heads.Select(h => h.Weight));
        }

        [Fact]
        public void More_encoder_blocks_extend_the_authors_naming()
        {
            var network = Model("encoder blocks 3").Models[0].Network!;
            Assert.Equal(new[] { "conv_blocks_context.5.0.blocks.0", "conv_blocks_context.5.0.blocks.1", "conv_blocks_context.5.1.blocks.0" }, network.Encoder[5].Blocks.Select(b => b.Name));
            Assert.Equal("conv_blocks_context.2.blocks.2", network.Encoder[2].Blocks[2].Name);
        }

        [Fact]
        public void Identical_sources_give_equal_ir_values()
        {
            Assert.Equal(Shipped().Find("AmosCt")!.Network, Shipped().Find("AmosCt")!.Network);
            Assert.NotEqual(Shipped().Find("AmosCt")!.Network, Shipped().Find("AmosCtS7")!.Network);
        }
    }
}
