using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Inference;
using static TorchSharp.torch;

namespace E2ENet.Data.Tests.Inference
{
    /// <summary>Ensembling in the sliding window: the planes of an ensemble are the mean of its members' planes, each with its own mirroring.</summary>
    public class EnsembleTests
    {
        private static float[] RandomImage(Int3 shape, int seed)
        {
            var rng = new Rng((ulong)seed);
            return Enumerable.Range(0, (int)shape.Volume).Select(_ => (float)rng.Uniform(-2, 2)).ToArray();
        }

        /// <summary>Tile-dependent and not mirror-symmetric: logits_1 = x[.., w + 1] (0 past the tile) + 0.1 h, logits_2 = scale * x.</summary>
        private static PatchPredictor Network(float scale) => input =>
        {
            long[] s = input.shape;
            Tensor shifted = nn.functional.pad(input.narrow(4, 1, s[4] - 1), new long[] { 0, 1 });
            Tensor ramp = arange(s[3], float32).reshape(1, 1, 1, s[3], 1) * 0.1f;
            return cat(new[] { zeros_like(input), shifted + ramp, input * scale }, 1);
        };

        private static float[] Planes(float[] image, Int3 shape, IReadOnlyList<EnsembleMember> members, SlidingWindowOptions options)
        {
            var result = new float[3 * shape.Volume];
            long area = (long)shape.H * shape.W;
            SlidingWindow.PredictPlanes(image, 1, shape, members, options, (z, plane) =>
            {
                for (int k = 0; k < 3; k++) Array.Copy(plane, k * area, result, k * shape.Volume + z * area, area);
            });
            return result;
        }

        [Fact]
        public void The_ensemble_is_the_mean_of_its_members_each_with_its_own_mirroring()
        {
            var shape = new Int3(11, 13, 14);
            float[] image = RandomImage(shape, 5);
            var options = new SlidingWindowOptions { Patch = new Int3(6, 8, 8), MirrorAxes = new[] { 0, 1, 2 } };
            var a = new EnsembleMember(Network(0.5f), new[] { 1, 2 });
            var b = new EnsembleMember(Network(-1.5f), Array.Empty<int>());
            float[] alone = Planes(image, shape, new[] { a }, options), other = Planes(image, shape, new[] { b }, options);
            float[] both = Planes(image, shape, new[] { a, b }, options);
            double worst = 0;
            for (long n = 0; n < both.LongLength; n++) worst = Math.Max(worst, Math.Abs(both[n] - (alone[n] + other[n]) / 2));
            Assert.True(worst < 1e-6, $"largest difference {worst}");
            // The members differ (the test would pass trivially otherwise), and mirroring is the member's, not the options'.
            Assert.True(alone.Zip(other, (x, y) => Math.Abs(x - y)).Max() > 0.1);
            float[] unmirrored = Planes(image, shape, new[] { new EnsembleMember(Network(0.5f), Array.Empty<int>()) }, options);
            Assert.True(alone.Zip(unmirrored, (x, y) => Math.Abs(x - y)).Max() > 1e-3);
            var otherOptions = new SlidingWindowOptions { Patch = options.Patch, MirrorAxes = Array.Empty<int>() };
            Assert.Equal(alone, Planes(image, shape, new[] { a }, otherOptions));
        }

        [Fact]
        public void Members_that_predict_different_classes_are_refused()
        {
            var shape = new Int3(8, 8, 8);
            var options = new SlidingWindowOptions { Patch = shape, MirrorAxes = Array.Empty<int>() };
            var three = new EnsembleMember(Network(1), Array.Empty<int>());
            var two = new EnsembleMember(t => cat(new[] { t, -t }, 1), Array.Empty<int>());
            var error = Assert.Throws<DataException>(() => Planes(RandomImage(shape, 1), shape, new[] { three, two }, options));
            Assert.Equal("E4301", error.Id);
            Assert.Contains("member 2 predicts 2 classes", error.Message);
            Assert.Equal("E4202", Assert.Throws<DataException>(() => Planes(RandomImage(shape, 1), shape, new[] { new EnsembleMember(Network(1), new[] { 3 }) }, options)).Id);
        }
    }
}
