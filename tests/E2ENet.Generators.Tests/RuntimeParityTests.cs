using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Generators.Tests.Infrastructure;
using E2ENet.Torch;
using E2ENet.Torch.Network;
using static TorchSharp.torch;

namespace E2ENet.Generators.Tests
{
    /// <summary>
    /// Generated classes and the run-time builder (<see cref="E2ENetNetwork"/>, built from the same IR) are the same network:
    /// identical state-dict names, order and shapes for every model in models/ and the narrow variants; and, with the same
    /// weights, identical inference and deep-supervision outputs for the two reference models and the four narrow variants
    /// (the full-width models are too slow for a forward on 2 cores in a test).
    /// </summary>
    public sealed class RuntimeParityTests
    {
        public static IEnumerable<object[]> AllModels() => NetworkTests.AllModels();

        public static IEnumerable<object[]> SmallModels() => NetworkTests.SmallModels();

        [Theory]
        [MemberData(nameof(AllModels))]
        public void Generated_and_runtime_networks_have_the_same_parameters(string model)
        {
            NetworkIr ir = GeneratedModels.Ir(model);
            using var generated = GeneratedModels.Create(model);
            using E2ENetNetwork runtime = E2ENetNetwork.Create(ir);
            var a = generated.state_dict();
            var b = runtime.state_dict();
            Assert.Equal(b.Keys, a.Keys);
            foreach (string key in a.Keys) Assert.Equal(b[key].shape, a[key].shape);
            Assert.Equal(runtime.ModelName, ((IE2ENetNetwork)generated).ModelName);
        }

        [Theory]
        [MemberData(nameof(AllModels))]
        public void A_generated_class_carries_the_IR_of_its_model(string model)
        {
            NetworkIr ir = GeneratedModels.Ir(model);
            using var generated = GeneratedModels.Create(model);
            var network = (IE2ENetNetwork)generated;
            NetworkIr carried = network.Network;
            Assert.Same(generated, network.Module);
            Assert.Same(carried, GeneratedModels.Static(model, "E2ENetwork")); // compiled once per class
            Assert.Equal(ir.Spec.CanonicalSource, carried.Spec.CanonicalSource);
            Assert.Equal(ir.Parameters, carried.Parameters); // names, shapes, roles and masks
            Assert.Equal(ir.Totals, carried.Totals);
            Assert.Equal(ir.Schedule, carried.Schedule);
            Assert.Equal(generated.named_parameters().Select(p => p.name), carried.Parameters.Select(p => p.Name));
        }

        [Theory]
        [MemberData(nameof(SmallModels))]
        public void Generated_and_runtime_networks_compute_the_same_outputs_with_the_same_weights(string model)
        {
            NetworkIr ir = GeneratedModels.Ir(model);
            using var scope = NewDisposeScope();
            random.manual_seed(11);
            var generated = GeneratedModels.Create(model);
            E2ENetNetwork runtime = E2ENetNetwork.Create(ir);
            // Random weights everywhere (biases and norm parameters too), masked kernels zero as after sparse training.
            using (no_grad())
            {
                foreach (var (name, parameter) in generated.named_parameters()) parameter.copy_(randn_like(parameter) * 0.2);
                foreach (ParameterIr sparse in ir.SparseParameters)
                {
                    Tensor weight = generated.state_dict()[sparse.Name];
                    Tensor keep = rand(new long[] { weight.shape[0], weight.shape[1], 1, 1, 1 }) < sparse.Mask!.Density;
                    weight.mul_(keep);
                }
            }
            var (missing, unexpected) = runtime.load_state_dict(generated.state_dict(), strict: true);
            Assert.Empty(missing);
            Assert.Empty(unexpected);

            var patch = ir.Spec.Input.Patch;
            Tensor input = randn(new long[] { 2, ir.Spec.Input.Channels, patch.D, patch.H, patch.W });
            using var noGrad = no_grad();
            Tensor expected = runtime.call(input);
            Tensor actual = generated.call(input);
            Assert.True(TensorFiles.RelativeError(actual, expected) < 1e-6, $"forward differs: {TensorFiles.RelativeError(actual, expected):E2}");
            Tensor[] expectedHeads = runtime.ForwardDeepSupervision(input);
            Tensor[] actualHeads = ((IE2ENetNetwork)generated).ForwardDeepSupervision(input);
            for (int k = 0; k < 4; k++)
            {
                Assert.Equal(expectedHeads[k].shape, actualHeads[k].shape);
                Assert.True(TensorFiles.RelativeError(actualHeads[k], expectedHeads[k]) < 1e-6, $"head {k} differs");
            }
            generated.Dispose();
            runtime.Dispose();
        }
    }
}
