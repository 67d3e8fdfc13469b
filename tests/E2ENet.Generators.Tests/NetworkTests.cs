using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Generators.Tests.Infrastructure;
using E2ENet.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace E2ENet.Generators.Tests
{
    /// <summary>
    /// The generated modules are the IR's network: state-dict names, shapes and order; static metadata; output shapes of
    /// both forwards; gradients to every parameter; clear input errors; no tensor leaks across forwards.
    /// </summary>
    public sealed class NetworkTests
    {
        public static IEnumerable<object[]> AllModels()
            => GeneratedModels.ShippedModelNames().Concat(GeneratedModels.VariantNames()).OrderBy(n => n, StringComparer.Ordinal).Select(n => new object[] { n });

        /// <summary>Small enough to run on 2 CPU cores in a test.</summary>
        public static IEnumerable<object[]> SmallModels()
            => new[] { "TinyS3Dense", "TinyS5SparseAniso" }.Concat(GeneratedModels.VariantNames()).Select(n => new object[] { n });

        [Theory]
        [MemberData(nameof(AllModels))]
        public void State_dict_has_the_authors_names_shapes_and_order(string model)
        {
            NetworkIr ir = GeneratedModels.Ir(model);
            using nn.Module<Tensor, Tensor> module = GeneratedModels.Create(model);
            var stateDict = module.state_dict();
            Assert.Equal(ir.Parameters.Select(p => p.Name), stateDict.Keys);
            foreach (ParameterIr parameter in ir.Parameters)
            {
                Assert.True(parameter.Shape.SequenceEqual(stateDict[parameter.Name].shape), $"{parameter.Name}: {parameter.ShapeText} expected, got [{string.Join(", ", stateDict[parameter.Name].shape)}]");
            }
            Assert.Equal(ir.Totals.DenseParameters, module.parameters().Sum(p => p.numel()));
            Assert.Empty(module.buffers());
        }

        [Theory]
        [MemberData(nameof(AllModels))]
        public void Static_metadata_equals_the_IR(string model)
        {
            NetworkIr ir = GeneratedModels.Ir(model);
            var spec = ir.Spec;
            Assert.Equal(spec.Name, GeneratedModels.Static(model, "E2EModelName"));
            Assert.Equal(spec.Input.Channels, GeneratedModels.Static(model, "InputChannels"));
            Assert.Equal(spec.Classes, GeneratedModels.Static(model, "Classes"));
            Assert.Equal((spec.Input.Patch.D, spec.Input.Patch.H, spec.Input.Patch.W), GeneratedModels.Static(model, "Patch"));
            Assert.Equal(ir.Widths.ToArray(), ((IReadOnlyList<int>)GeneratedModels.Static(model, "Widths")!).ToArray());
            Assert.Equal(spec.Pools.Select(p => (p.D, p.H, p.W)), (IReadOnlyList<(int D, int H, int W)>)GeneratedModels.Static(model, "Pools")!);
            Assert.Equal(spec.Labels.ToArray(), ((IReadOnlyList<string>)GeneratedModels.Static(model, "Labels")!).ToArray());
            Assert.Equal(spec.Input.Names.ToArray(), ((IReadOnlyList<string>)GeneratedModels.Static(model, "InputNames")!).ToArray());
            Assert.Equal(ir.Totals.DenseParameters, GeneratedModels.Static(model, "DenseParameters"));
            Assert.Equal(ir.Totals.ActiveParameters, GeneratedModels.Static(model, "ActiveParameters"));
            Assert.Equal(ir.Totals.DenseMacs, GeneratedModels.Static(model, "DenseMacs"));
            Assert.Equal(ir.Totals.ActiveMacs, GeneratedModels.Static(model, "ActiveMacs"));
            Assert.Equal(spec.Fusion.Sparsity, GeneratedModels.Static(model, "Sparsity"));
            Assert.Equal(ir.SparseParameters.Select(p => (p.Name, p.Mask!.Units, p.Mask.Kept)),
                (IReadOnlyList<(string Name, long Units, long Kept)>)GeneratedModels.Static(model, "SparseLayers")!);
            var parameters = (IReadOnlyList<(string Name, long[] Shape)>)GeneratedModels.Static(model, "Parameters")!;
            Assert.Equal(ir.Parameters.Select(p => p.Name), parameters.Select(p => p.Name));
            Assert.Equal(ir.Parameters.Select(p => p.ShapeText), parameters.Select(p => "[" + string.Join(", ", p.Shape) + "]"));
            Assert.Equal(spec.CanonicalSource.Replace("\r\n", "\n").TrimEnd('\n') + "\n", GeneratedModels.Static(model, "E2ESource"));
        }

        [Theory]
        [MemberData(nameof(AllModels))]
        public void E2ESource_compiles_alone_to_the_same_network(string model)
        {
            // What a program does to get the IR of a generated class (for the weight loader, the trainer).
            NetworkIr ir = GeneratedModels.Ir(model);
            string source = (string)GeneratedModels.Static(model, "E2ESource")!;
            var compilation = E2ENet.Compiler.E2ECompilation.Create(new[] { new E2ENet.Compiler.Text.SourceFile(model + ".e2e", source) });
            Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
            NetworkIr again = Assert.Single(compilation.Models).Network!;
            Assert.Equal(ir.Parameters, again.Parameters);
            Assert.Equal(ir.Fusion, again.Fusion);
            Assert.Equal(ir.Encoder, again.Encoder);
            Assert.Equal(ir.Totals, again.Totals);
            Assert.Equal(ir.Spec with { SourcePath = again.Spec.SourcePath, Parent = null }, again.Spec);
        }

        [Fact]
        public void Counts_are_the_reference_numbers_of_the_method()
        {
            // docs/method.md, "Reference counts".
            Assert.Equal(23_899_088L, GeneratedModels.Static("AmosCtDenseFusion", "ActiveParameters"));
            Assert.Equal(9_445_351L, GeneratedModels.Static("AmosCt", "ActiveParameters"));
            Assert.Equal(11_252_025L, GeneratedModels.Static("AmosCtS7", "ActiveParameters"));
            Assert.Equal(7_638_615L, GeneratedModels.Static("AmosCtS9", "ActiveParameters"));
            Assert.Equal(11_250_713L, GeneratedModels.Static("Btcv", "ActiveParameters"));
            Assert.Equal(11_245_449L, GeneratedModels.Static("Brats", "ActiveParameters"));
            Assert.Equal(218_880L, GeneratedModels.Static("TinyS3Dense", "DenseParameters"));
            Assert.Equal(480_600L, GeneratedModels.Static("TinyS5SparseAniso", "DenseParameters"));
            Assert.Equal(233_081L, GeneratedModels.Static("TinyS5SparseAniso", "ActiveParameters"));
        }

        [Theory]
        [MemberData(nameof(SmallModels))]
        public void Forwards_give_the_documented_shapes_and_gradients_reach_every_parameter(string model)
        {
            NetworkIr ir = GeneratedModels.Ir(model);
            using var scope = NewDisposeScope();
            random.manual_seed(7);
            nn.Module<Tensor, Tensor> module = GeneratedModels.Create(model);
            var network = (IE2ENetNetwork)module;
            Assert.Equal(model, network.ModelName);
            var patch = ir.Spec.Input.Patch;
            Tensor input = randn(new long[] { 2, ir.Spec.Input.Channels, patch.D, patch.H, patch.W });

            using (no_grad())
            {
                module.eval();
                Tensor logits = module.call(input);
                Assert.Equal(new long[] { 2, ir.Spec.Classes, patch.D, patch.H, patch.W }, logits.shape);
            }

            module.train();
            Tensor[] heads = network.ForwardDeepSupervision(input);
            Assert.Equal(4, heads.Length);
            for (int k = 0; k < 4; k++)
            {
                var size = ir.Heads[k].Size;
                Assert.Equal(new long[] { 2, ir.Spec.Classes, size.D, size.H, size.W }, heads[k].shape);
            }
            Tensor loss = heads.Select((h, k) => h.square().mean() * ir.Heads[k].Weight).Aggregate((a, b) => a + b);
            loss.backward();
            foreach (var (name, parameter) in module.named_parameters())
            {
                Assert.True(parameter.grad is not null, $"{name} is not part of the graph");
                // A convolution bias right before instance normalization is removed with the mean: its gradient is zero in
                // exact arithmetic (float rounding leaves noise), so only its presence is checked.
                if (!name.EndsWith(".conv.bias", StringComparison.Ordinal))
                {
                    Assert.True(parameter.grad.abs().sum().item<float>() > 0, $"{name} received no gradient");
                }
            }
            module.Dispose();
        }

        public static IEnumerable<object[]> BatchModels()
            => SmallModels().Concat(new[] { new object[] { "Colin27Demo" } });

        [Theory]
        [MemberData(nameof(BatchModels))]
        public void A_batch_of_3_gives_the_outputs_and_gradients_of_3_single_samples(string model)
        {
            // The generated classes run the same modules as the run-time network: a batch must not differ from its samples
            // (libtorch's AVX2/AVX-512 oneDNN kernels broke this on an AMD EPYC; see E2ENet.Torch.Devices.CpuKernels).
            NetworkIr ir = GeneratedModels.Ir(model);
            random.manual_seed(11);
            using nn.Module<Tensor, Tensor> module = GeneratedModels.Create(model);
            E2ENet.Torch.Diagnostics.FiniteChecks.Register(module);
            var report = E2ENet.Torch.Diagnostics.BatchConsistency.Measure(module, ir.Spec.Input.Channels, ir.Spec.Input.Patch, batch: 3);
            Assert.True(report.Passed(), report.ToString());
        }

        [Fact]
        public void The_inference_output_equals_the_first_deep_supervision_head()
        {
            using var scope = NewDisposeScope();
            random.manual_seed(3);
            nn.Module<Tensor, Tensor> module = GeneratedModels.Create("TinyS5SparseAniso");
            using var noGrad = no_grad();
            Tensor input = randn(new long[] { 1, 2, 16, 64, 32 });
            Tensor logits = module.call(input);
            Tensor[] heads = ((IE2ENetNetwork)module).ForwardDeepSupervision(input);
            Assert.True(logits.allclose(heads[0], rtol: 0, atol: 0));
        }

        [Fact]
        public void An_input_that_does_not_fit_gets_an_error_that_says_what_the_model_takes()
        {
            // The generated class checks its input against the IR's InputContract, as the run-time network does, with the same ids.
            using var scope = NewDisposeScope();
            nn.Module<Tensor, Tensor> module = GeneratedModels.Create("TinyS3Dense");
            var contract = (E2ENet.Compiler.Ir.InputContract)GeneratedModels.Static("TinyS3Dense", "InputContract")!;
            Assert.Equal(E2ENet.Compiler.Ir.InputContract.Of(GeneratedModels.Ir("TinyS3Dense").Spec), contract);
            var wrongChannels = Assert.Throws<E2ENet.Torch.Diagnostics.E2ENetTorchException>(() => module.call(zeros(new long[] { 1, 2, 64, 32, 64 })));
            Assert.Equal("E2E3003", wrongChannels.Id);
            Assert.Contains("the input has 2 channels (shape [1, 2, 64, 32, 64]) but model 'TinyS3Dense' takes 1", wrongChannels.Message);
            var notDivisible = Assert.Throws<E2ENet.Torch.Diagnostics.E2ENetTorchException>(() => ((IE2ENetNetwork)module).ForwardDeepSupervision(zeros(new long[] { 1, 1, 48, 32, 64 })));
            Assert.Equal("E2E3004", notDivisible.Id);
            Assert.Contains("D = 48, which is not a positive multiple of 32", notDivisible.Message);
            Assert.Equal("E2E3003", Assert.Throws<E2ENet.Torch.Diagnostics.E2ENetTorchException>(() => module.call(zeros(new long[] { 1, 64, 32, 64 }))).Id);
            Assert.Equal("E2E3004", Assert.Throws<E2ENet.Torch.Diagnostics.E2ENetTorchException>(() => module.call(zeros(new long[] { 1, 1, 32, 32, 32 }))).Id); // one voxel at the bottleneck
            Assert.Equal("E2E3109", Assert.Throws<E2ENet.Torch.Diagnostics.E2ENetTorchException>(() => module.call(zeros(new long[] { 1, 1, 64, 32, 64 }, dtype: ScalarType.Float64))).Id);
        }

        [Fact]
        public void Repeated_forwards_leave_no_tensor_alive()
        {
            nn.Module<Tensor, Tensor> module = GeneratedModels.Create("TinyS3Dense");
            using Tensor input = randn(new long[] { 1, 1, 64, 32, 64 });
            using (no_grad())
            {
                module.call(input).Dispose(); // warm-up
                long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
                for (int i = 0; i < 5; i++)
                {
                    module.call(input).Dispose();
                    foreach (Tensor head in ((IE2ENetNetwork)module).ForwardDeepSupervision(input)) head.Dispose();
                }
                Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            }
            module.Dispose();
        }
    }
}
