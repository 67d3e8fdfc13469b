using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Inference;
using static TorchSharp.torch;

namespace E2ENet.Data.Tests.Reliability
{
    /// <summary>
    /// Issue 10 (5): the plane-by-plane sliding window over a float32 array (what predict runs, holding one patch's depth of
    /// sums) gives bit for bit the probabilities of the whole-volume one, with padding, uneven steps and mirroring.
    /// </summary>
    public class StreamingWindowTests
    {
        /// <summary>A small convolution-like stand-in that looks at neighbours (so tile borders matter): 3 classes.</summary>
        private static Tensor Network(Tensor input)
        {
            Tensor x = input.narrow(1, 0, 1);
            Tensor blurred = nn.functional.avg_pool3d(x, new long[] { 3, 3, 3 }, new long[] { 1, 1, 1 }, new long[] { 1, 1, 1 });
            return cat(new[] { x, blurred * 2 - 1, (x * blurred).sin() }, 1);
        }

        [Theory]
        [InlineData(2, 19, 23, 17, 8, 8, 8, 0.5, false)]
        [InlineData(1, 5, 30, 12, 8, 16, 8, 0.5, true)]   // smaller than the patch along D: padded
        [InlineData(1, 33, 9, 40, 16, 8, 12, 0.7, false)]
        public void Planes_equal_the_whole_volume_probabilities(int channels, int d, int h, int w, int pd, int ph, int pw, double step, bool mirror)
        {
            var size = new Int3(d, h, w);
            var random = new Random(d * h * w);
            float[] image = Enumerable.Range(0, channels * (int)size.Volume).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
            var options = new SlidingWindowOptions { Patch = new Int3(pd, ph, pw), Step = step, MirrorAxes = mirror ? new[] { 0, 2 } : Array.Empty<int>() };
            using Tensor whole = SlidingWindow.PredictProbabilities(tensor(image, new long[] { channels, d, h, w }), Network, options);
            float[] expected = whole.data<float>().ToArray();

            var planes = new List<(int Index, float[] Values)>();
            SlidingWindow.PredictPlanes(image, channels, size, Network, options, (z, plane) => planes.Add((z, plane)));
            Assert.Equal(Enumerable.Range(0, d), planes.Select(p => p.Index));
            long area = (long)h * w;
            for (int z = 0; z < d; z++)
                for (int k = 0; k < 3; k++)
                    for (long n = 0; n < area; n++)
                        Assert.Equal(expected[(k * d + z) * area + n], planes[z].Values[k * area + n]);
        }
    }
}
