using System.IO;
using System.Linq;
using System.Text.Json;
using E2ENet.Compiler.Ir;
using E2ENet.Tests;
using static E2ENet.Compiler.Tests.Helpers;

namespace E2ENet.Compiler.Tests
{
    /// <summary>The counts of docs/method.md's reference tables and of the golden configurations, exactly.</summary>
    public class ReferenceCountTests
    {
        [Theory]
        [InlineData("AmosCtDenseFusion", 23_899_088, 23_899_088)]
        [InlineData("AmosCtS7", 23_899_088, 11_252_025)]
        [InlineData("AmosCt", 23_899_088, 9_445_351)]
        [InlineData("AmosCtS9", 23_899_088, 7_638_615)]
        [InlineData("Btcv", 23_897_776, 11_250_713)]
        [InlineData("BtcvS8", 23_897_776, 9_444_039)]
        [InlineData("BtcvS9", 23_897_776, 7_637_303)]
        [InlineData("Brats", 23_892_512, 11_245_449)]
        [InlineData("BratsS8", 23_892_512, 9_438_775)]
        [InlineData("BratsS9", 23_892_512, 7_632_039)]
        public void Parameters_match_the_reference_table(string model, long dense, long active)
        {
            NetworkIr network = Shipped().Find(model)!.Network!;
            Assert.Equal(dense, network.Totals.DenseParameters);
            Assert.Equal(active, network.Totals.ActiveParameters);
            Assert.Equal(dense, network.Parameters.Sum(p => p.Count));
            Assert.Equal(active, network.Parameters.Sum(p => p.ActiveCount));
        }

        [Theory]
        [InlineData("AmosCtDenseFusion", 1_012_356_612_096, 1_012_356_612_096)]
        [InlineData("AmosCtS7", 1_012_356_612_096, 375_447_977_984)]
        [InlineData("AmosCt", 1_012_356_612_096, 284_557_213_696)]
        [InlineData("AmosCtS9", 1_012_356_612_096, 193_545_830_400)]
        public void Macs_at_128_cubed_match_the_reference(string model, long dense, long active)
        {
            NetworkIr network = Shipped("input.patch=[128, 128, 128]").Find(model)!.Network!;
            Assert.Equal(dense, network.Totals.DenseMacs);
            Assert.Equal(active, network.Totals.ActiveMacs);
        }

        [Fact]
        public void The_headline_model_at_its_own_patch_matches_the_791_and_222_gmac_of_the_method_notes()
        {
            NetworkIr network = Shipped().Find("AmosCt")!.Network!;
            Assert.Equal(791, System.Math.Round(network.Totals.DenseMacs / 1e9));
            Assert.Equal(222, System.Math.Round(network.Totals.ActiveMacs / 1e9));
        }

        [Theory]
        [InlineData("tiny_s3_dense", "TinyS3Dense")]
        [InlineData("tiny_s5_sparse_aniso", "TinyS5SparseAniso")]
        public void Reference_models_describe_the_golden_configurations(string golden, string model)
        {
            using JsonDocument json = JsonDocument.Parse(File.ReadAllText(TestPaths.Golden(golden + ".json")));
            JsonElement root = json.RootElement;
            NetworkIr network = Shipped().Find(model)!.Network!;

            Assert.Equal(root.GetProperty("parameters").GetInt64(), network.Totals.DenseParameters);
            Assert.Equal(root.GetProperty("nonzero_parameters").GetInt64(), network.Totals.ActiveParameters);
            Assert.Equal(root.GetProperty("state_dict_keys").GetInt32(), network.Parameters.Count);
            Assert.Equal(root.GetProperty("in_ch").GetInt32(), network.Spec.Input.Channels);
            Assert.Equal(root.GetProperty("classes").GetInt32(), network.Spec.Classes);
            Assert.Equal(root.GetProperty("shift_offsets").EnumerateArray().Select(e => e.GetInt32()), network.Spec.Block.Shift);
            var pools = root.GetProperty("pools").EnumerateArray().Select(p => p.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToArray();
            Assert.Equal(pools, network.Spec.Pools.Select(p => new[] { p.D, p.H, p.W }).ToArray());
            var input = root.GetProperty("input").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(input.Skip(2), new[] { network.Spec.Input.Patch.D, network.Spec.Input.Patch.H, network.Spec.Input.Patch.W });

            var kept = root.GetProperty("masked_kernels_kept").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
            Assert.Equal(kept.Count, network.SparseParameters.Count());
            foreach (ParameterIr parameter in network.SparseParameters)
            {
                Assert.Equal(kept[parameter.Name], parameter.Mask!.Kept);
            }

            // Output shapes of the heads: eval/ds0 at full resolution, then each head's level.
            var outputs = root.GetProperty("outputs");
            for (int k = 0; k < 4; k++)
            {
                var shape = outputs.GetProperty("ds" + k).EnumerateArray().Select(e => e.GetInt32()).ToArray();
                HeadIr head = network.Heads[k];
                Assert.Equal(new[] { head.Classes, head.Size.D, head.Size.H, head.Size.W }, shape.Skip(1));
            }
        }

        [Fact]
        public void NnUNet_plain_unet_of_the_amos_plan_has_31_206_864_parameters()
        {
            // docs/method.md: dynamic_network_architectures' PlainConvUNet in an AMOS-like full-resolution plan.
            NetworkIr network = Shipped().Find("NnUNetPlainAmos")!.Network!;
            Assert.Equal(31_206_864, network.Totals.DenseParameters);
            Assert.Equal(31_206_864, network.Totals.ActiveParameters); // a U-Net is dense
            Assert.Empty(network.SparseParameters);
            Assert.Equal(5, network.Heads.Count);
        }

        [Fact]
        public void The_golden_unet_configuration_is_described_exactly()
        {
            using JsonDocument json = JsonDocument.Parse(File.ReadAllText(TestPaths.Golden("unet_iso_small.json")));
            JsonElement root = json.RootElement;
            NetworkIr network = Shipped().Find("UNetIsoSmall")!.Network!;
            Assert.Equal(root.GetProperty("parameters").GetInt64(), network.Totals.DenseParameters);
            Assert.Equal(root.GetProperty("features").EnumerateArray().Select(e => e.GetInt32()), network.Widths);
            Assert.Equal(root.GetProperty("kernels").EnumerateArray().Select(k => k.EnumerateArray().Select(e => e.GetInt32()).ToArray()),
                network.Spec.Kernels.Select(k => new[] { k.D, k.H, k.W }));
            // Strides of stages 1.. are the pools; stage 0 is not strided.
            Assert.Equal(root.GetProperty("strides").EnumerateArray().Skip(1).Select(k => k.EnumerateArray().Select(e => e.GetInt32()).ToArray()),
                network.Spec.Pools.Select(p => new[] { p.D, p.H, p.W }));
            // The state dict's first keys (the JSON lists a prefix): nnU-Net's names in nnU-Net's order, where the duplicate
            // views of the same tensors (all_modules.*, decoder.encoder.*) are the IR's aliases.
            string[] keys = root.GetProperty("keys").EnumerateArray().Select(e => e.GetString()!).ToArray();
            var aliases = network.Aliases.ToDictionary(a => a.Alias, a => a.Parameter);
            string[] own = keys.Where(k => !aliases.ContainsKey(k)).ToArray();
            Assert.Equal(own, network.Parameters.Select(p => p.Name).Take(own.Length));
            Assert.Equal("encoder.stages.0.0.convs.0.conv.weight", aliases["encoder.stages.0.0.convs.0.all_modules.0.weight"]);
            Assert.Equal("encoder.stages.0.0.convs.0.norm.bias", aliases["encoder.stages.0.0.convs.0.all_modules.1.bias"]);
            Assert.Equal("encoder.stages.4.0.convs.1.conv.weight", aliases["decoder.encoder.stages.4.0.convs.1.conv.weight"]);
            var outputs = root.GetProperty("outputs");
            Assert.Equal(network.Heads.Count, outputs.EnumerateObject().Count(o => o.Name.StartsWith("ds", System.StringComparison.Ordinal)));
            for (int k = 0; k < network.Heads.Count; k++)
            {
                var shape = outputs.GetProperty("ds" + k).EnumerateArray().Select(e => e.GetInt32()).ToArray();
                HeadIr head = network.Heads[k];
                Assert.Equal(new[] { head.Classes, head.Size.D, head.Size.H, head.Size.W }, shape.Skip(1));
            }
        }

        [Fact]
        public void Kept_kernels_round_like_python_half_to_even()
        {
            // One kernel at density 0.5 keeps round(0.5) = 0 in Python (half to even), not 1.
            var compilation = Model("widths [1, 1, 1, 1, 1, 1]\n  fusion sparsity 0.5\n  evolve off");
            var network = compilation.Models[0].Network!;
            ParameterIr up = network.Parameters.First(p => p.Name == "up4.0.weight");
            Assert.Equal(1, up.Mask!.Units);
            Assert.Equal(0, up.Mask.Kept); // round(0.5) == 0 in Python
        }

        [Fact]
        public void Channel_unit_masks_count_whole_input_channels()
        {
            NetworkIr network = Shipped().Find("AmosCtChannel")!.Network!;
            ParameterIr fuse = network.Parameters.First(p => p.Name == "loc0.4.0.blocks.0.conv.weight");
            Assert.Equal(96, fuse.Mask!.Units); // x05: concat of 48 + 48 input channels
            Assert.Equal(19, fuse.Mask.Kept); // round(96 * 0.2)
            Assert.Equal(48L * 19 * 9, fuse.ActiveCount);
            ParameterIr up = network.Parameters.First(p => p.Name == "up0.4.weight");
            Assert.Equal(96, up.Mask!.Units); // input channels of the transposed conv (x14 has 96 channels)
        }

        [Fact]
        public void Group_unit_masks_count_one_input_channel_per_output_group_with_constant_fan_in()
        {
            NetworkIr network = Shipped().Find("AmosCtFast")!.Network!;
            ParameterIr fuse = network.Parameters.First(p => p.Name == "loc0.4.0.blocks.0.conv.weight");
            Assert.Equal(new long[] { 8, 96 }, fuse.Mask!.UnitShape); // 8 groups of 6 outputs x 96 concatenated inputs
            Assert.Equal(6, fuse.Mask.Group);
            Assert.Equal(19, fuse.Mask.FanIn); // round(96 * 0.2) per group
            Assert.Equal(8 * 19, fuse.Mask.Kept);
            Assert.Equal(48L * 19 * 9, fuse.ActiveCount); // the channel unit's count: every output reads 19 inputs
            ParameterIr up = network.Parameters.First(p => p.Name == "up0.4.weight");
            Assert.True(up.Mask!.Transposed);
            Assert.Equal(new long[] { 96, 8 }, up.Mask.UnitShape); // [in, groups] for a transposed conv [in, out, ...]
            Assert.Equal(8 * 19, up.Mask.Kept);
            Assert.Equal(9_440_288, network.Totals.ActiveParameters);
        }

        [Fact]
        public void Erk_init_keeps_the_global_density()
        {
            var compilation = Model("fusion sparsity 0.8, init erk");
            NetworkIr network = compilation.Models[0].Network!;
            double kept = network.SparseParameters.Sum(p => (double)p.ActiveCount);
            double total = network.SparseParameters.Sum(p => (double)p.Count);
            Assert.InRange(kept / total, 0.19, 0.21);
            // ERK is not uniform: small layers are denser than large ones.
            var densities = network.SparseParameters.Select(p => p.Mask!.Density).ToList();
            Assert.True(densities.Max() > densities.Min() + 0.1);
        }
    }
}
