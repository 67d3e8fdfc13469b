using System.Linq;
using E2ENet.Compiler.Ir;
using static E2ENet.Compiler.Tests.Helpers;

namespace E2ENet.Compiler.Tests
{
    /// <summary>An nnU-Net plan written with <c>--set</c> in list form: per-stage widths, pools and kernels reach every layer.</summary>
    public class UNetPlanTests
    {
        private static NetworkIr Anisotropic() => Shipped(
            "widths=[6,12,24,40,40]",
            "pools=[[1,2,2],[1,2,2],[2,2,2],[2,2,2]]",
            "block.kernel=[[1,3,3],[1,3,3],[3,3,3],[3,3,3],[3,3,3]]").Find("UNetIsoSmall")!.Network!;

        private static long[] Shape(NetworkIr network, string name) => network.Parameters.Single(p => p.Name == name).Shape.ToArray();

        [Fact]
        public void List_overrides_build_an_anisotropic_plan()
        {
            NetworkIr network = Anisotropic();
            Assert.Equal(new[] { 6, 12, 24, 40, 40 }, network.Widths);
            // Encoder: stage s has kernel s; the first convolution of stage s is strided by pool s - 1.
            Assert.Equal(new long[] { 6, 1, 1, 3, 3 }, Shape(network, "encoder.stages.0.0.convs.0.conv.weight"));
            Assert.Equal(new long[] { 12, 6, 1, 3, 3 }, Shape(network, "encoder.stages.1.0.convs.0.conv.weight"));
            Assert.Equal(new long[] { 24, 12, 3, 3, 3 }, Shape(network, "encoder.stages.2.0.convs.0.conv.weight"));
            Assert.Equal(new long[] { 40, 40, 3, 3, 3 }, Shape(network, "encoder.stages.4.0.convs.1.conv.weight"));
            // Decoder, coarse to fine: transposed convolution kernel = the pool it undoes; stage j uses the kernel of its level.
            Assert.Equal(new long[] { 40, 40, 2, 2, 2 }, Shape(network, "decoder.transpconvs.0.weight"));
            Assert.Equal(new long[] { 12, 6, 1, 2, 2 }, Shape(network, "decoder.transpconvs.3.weight"));
            Assert.Equal(new long[] { 6, 12, 1, 3, 3 }, Shape(network, "decoder.stages.3.convs.0.conv.weight"));
            Assert.Equal(new long[] { 40, 80, 3, 3, 3 }, Shape(network, "decoder.stages.0.convs.0.conv.weight"));
            // Sizes at the 32^3 patch: depth halves only at the last two pools.
            Assert.Equal(new[] { 32, 32, 32, 16, 8 }, network.Sizes.Select(s => s.D));
            Assert.Equal(new[] { 32, 16, 8, 4, 2 }, network.Sizes.Select(s => s.H));
            // Heads: one per decoder level, full resolution first, nnU-Net's weights 1/2^k with the lowest 0.
            Assert.Equal(new[] { 1.0, 0.5, 0.25, 0.0 }, network.Spec.Heads.DeepSupervision);
            Assert.Equal("decoder.seg_layers.3", network.Heads[0].Name);
            Assert.Equal(network.Parameters.Sum(p => p.Count), network.Totals.DenseParameters);
        }

        [Fact]
        public void A_kernel_list_of_the_wrong_length_is_an_error_naming_the_levels()
        {
            var compilation = E2ECompilation.FromFiles(ShippedFiles, new[] { "block.kernel=[[1,3,3],[3,3,3]]" });
            Assert.Contains(compilation.Diagnostics, d => d.IsError && d.Message.Contains("block.kernel lists 2 kernels"));
        }

        [Fact]
        public void A_unet_refuses_fusion_sparsity()
        {
            var compilation = E2ECompilation.FromFiles(ShippedFiles, new[] { "fusion.sparsity=0.5" });
            Assert.Contains(compilation.Diagnostics, d => d.IsError && d.Message.Contains("a U-Net (decoder unet) is dense"));
        }
    }
}
