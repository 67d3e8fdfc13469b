using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using E2ENet.Compiler.Semantics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace E2ENet.Torch.Diagnostics
{
    /// <summary>
    /// How far a batch of B inputs is from B runs of one input, for inference, deep supervision and the gradients of
    /// every parameter. In exact arithmetic they are equal (instance normalization works per sample, nothing mixes samples),
    /// so a relative error above float32 rounding means the machine computes the network wrong (see
    /// <c>Modules/Convolutions</c> for the CPU defect this catches).
    /// </summary>
    /// <param name="Batch">B.</param>
    /// <param name="Inference">Largest relative error of the inference output (max |batch - single| / max |single|).</param>
    /// <param name="DeepSupervision">Largest relative error over the deep-supervision heads.</param>
    /// <param name="Gradients">Relative L2 error of all the parameters' gradients together (|| batch - sum of singles || / || sum of singles ||).</param>
    /// <param name="WorstGradient">The parameter with the largest share of that difference.</param>
    public sealed record BatchConsistencyReport(int Batch, double Inference, double DeepSupervision, double Gradients, string WorstGradient)
    {
        /// <summary>
        /// The default tolerance of the outputs: float32 rounding through a few dozen layers gives about 1e-6; the CPU defect
        /// it guards against gives 0.1 to 0.9.
        /// </summary>
        public const double DefaultTolerance = 1e-3;

        /// <summary>
        /// The tolerance of the gradients is this many times the outputs': rounding and the leaky ReLU's kink give up to about
        /// 1.5e-3 on the narrowed shipped models (sums over 3 x 131,072 voxels); the defect gives 0.5 to infinity.
        /// </summary>
        public const double GradientFactor = 20;

        /// <summary>The largest error, the gradients' divided by <see cref="GradientFactor"/> (so that one tolerance applies).</summary>
        public double Worst => Math.Max(Inference, Math.Max(DeepSupervision, Gradients / GradientFactor));

        /// <summary>True when the outputs are within <paramref name="tolerance"/> and the gradients within <see cref="GradientFactor"/> times it.</summary>
        public bool Passed(double tolerance = DefaultTolerance) => Worst <= tolerance;

        /// <inheritdoc />
        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "batch {0} against {0} runs of batch 1: inference {1:E2}, deep supervision {2:E2}, gradients {3:E2} (largest difference: {4})",
            Batch, Inference, DeepSupervision, Gradients, WorstGradient);
    }

    /// <summary>Measures <see cref="BatchConsistencyReport"/> for any E2ENet network (run-time or generated).</summary>
    public static class BatchConsistency
    {
        /// <summary>
        /// Runs <paramref name="network"/> on <paramref name="batch"/> distinct random inputs of the model's channels at
        /// <paramref name="patch"/>, as one batch and one by one: eval outputs, train-mode deep-supervision outputs, and the
        /// gradients of <c>sum_k sum(head_k · R_k)</c> (fixed random R, so the batch loss is the sum of the per-sample ones).
        /// The network's parameters and their gradients are left as they were (gradients zeroed), and so is its mode.
        /// </summary>
        public static BatchConsistencyReport Measure(nn.Module<Tensor, Tensor> network, int inputChannels, Int3 patch, int batch = 3, long seed = 1)
        {
            if (network is null) throw new ArgumentNullException(nameof(network));
            if (network is not IE2ENetNetwork e2e) throw new ArgumentException("the module is not an E2ENet network (IE2ENetNetwork)", nameof(network));
            if (batch < 2) throw new ArgumentOutOfRangeException(nameof(batch), batch, "compare at least 2 samples");
            bool wasTraining = network.training;
            using var scope = NewDisposeScope();
            var generator = new Generator((ulong)seed);
            Tensor input = randn(new long[] { batch, inputChannels, patch.D, patch.H, patch.W }, generator: generator);

            // Inference.
            network.eval();
            double inference;
            using (no_grad())
            {
                Tensor whole = network.call(input);
                Tensor singles = cat(Enumerable.Range(0, batch).Select(b => network.call(input.narrow(0, b, 1))).ToArray(), 0);
                inference = Relative(whole, singles);
            }

            // Deep supervision and gradients.
            network.train();
            Parameter[] parameters = network.parameters().ToArray();
            string[] names = network.named_parameters().Select(p => p.name).ToArray();
            ZeroGradients(parameters);
            Tensor[] heads = e2e.ForwardDeepSupervision(input);
            Tensor[] weights = heads.Select(h => randn(h.shape, generator: generator)).ToArray();
            Tensor loss = heads.Select((h, k) => (h * weights[k]).sum()).Aggregate((a, b) => a + b);
            loss.backward();
            Tensor[] batchGradients = parameters.Select(p => p.grad is null ? zeros_like(p) : p.grad.detach().clone()).ToArray();
            Tensor[] batchHeads = heads.Select(h => h.detach()).ToArray();

            ZeroGradients(parameters);
            var singleHeads = new List<Tensor>[heads.Length];
            for (int k = 0; k < heads.Length; k++) singleHeads[k] = new List<Tensor>();
            for (int b = 0; b < batch; b++)
            {
                Tensor[] one = e2e.ForwardDeepSupervision(input.narrow(0, b, 1));
                Tensor sampleLoss = one.Select((h, k) => (h * weights[k].narrow(0, b, 1)).sum()).Aggregate((x, y) => x + y);
                sampleLoss.backward(); // gradients accumulate: the sum over samples
                for (int k = 0; k < one.Length; k++) singleHeads[k].Add(one[k].detach());
            }
            double deepSupervision = 0;
            for (int k = 0; k < heads.Length; k++) deepSupervision = Math.Max(deepSupervision, Relative(batchHeads[k], cat(singleHeads[k].ToArray(), 0)));

            Tensor[] singleGradients = parameters.Select(p => p.grad is null ? zeros_like(p) : p.grad.detach().clone()).ToArray();
            // One relative L2 error over all gradients together: a gradient is a sum over every voxel of the batch, and where a
            // pre-activation is within rounding of zero, the batch and the single runs can take different sides of the leaky
            // ReLU's kink, which changes single elements (a conv bias before instance normalization has a gradient of pure
            // rounding noise, too). Those are a small share of the whole; a wrong kernel changes most of it.
            double differenceSquares = 0, referenceSquares = 0, worstShare = -1;
            string worst = "-";
            for (int i = 0; i < parameters.Length; i++)
            {
                double difference = SumOfSquares(batchGradients[i] - singleGradients[i]);
                differenceSquares += difference;
                referenceSquares += SumOfSquares(singleGradients[i]);
                if (difference > worstShare)
                {
                    worstShare = difference;
                    worst = names[i];
                }
            }
            double gradients = referenceSquares == 0 ? Math.Sqrt(differenceSquares) : Math.Sqrt(differenceSquares / referenceSquares);
            if (double.IsNaN(gradients)) gradients = double.PositiveInfinity;
            ZeroGradients(parameters);
            if (wasTraining) network.train();
            else network.eval();
            return new BatchConsistencyReport(batch, inference, deepSupervision, gradients, worst);
        }

        /// <summary>max |a - b| / max |b|; infinity when anything is not finite.</summary>
        public static double Relative(Tensor actual, Tensor expected)
        {
            using var scope = NewDisposeScope();
            if (!actual.isfinite().all().item<bool>() || !expected.isfinite().all().item<bool>()) return double.PositiveInfinity;
            double scale = MaxAbs(expected);
            double difference = MaxAbs(actual.to(float64) - expected.to(float64));
            return scale == 0 ? difference : difference / scale;
        }

        private static double SumOfSquares(Tensor t)
        {
            using var scope = NewDisposeScope();
            return t.numel() == 0 ? 0 : t.to(float64).square().sum().item<double>();
        }

        private static double MaxAbs(Tensor t)
        {
            using var scope = NewDisposeScope();
            return t.numel() == 0 ? 0 : t.abs().max().to(float64).item<double>();
        }

        private static void ZeroGradients(IEnumerable<Parameter> parameters)
        {
            foreach (Parameter p in parameters)
            {
                if (p.grad is not null) using (no_grad()) p.grad.zero_();
            }
        }
    }
}
