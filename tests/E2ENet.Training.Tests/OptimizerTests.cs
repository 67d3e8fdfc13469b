using System.Linq;
using E2ENet.Training.Optimization;
using static TorchSharp.torch;

namespace E2ENet.Training.Tests
{
    /// <summary>Our optimizers match PyTorch's (TorchSharp's built-in ones run libtorch's code).</summary>
    public class OptimizerTests
    {
        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Sgd_matches_torch_sgd(bool nesterov)
        {
            var generator = new Generator(3, CPU);
            Tensor start = randn(new long[] { 4, 3, 1, 3, 3 }, generator: generator);
            var ours = start.clone().requires_grad_(true);
            var theirs = TorchSharp.torch.nn.Parameter(start.clone());
            var sgd = new SgdOptimizer(new[] { ("w", ours) }, 0.99, nesterov, 3e-5);
            var reference = optim.SGD(new[] { theirs }, 0.01, momentum: 0.99, nesterov: nesterov, weight_decay: 3e-5);
            for (int step = 0; step < 5; step++)
            {
                (ours * ours * (step + 1)).sum().backward();
                sgd.Step(0.01);
                sgd.ZeroGrad();
                reference.zero_grad();
                (theirs * theirs * (step + 1)).sum().backward();
                reference.step();
            }
            Assert.True(ours.detach().allclose(theirs.detach(), rtol: 1e-6, atol: 1e-7));
        }

        [Fact]
        public void AdamW_matches_torch_adamw()
        {
            var generator = new Generator(4, CPU);
            Tensor start = randn(new long[] { 8, 5 }, generator: generator);
            var ours = start.clone().requires_grad_(true);
            var theirs = TorchSharp.torch.nn.Parameter(start.clone());
            var adam = new AdamWOptimizer(new[] { ("w", ours) }, 0.9, 0.999, 1e-8, 0.01);
            var reference = optim.AdamW(new[] { theirs }, 0.003, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01);
            for (int step = 0; step < 6; step++)
            {
                (ours.pow(3)).sum().backward();
                adam.Step(0.003);
                adam.ZeroGrad();
                reference.zero_grad();
                (theirs.pow(3)).sum().backward();
                reference.step();
            }
            Assert.True(ours.detach().allclose(theirs.detach(), rtol: 1e-5, atol: 1e-6));
        }

        [Fact]
        public void Optimizer_state_outlives_the_dispose_scope_of_a_training_step()
        {
            var w = randn(3, 3).requires_grad_(true);
            var sgd = new SgdOptimizer(new[] { ("w", w) }, 0.9, true, 0);
            var adam = new AdamWOptimizer(new[] { ("w", w) }, 0.9, 0.999, 1e-8, 0);
            for (int step = 0; step < 2; step++)
            {
                using var scope = NewDisposeScope();
                w.pow(2).sum().backward();
                sgd.Step(0.1);
                adam.Step(0.1);
                sgd.ZeroGrad();
            }
            Assert.Equal(9, sgd.StateOf("w").Single().numel());
            Assert.Equal(2, adam.StateOf("w").Count(t => t.numel() == 9));
        }

        [Fact]
        public void State_exports_and_imports()
        {
            var w = randn(3, 3).requires_grad_(true);
            var sgd = new SgdOptimizer(new[] { ("w", w) }, 0.9, true, 0);
            w.sum().backward();
            sgd.Step(0.1);
            var state = sgd.ExportState();
            Assert.Equal(new[] { "momentum.w" }, state.Keys);
            var other = new SgdOptimizer(new[] { ("w", w) }, 0.9, true, 0);
            other.ImportState(state);
            Assert.True(other.StateOf("w").Single().allclose(sgd.StateOf("w").Single(), rtol: 0, atol: 0));
        }
    }
}
