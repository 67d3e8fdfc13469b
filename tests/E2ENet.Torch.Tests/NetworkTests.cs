using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Compiler;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Tests;
using E2ENet.Torch.Diagnostics;
using E2ENet.Torch.Network;
using E2ENet.Torch.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace E2ENet.Torch.Tests
{
    /// <summary>The run-time network: names, shapes, order, initialisation, outputs, gradients, memory.</summary>
    public class NetworkTests
    {
        private static readonly string[] NarrowOverrides = { "widths=[4, 8, 8, 8, 8, 8]", "input.patch=[32, 32, 64]" };

        public static IEnumerable<object[]> ShippedModels()
        {
            var files = Directory.GetFiles(TestPaths.Repo("models"), "*.e2e", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).ToArray();
            E2ECompilation compilation = E2ECompilation.FromFiles(files);
            foreach (CompiledModel model in compilation.Models) yield return new object[] { Path.GetRelativePath(TestPaths.Root, model.File.Path), model.Name };
        }

        [Theory]
        [MemberData(nameof(ShippedModels))]
        public void Every_shipped_model_has_the_IR_parameter_names_shapes_and_order(string file, string model)
        {
            CompiledModel compiled = ModelLoader.Load(TestPaths.Repo(file), model);
            using E2ENetNetwork network = E2ENetNetwork.Create(compiled.Network!);
            var actual = network.named_parameters().Select(p => (p.name, string.Join(",", p.parameter.shape))).ToList();
            var expected = compiled.Network!.Parameters.Select(p => (p.Name, string.Join(",", p.Shape))).ToList();
            Assert.Equal(expected, actual);
            Assert.Equal(compiled.Network.Totals.DenseParameters, network.parameters().Sum(p => p.numel()));
            Assert.Empty(network.named_buffers()); // instance norm without running statistics
        }

        [Theory]
        [MemberData(nameof(GoldenCases))]
        public void The_parameter_order_is_the_order_of_the_authors_state_dict(string name)
        {
            using E2ENetNetwork network = Golden.Network(name);
            using TensorFile file = TensorFile.Open(Golden.Weights(name));
            // nnU-Net saves a module shared in two places under both names (conv.weight and all_modules.0.weight): the
            // network holds each tensor once, under its first name; the IR lists the second names as aliases.
            var aliases = new HashSet<string>(network.Network.Aliases.Select(a => a.Alias), StringComparer.Ordinal);
            Assert.Equal(file.Tensors.Select(t => t.Name).Where(n => !aliases.Contains(n)), network.state_dict().Keys);
        }

        public static IEnumerable<object[]> GoldenCases() => Golden.Cases.Select(c => new object[] { c });

        [Theory]
        [MemberData(nameof(ShippedModels))]
        public void Every_shipped_model_runs_narrowed_forward_and_backward_with_a_gradient_for_every_parameter(string file, string model)
        {
            // Narrowed to widths 4..8 at every level the model has (E2ENet 6, the U-Nets 5 or 6).
            // A group-unit model gets the nearest widths its group count divides (8 groups: 8 at every level).
            ModelSpec full = ModelLoader.Load(TestPaths.Repo(file), model).Spec!;
            int levels = full.Levels;
            int groups = full.Fusion.Unit == SparsityUnit.Group ? full.Fusion.Groups : 1;
            int RoundUp(int width) => (width + groups - 1) / groups * groups;
            string widths = "widths=[" + RoundUp(4) + string.Concat(Enumerable.Repeat(", " + RoundUp(8), levels - 1)) + "]";
            CompiledModel compiled = ModelLoader.Load(TestPaths.Repo(file), model, new[] { widths, "input.patch=[32, 32, 64]" });
            using E2ENetNetwork network = E2ENetNetwork.Create(compiled.Network!);
            using var scope = NewDisposeScope();
            torch.random.manual_seed(1);
            int channels = compiled.Spec!.Input.Channels;
            Tensor input = randn(new long[] { 1, channels, 32, 32, 64 });
            Tensor[] heads = network.ForwardDeepSupervision(input);
            var expectedHeads = compiled.Network!.Heads;
            Assert.Equal(expectedHeads.Count, heads.Length);
            for (int k = 0; k < heads.Length; k++)
            {
                var size = expectedHeads[k].Size;
                Assert.Equal(new long[] { 1, compiled.Spec.Classes, size.D, size.H, size.W }, heads[k].shape);
            }
            heads.Select((h, k) => h.square().mean() * (heads.Length - k)).Aggregate((a, b) => a + b).backward();
            foreach (var (name, parameter) in network.named_parameters())
            {
                Assert.True(parameter.grad is not null, name + " is connected to the loss (has a gradient)");
                float magnitude = parameter.grad!.abs().max().item<float>();
                if (name.EndsWith(".conv.bias", System.StringComparison.Ordinal))
                {
                    // A bias right before instance normalization is removed by the norm's mean: its exact gradient is 0,
                    // so only float rounding can make it non-zero.
                    Assert.True(magnitude < 1e-4, name + " should have a (numerically) zero gradient, got " + magnitude);
                }
                else
                {
                    Assert.True(magnitude > 0, name + " receives a gradient");
                }
            }
        }

        [Fact]
        public void Inference_returns_the_full_resolution_head_of_deep_supervision()
        {
            using E2ENetNetwork network = E2ENetNetwork.FromFile(TestPaths.Repo("models", "amos-ct.e2e"), "AmosCt", NarrowOverrides);
            using var scope = NewDisposeScope();
            Tensor input = randn(new long[] { 2, 1, 32, 32, 64 });
            using (no_grad())
            {
                Tensor logits = network.forward(input);
                Tensor[] heads = network.ForwardDeepSupervision(input);
                Assert.Equal(new long[] { 2, 16, 32, 32, 64 }, logits.shape);
                Assert.True(logits.allclose(heads[0], 0, 0));
            }
        }

        [Fact]
        public void Weights_start_as_nnunet_initialises_them()
        {
            using E2ENetNetwork network = E2ENetNetwork.FromFile(TestPaths.Repo("models", "amos-ct.e2e"), "AmosCt", new[] { "widths=[32, 64, 64, 64, 64, 64]" });
            var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            // He normal, a = 0.01: std = sqrt(2 / (1 + a^2) / fan_in), fan_in = in x 1 x 3 x 3.
            Tensor weight = parameters["loc0.4.0.blocks.0.conv.weight"]; // [32, 64, 1, 3, 3]: x05 concatenates x04 and up(x14)
            Assert.Equal(new long[] { 32, 64, 1, 3, 3 }, weight.shape);
            double expected = Math.Sqrt(2.0 / (1 + 1e-4) / (64 * 9));
            Assert.InRange(weight.std().item<float>(), expected * 0.95, expected * 1.05);
            Assert.Equal(0f, parameters["loc0.4.0.blocks.0.conv.bias"].abs().sum().item<float>());
            Assert.Equal(0f, parameters["loc0.4.0.blocks.0.instnorm.bias"].abs().sum().item<float>());
            Assert.Equal(32f, parameters["loc0.4.0.blocks.0.instnorm.weight"].sum().item<float>());
            // Transposed convolutions: PyTorch's fan_in of a [in, out, k...] weight is out x k.
            Tensor up = parameters["up0.0.weight"]; // [64, 64, 2, 2, 2]
            double upExpected = Math.Sqrt(2.0 / (1 + 1e-4) / (64 * 8));
            Assert.InRange(up.std().item<float>(), upExpected * 0.95, upExpected * 1.05);
        }

        [Fact]
        public void Inputs_that_do_not_fit_the_model_are_clear_errors()
        {
            using E2ENetNetwork network = E2ENetNetwork.FromFile(Golden.ModelFile("tiny_s5_sparse_aniso"), "TinyS5SparseAniso");
            using var scope = NewDisposeScope();
            var channels = Assert.Throws<E2ENetTorchException>(() => network.forward(zeros(new long[] { 1, 1, 16, 64, 32 })));
            Assert.Equal("E2E3003", channels.Id);
            Assert.Contains("1 channels", channels.Message);
            var rank = Assert.Throws<E2ENetTorchException>(() => network.forward(zeros(new long[] { 2, 16, 64, 32 })));
            Assert.Equal("E2E3003", rank.Id);
            // Pools [1,2,2], [2,2,2] x 3, [1,2,2]: D must be divisible by 8, H and W by 32.
            var divisible = Assert.Throws<E2ENetTorchException>(() => network.forward(zeros(new long[] { 1, 2, 12, 64, 32 })));
            Assert.Equal("E2E3004", divisible.Id);
            Assert.Contains("D = 12", divisible.Message);
            Assert.Contains("8 or 16", divisible.Message);
            var dtype = Assert.Throws<E2ENetTorchException>(() => network.forward(zeros(new long[] { 1, 2, 16, 64, 32 }, float64)));
            Assert.Equal("E2E3109", dtype.Id);
        }

        [Fact]
        public void Unknown_models_and_models_with_errors_are_clear_errors()
        {
            var unknown = Assert.Throws<E2ENetTorchException>(() => E2ENetNetwork.FromFile(TestPaths.Repo("models", "amos-ct.e2e"), "AmosCtS8"));
            Assert.Equal("E2E3002", unknown.Id);
            Assert.Contains("did you mean", unknown.Message);
            var several = Assert.Throws<E2ENetTorchException>(() => E2ENetNetwork.FromFile(TestPaths.Repo("models", "amos-ct.e2e")));
            Assert.Contains("amos-ct.e2e:AmosCt", several.Message);
            var bad = Assert.Throws<E2ENetTorchException>(() => E2ENetNetwork.FromFile(TestPaths.Repo("models", "amos-ct.e2e"), "AmosCt", new[] { "input.patch=[30, 64, 64]" }));
            Assert.Equal("E2E3001", bad.Id);
            Assert.Contains("E2E0301", bad.Message);
            var missing = Assert.Throws<E2ENetTorchException>(() => E2ENetNetwork.FromFile("no/such/model.e2e"));
            Assert.Equal("E2E3001", missing.Id);
        }

    }
}
