using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Generators.Tests.Infrastructure;
using E2ENet.Tests;
using E2ENet.Torch;
using E2ENet.Torch.Weights;
using static TorchSharp.torch;

namespace E2ENet.Generators.Tests
{
    /// <summary>
    /// The generated classes reproduce the authors' PyTorch network and nnU-Net's PlainConvUNet (tests/data/golden): with the authors' state dict loaded
    /// strictly, <c>forward</c> gives <c>eval</c> and <c>ForwardDeepSupervision</c> gives <c>ds0..dsN</c> to a relative error
    /// (max |difference| / max |reference|) under 1e-4.
    /// </summary>
    public sealed class GoldenTests
    {
        private const double Tolerance = 1e-4;

        private readonly Xunit.Abstractions.ITestOutputHelper _output;

        public GoldenTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

        [Theory]
        [InlineData("tiny_s3_dense", "TinyS3Dense")]
        [InlineData("tiny_s5_sparse_aniso", "TinyS5SparseAniso")]
        [InlineData("unet_iso_small", "UNetIsoSmall")]
        public void Generated_class_reproduces_the_authors_outputs(string golden, string model)
        {
            using var scope = NewDisposeScope();
            Dictionary<string, Tensor> io = TensorFiles.Read(TestPaths.Golden(golden + ".io.pt"));
            nn.Module<Tensor, Tensor> module = GeneratedModels.Create(model);

            // The project's strict, validating loader (E2ENet.Torch.Weights): every key present, no extra, shapes equal.
            using (LoadedWeights loaded = StateDictLoader.Load(module, GeneratedModels.Ir(model), TestPaths.Golden(golden + ".weights.pt")))
            {
                Assert.Equal(GeneratedModels.Ir(model).SparseParameters.Count(), loaded.Masks.Count);
            }

            using var noGrad = no_grad();
            module.eval();
            Tensor eval = module.call(io["input"]);
            Assert.Equal(io["eval"].shape, eval.shape);
            _output.WriteLine($"{golden} eval: relative error {TensorFiles.RelativeError(eval, io["eval"]):E2}");
            Assert.True(TensorFiles.RelativeError(eval, io["eval"]) < Tolerance, $"eval: relative error {TensorFiles.RelativeError(eval, io["eval"]):E2}");

            module.train();
            Tensor[] heads = ((IE2ENetNetwork)module).ForwardDeepSupervision(io["input"]);
            Assert.Equal(io.Keys.Count(k => k.StartsWith("ds")), heads.Length);
            for (int k = 0; k < heads.Length; k++)
            {
                Tensor expected = io["ds" + k];
                Assert.Equal(expected.shape, heads[k].shape);
                double error = TensorFiles.RelativeError(heads[k], expected);
                _output.WriteLine($"{golden} ds{k}: relative error {error:E2}");
                Assert.True(error < Tolerance, $"ds{k}: relative error {error:E2}");
            }
            module.Dispose();
        }

        [Theory]
        [InlineData("tiny_s3_dense", "TinyS3Dense")]
        [InlineData("tiny_s5_sparse_aniso", "TinyS5SparseAniso")]
        public void The_authors_state_dict_also_loads_with_TorchSharp_load_state_dict(string golden, string model)
        {
            // What a user without our loader does: PyBridge's reader and TorchSharp's strict load_state_dict.
            using var scope = NewDisposeScope();
            Dictionary<string, Tensor> weights = TensorFiles.Read(TestPaths.Golden(golden + ".weights.pt"));
            nn.Module<Tensor, Tensor> module = GeneratedModels.Create(model);
            var (missing, unexpected) = module.load_state_dict(weights, strict: true);
            Assert.Empty(missing);
            Assert.Empty(unexpected);
            Dictionary<string, Tensor> io = TensorFiles.Read(TestPaths.Golden(golden + ".io.pt"));
            using var noGrad = no_grad();
            Assert.True(TensorFiles.RelativeError(module.call(io["input"]), io["eval"]) < Tolerance);
            module.Dispose();
        }

        [Fact]
        public void Golden_state_dict_keys_are_exactly_the_generated_parameter_order()
        {
            // The authors' state-dict order (loc*, conv_blocks_context, up*, seg_outputs) is the registration order.
            Dictionary<string, Tensor> weights = TensorFiles.Read(TestPaths.Golden("tiny_s5_sparse_aniso.weights.pt"));
            var expected = (IReadOnlyList<(string Name, long[] Shape)>)GeneratedModels.Static("TinyS5SparseAniso", "Parameters")!;
            Assert.Equal(expected.Select(p => p.Name).OrderBy(n => n, System.StringComparer.Ordinal), weights.Keys.OrderBy(n => n, System.StringComparer.Ordinal));
            foreach (var (name, shape) in expected) Assert.Equal(shape, weights[name].shape);
            foreach (Tensor tensor in weights.Values) tensor.Dispose();
        }
    }
}
