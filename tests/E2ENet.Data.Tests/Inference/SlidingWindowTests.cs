using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Inference;
using E2ENet.Data.Tests.Support;
using static TorchSharp.torch;

namespace E2ENet.Data.Tests.Inference
{
    public class SlidingWindowTests : IDisposable
    {
        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        [Theory]
        [InlineData(110, 64, 0.5, new[] { 0, 23, 46 })] // nnU-Net's own example
        [InlineData(64, 64, 0.5, new[] { 0 })]
        [InlineData(200, 128, 0.5, new[] { 0, 36, 72 })]
        [InlineData(65, 64, 0.5, new[] { 0, 1 })]
        [InlineData(100, 20, 1.0, new[] { 0, 20, 40, 60, 80 })]
        public void Steps_follow_nnunet(int size, int patch, double step, int[] expected)
            => Assert.Equal(expected, SlidingWindow.Steps(size, patch, step));

        [Fact]
        public void Gaussian_importance_matches_scipy()
        {
            var patch = new Int3(8, 12, 10);
            float[] ours = GaussianImportance.Compute(patch, 0.125);
            string output = _temp.File("g.raw");
            PythonOracle.Run(@"
import sys, numpy as np
from scipy.ndimage import gaussian_filter
p = (8, 12, 10); t = np.zeros(p); t[tuple(i // 2 for i in p)] = 1
g = gaussian_filter(t, [i / 8 for i in p], 0, mode='constant', cval=0); g = g / g.max()
g = g.astype(np.float32); g[g == 0] = g[g != 0].min(); g.tofile(sys.argv[1])
", output);
            float[] reference = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(output)).ToArray();
            Assert.Equal(reference.Length, ours.Length);
            Assert.True(ours.Zip(reference, (a, b) => Math.Abs(a - b)).Max() < 1e-6);
            Assert.Equal(1f, ours[(4 * 12 + 6) * 10 + 5]);
            Assert.True(ours.Min() > 0);
        }

        private static Tensor RandomImage(int channels, Int3 shape, int seed)
        {
            var rng = new Rng((ulong)seed);
            float[] values = Enumerable.Range(0, channels * (int)shape.Volume).Select(_ => (float)rng.Uniform(-2, 2)).ToArray();
            return tensor(values, new long[] { channels, shape.D, shape.H, shape.W });
        }

        /// <summary>A stand-in network that is a known pointwise function of its input: logits_k = (k + 1) * x - k.</summary>
        private static Tensor Pointwise(Tensor input)
        {
            Tensor x = input.narrow(1, 0, 1);
            return cat(new[] { x * 1 - 0, x * 2 - 1, x * 3 - 2 }, 1);
        }

        [Theory]
        [InlineData(20, 23, 17, true)]
        [InlineData(20, 23, 17, false)]
        [InlineData(5, 20, 6, true)] // smaller than the patch on two axes: padding
        public void Tiling_and_blending_are_exact_for_a_pointwise_network(int d, int h, int w, bool mirror)
        {
            var shape = new Int3(d, h, w);
            using Tensor image = RandomImage(2, shape, 1);
            var options = new SlidingWindowOptions { Patch = new Int3(8, 8, 8), MirrorAxes = mirror ? new[] { 0, 1, 2 } : Array.Empty<int>() };
            using Tensor result = SlidingWindow.PredictProbabilities(image, Pointwise, options);
            using Tensor expected = Pointwise(image.unsqueeze(0)).softmax(1)[0];
            Assert.Equal(new long[] { 3, d, h, w }, result.shape);
            double error = (result - expected).abs().max().item<float>();
            Assert.True(error < 2e-6, $"largest difference {error}");
        }

        /// <summary>
        /// A stand-in whose output depends on the tile border and is not mirror-symmetric: logits_1 = x[d, h, w + 1]
        /// (0 past the tile's last column) + 0.1 h, logits_0 = 0. Compared with an independent array implementation of
        /// nnU-Net's blending (pad, steps, mirror average of softmaxes, Gaussian weights).
        /// </summary>
        [Fact]
        public void Blending_of_a_tile_dependent_network_equals_a_reference_implementation()
        {
            var shape = new Int3(11, 13, 14);
            var patch = new Int3(6, 8, 8);
            using Tensor image = RandomImage(1, shape, 2);
            float[] x = image.data<float>().ToArray();
            Tensor Network(Tensor input)
            {
                long[] s = input.shape;
                Tensor shifted = nn.functional.pad(input.narrow(4, 1, s[4] - 1), new long[] { 0, 1 });
                Tensor ramp = arange(s[3], float32).reshape(1, 1, 1, s[3], 1) * 0.1f;
                return cat(new[] { zeros_like(input), shifted + ramp }, 1);
            }
            var options = new SlidingWindowOptions { Patch = patch, MirrorAxes = new[] { 1, 2 } };
            using Tensor result = SlidingWindow.PredictProbabilities(image, Network, options);
            float[] ours = result.data<float>().ToArray();

            // The reference: plain arrays.
            float[] gaussian = GaussianImportance.Compute(patch, 0.125);
            var sums = new double[2, shape.D, shape.H, shape.W];
            var weights = new double[shape.D, shape.H, shape.W];
            foreach (int d0 in SlidingWindow.Steps(shape.D, patch.D, 0.5))
            foreach (int h0 in SlidingWindow.Steps(shape.H, patch.H, 0.5))
            foreach (int w0 in SlidingWindow.Steps(shape.W, patch.W, 0.5))
            {
                var probability = new double[patch.D, patch.H, patch.W];
                foreach (var (flipH, flipW) in new[] { (false, false), (true, false), (false, true), (true, true) })
                    for (int a = 0; a < patch.D; a++)
                    for (int b = 0; b < patch.H; b++)
                    for (int c = 0; c < patch.W; c++)
                    {
                        // Output voxel (a, b, c) of the flipped tile, flipped back, is voxel (a, fb, fc) of the tile.
                        int fb = flipH ? patch.H - 1 - b : b, fc = flipW ? patch.W - 1 - c : c;
                        // In the flipped tile, the value at (a, b, c + 1) comes from tile voxel (a, fb, fc -/+ 1).
                        int sourceC = flipW ? patch.W - 1 - (c + 1) : c + 1;
                        int sourceB = fb;
                        double shifted = c + 1 < patch.W ? x[((d0 + a) * shape.H + h0 + sourceB) * shape.W + w0 + sourceC] : 0;
                        double logit = shifted + 0.1 * b;
                        probability[a, fb, fc] += 1 / (1 + Math.Exp(-logit)) / 4;
                    }
                for (int a = 0; a < patch.D; a++)
                for (int b = 0; b < patch.H; b++)
                for (int c = 0; c < patch.W; c++)
                {
                    double g = gaussian[(a * patch.H + b) * patch.W + c];
                    sums[1, d0 + a, h0 + b, w0 + c] += probability[a, b, c] * g;
                    weights[d0 + a, h0 + b, w0 + c] += g;
                }
            }
            double worst = 0;
            for (int a = 0; a < shape.D; a++)
            for (int b = 0; b < shape.H; b++)
            for (int c = 0; c < shape.W; c++)
            {
                double expected = sums[1, a, b, c] / weights[a, b, c];
                worst = Math.Max(worst, Math.Abs(ours[shape.Volume + (a * shape.H + b) * shape.W + c] - expected));
                worst = Math.Max(worst, Math.Abs(ours[(a * shape.H + b) * shape.W + c] - (1 - expected)));
            }
            Assert.True(worst < 1e-5, $"largest difference {worst}");
        }

        [Fact]
        public void A_predictor_with_the_wrong_shape_or_non_finite_output_is_named()
        {
            using Tensor image = RandomImage(1, new Int3(8, 8, 8), 3);
            var options = new SlidingWindowOptions { Patch = new Int3(8, 8, 8), MirrorAxes = Array.Empty<int>() };
            var shape = Assert.Throws<DataException>(() => SlidingWindow.PredictProbabilities(image, t => t.narrow(4, 0, 4).repeat(1, 2, 1, 1, 1), options));
            Assert.Equal("E4301", shape.Id);
            Assert.Contains("[1, 2, 8, 8, 4]", shape.Message);
            var nan = Assert.Throws<DataException>(() => SlidingWindow.PredictProbabilities(image, t => cat(new[] { t, t / 0 * 0 }, 1), options));
            Assert.Equal("E4302", nan.Id);
            Assert.Equal("E4202", Assert.Throws<DataException>(() => SlidingWindow.PredictProbabilities(image, Pointwise, new SlidingWindowOptions { Patch = new Int3(8, 8, 8), Step = 1.5 })).Id);
        }
    }
}
