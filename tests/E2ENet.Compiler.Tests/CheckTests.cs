using System.Linq;
using E2ENet.Compiler.Diagnostics;
using static E2ENet.Compiler.Tests.Helpers;

namespace E2ENet.Compiler.Tests
{
    /// <summary>Semantic checks on a model as a whole.</summary>
    public class CheckTests
    {
        [Fact]
        public void Patch_must_be_divisible_by_the_pools_with_a_suggestion()
        {
            var d = Single(Model("input patch [30, 64, 64]"), "E2E0301");
            Assert.Contains("axis 0 (D) is 30", d.Message);
            Assert.Contains("use a multiple of 32, such as 32", d.Message);
            Assert.Equal(5, d.Location.Line); // where input.patch was set
        }

        [Fact]
        public void Anisotropic_pools_divide_per_axis()
        {
            Clean(Compile("model M {\n  input patch [16, 64, 64]\n  classes 3\n  pools [[1,2,2], [2,2,2] x 3, [1,2,2]]\n}"));
            Assert.Contains("E2E0301", Ids(Compile("model M {\n  input patch [16, 64, 64]\n  classes 3\n  pools [2,2,2] x 5\n}")));
        }

        [Fact]
        public void The_bottleneck_needs_more_than_one_voxel()
        {
            var d = Single(Model("input patch [32, 32, 32]"), "E2E0302");
            Assert.Contains("1x1x1", d.Message);
        }

        [Theory]
        [InlineData("block shift [-1, 1]", "E2E0303")]
        [InlineData("block shift [-1, 0, 2]", "E2E0304")]
        [InlineData("block shift [1, 0, -1]", "E2E0304")]
        [InlineData("fusion stages 4", "E2E0306")]
        [InlineData("labels [background, liver]", "E2E0307")]
        [InlineData("input names [T1, T2]", "E2E0308")]
        [InlineData("input normalization [ct, zscore]", "E2E0308")]
        [InlineData("block kernel [1, 2, 3]", "E2E0309")]
        [InlineData("heads deep_supervision [0, 1, 1, 1]", "E2E0311")]
        [InlineData("inference mirror [0, 0]", "E2E0313")]
        [InlineData("evolve prune l1 0.1 -> 0.5", "E2E0317")]
        [InlineData("evolve every 2.5 iterations", "E2E0317")]
        [InlineData("training augment.scaling.range [1.4, 0.7]", "E2E0317")]
        [InlineData("codegen class class", "E2E0106")]
        [InlineData("widths [6, 12, 24, 48, 96, 96]\n  fusion unit group, groups 4", "E2E0317")]
        public void Inconsistent_models_are_errors(string body, string id)
        {
            var compilation = Model(body);
            Assert.True(compilation.Diagnostics.Any(d => d.Id == id && d.IsError), $"expected {id}: {string.Join("; ", compilation.Diagnostics)}");
            Assert.Null(compilation.Models[0].Spec);
        }

        [Fact]
        public void Output_groups_that_do_not_divide_a_width_name_the_widths_and_a_number_that_does()
        {
            var d = Single(Model("widths [6, 12, 24, 48, 96, 96]\n  fusion unit group, groups 4"), "E2E0317");
            Assert.Contains("[6, 12, 24, 48, 96, 96]", d.Message);
            Assert.Contains("for example 3", d.Message);
            Assert.Equal(6, d.Location.Line);
        }

        [Fact]
        public void The_group_unit_compiles_with_constant_fan_in_counts()
        {
            var compilation = Model("widths [8, 16, 32, 64, 64, 64]\n  fusion sparsity 0.8, unit group, groups 4");
            Clean(compilation);
            var network = compilation.Models[0].Network!;
            Assert.Equal(4, compilation.Models[0].Spec!.Fusion.Groups);
            Assert.All(network.SparseParameters, p =>
            {
                var mask = p.Mask!;
                Assert.Equal(mask.OutChannels / 4, mask.Group);
                Assert.Equal(4 * (long)System.Math.Round(mask.InChannels * 0.2, System.MidpointRounding.ToEven), mask.Kept);
            });
        }

        [Fact]
        public void Fusion_stages_other_than_five_say_they_are_not_supported_yet()
            => Assert.Contains("only 5 stages", Single(Model("fusion stages 3"), "E2E0306").Message);

        [Theory]
        [InlineData("training epochs 2, iterations 10", "E2E0314")]
        [InlineData("input patch [2, 64, 64]\n  pools [[1,2,2] x 5]\n  block shift [-2,-1,0,1,2]", "E2E0315")]
        [InlineData("widths [1, 1, 1, 1, 1, 1]\n  fusion sparsity 0.9", "E2E0310")]
        public void Suspicious_models_are_warnings(string body, string id)
        {
            var compilation = Model(body);
            var d = Single(compilation, id);
            Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
            Assert.NotNull(compilation.Models[0].Spec);
        }

        [Fact]
        public void Counts_that_overflow_are_an_error_not_a_crash()
        {
            var compilation = Model("widths base 4096, max 8192\n  input patch [4096, 4096, 4096]\n  block kernel [7, 7, 7]");
            Assert.Contains("E2E0316", Ids(compilation));
        }

        [Fact]
        public void Shift_none_and_a_single_zero_offset_mean_no_shift()
        {
            Assert.False(Model("block shift none").Models[0].Spec!.Block.HasShift);
            Assert.False(Model("block shift [0]").Models[0].Spec!.Block.HasShift);
        }

        [Fact]
        public void Errors_of_a_model_are_reported_together()
        {
            var compilation = Model("input patch [30, 64, 64]\n  labels [a, b]\n  block kernel [2, 3, 3]\n  fusion stages 4");
            Assert.True(new[] { "E2E0301", "E2E0307", "E2E0309", "E2E0306" }.All(Ids(compilation).Contains), string.Join("; ", compilation.Diagnostics));
        }
    }
}
