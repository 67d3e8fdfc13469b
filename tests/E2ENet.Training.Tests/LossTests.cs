using System;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Training.Losses;
using E2ENet.Training.Schedules;
using static TorchSharp.torch;

namespace E2ENet.Training.Tests
{
    public class LossTests
    {
        private static readonly LossSpec Recipe = new LossSpec(LossKind.DiceCe, 1e-5, 1, 1);

        [Fact]
        public void Dice_and_cross_entropy_follow_nnunets_formula()
        {
            var generator = new Generator(2, CPU);
            Tensor logits = randn(new long[] { 2, 3, 2, 3, 2 }, generator: generator);
            Tensor target = randint(0, 3, new long[] { 2, 1, 2, 3, 2 }, generator: generator);
            double value = new DiceCrossEntropyLoss(Recipe).Compute(logits, target).item<float>();

            // The same by hand, element by element.
            float[] l = logits.contiguous().data<float>().ToArray();
            long[] t = target.contiguous().data<long>().ToArray();
            int voxels = 2 * 3 * 2;
            double ce = 0;
            var tp = new double[3];
            var fp = new double[3];
            var fn = new double[3];
            for (int b = 0; b < 2; b++)
            {
                for (int v = 0; v < voxels; v++)
                {
                    double[] z = Enumerable.Range(0, 3).Select(k => (double)l[(b * 3 + k) * voxels + v]).ToArray();
                    double max = z.Max();
                    double sum = z.Sum(x => Math.Exp(x - max));
                    double[] p = z.Select(x => Math.Exp(x - max) / sum).ToArray();
                    int label = (int)t[b * voxels + v];
                    ce += -Math.Log(p[label]);
                    for (int k = 0; k < 3; k++)
                    {
                        double y = k == label ? 1 : 0;
                        tp[k] += p[k] * y;
                        fp[k] += p[k] * (1 - y);
                        fn[k] += (1 - p[k]) * y;
                    }
                }
            }
            ce /= 2 * voxels;
            double dice = Enumerable.Range(1, 2).Select(k => (2 * tp[k] + 1e-5) / (2 * tp[k] + fp[k] + fn[k] + 1e-5 + 1e-8)).Average();
            Assert.Equal(ce - dice, value, 5);
        }

        [Fact]
        public void A_perfect_prediction_scores_minus_one_and_has_small_gradients()
        {
            Tensor target = tensor(new long[] { 0, 1, 2, 1, 0, 2, 2, 1 }).reshape(1, 1, 2, 2, 2);
            Tensor logits = (F(target) * 50).requires_grad_(true);
            Tensor loss = new DiceCrossEntropyLoss(Recipe).Compute(logits, target);
            Assert.InRange(loss.item<float>(), -1.0001, -0.999);
            loss.backward();
            Assert.True(logits.grad!.abs().max().item<float>() < 1e-6);
        }

        private static Tensor F(Tensor target) => nn.functional.one_hot(target.squeeze(1), 3).permute(0, 4, 1, 2, 3).to(float32);

        [Fact]
        public void Deep_supervision_weighs_the_heads_eight_four_two_one_fifteenths()
        {
            var network = TestNetworks.Ir();
            var loss = new DeepSupervisionLoss(network);
            Assert.Equal(new[] { 8.0 / 15, 4.0 / 15, 2.0 / 15, 1.0 / 15 }, loss.Weights.Select(w => Math.Round(w, 12)), new Close());
            var single = new DiceCrossEntropyLoss(network.Spec.Training.Loss);
            var generator = new Generator(7, CPU);
            var outputs = network.Heads.Select(h => randn(new long[] { 1, 3, h.Size.D, h.Size.H, h.Size.W }, generator: generator)).ToArray();
            var targets = network.Heads.Select(h => randint(0, 3, new long[] { 1, 1, h.Size.D, h.Size.H, h.Size.W }, generator: generator)).ToArray();
            double expected = Enumerable.Range(0, 4).Sum(k => loss.Weights[k] * single.Compute(outputs[k], targets[k]).item<float>());
            Assert.Equal(expected, loss.Compute(outputs, targets).item<float>(), 5);
        }

        [Fact]
        public void Poly_learning_rate_decays_per_epoch()
        {
            var spec = TestNetworks.Ir().Spec.Training with { Epochs = 1000 };
            var schedule = new LearningRateSchedule(spec);
            Assert.Equal(0.01, schedule.At(0), 12);
            Assert.Equal(0.01 * Math.Pow(0.5, 0.9), schedule.At(500), 12);
            Assert.Equal(0, schedule.At(1000), 12);
        }

        private sealed class Close : System.Collections.Generic.IEqualityComparer<double>
        {
            public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-12;

            public int GetHashCode(double obj) => 0;
        }
    }
}
