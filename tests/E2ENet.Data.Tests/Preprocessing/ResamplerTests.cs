using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Tests.Support;

namespace E2ENet.Data.Tests.Preprocessing
{
    public class ResamplerTests : IDisposable
    {
        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        private static float[] Random(Int3 shape, int seed)
        {
            var rng = new Rng((ulong)seed);
            return Enumerable.Range(0, (int)shape.Volume).Select(_ => (float)rng.Uniform(-1, 1)).ToArray();
        }

        /// <summary>scipy.ndimage.zoom(grid_mode=True, mode='nearest') to the target shape: what skimage's resize (nnU-Net) calls.</summary>
        private float[] Scipy(float[] data, Int3 shape, Int3 target, int order)
        {
            string input = _temp.File("in.raw"), output = _temp.File("out.raw");
            File.WriteAllBytes(input, MemoryMarshal.AsBytes(data.AsSpan()).ToArray());
            PythonOracle.Run(@"
import sys, numpy as np
from scipy import ndimage
s = tuple(int(v) for v in sys.argv[3].split(',')); t = tuple(int(v) for v in sys.argv[4].split(','))
a = np.fromfile(sys.argv[1], dtype=np.float32).reshape(s).astype(np.float64)
z = ndimage.zoom(a, [t[i] / s[i] for i in range(3)], order=int(sys.argv[5]), mode='nearest', grid_mode=True)
assert z.shape == t, z.shape
z.astype(np.float32).tofile(sys.argv[2])
", input, output, $"{shape.D},{shape.H},{shape.W}", $"{target.D},{target.H},{target.W}", order.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(output)).ToArray();
        }

        [Theory]
        [InlineData(3, 1e-4)]
        [InlineData(1, 1e-5)]
        [InlineData(0, 0)]
        public void Matches_scipy_zoom_in_grid_mode(int order, double tolerance)
        {
            var shape = new Int3(9, 14, 11);
            var target = new Int3(17, 6, 13); // up on one axis, down on another, up by a non-integer factor on the third
            float[] data = Random(shape, 3);
            float[] ours = Resampler.Resize(data, shape, target, (Interpolation)order, clip: false);
            float[] reference = Scipy(data, shape, target, order);
            Assert.Equal(reference.Length, ours.Length);
            double worst = ours.Zip(reference, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(worst <= tolerance, $"largest difference {worst}");
        }

        [Fact]
        public void Same_shape_is_the_identity_and_cubic_reproduces_samples_at_integer_factors()
        {
            var shape = new Int3(5, 6, 7);
            float[] data = Random(shape, 4);
            Assert.Equal(data, Resampler.Resize(data, shape, shape, Interpolation.Cubic));
            // Downsampling by exactly 3 with order 0 picks the middle voxel of each triple.
            var line = new Int3(1, 1, 9);
            float[] values = Enumerable.Range(0, 9).Select(i => (float)i).ToArray();
            Assert.Equal(new[] { 1f, 4f, 7f }, Resampler.Resize(values, line, new Int3(1, 1, 3), Interpolation.Nearest));
        }

        [Fact]
        public void Label_resampling_keeps_labels_and_follows_per_class_linear()
        {
            var shape = new Int3(12, 12, 12);
            var labels = new short[shape.Volume];
            for (int a = 0; a < 12; a++) for (int b = 0; b < 12; b++) for (int c = 0; c < 12; c++)
                labels[(a * 12 + b) * 12 + c] = (short)(a < 3 ? -1 : b < 6 ? 1 : c < 4 ? 2 : 0);
            short[] resized = Resampler.ResizeLabels(labels, shape, new Int3(7, 19, 5), new[] { Interpolation.Linear, Interpolation.Linear, Interpolation.Linear });
            Assert.Subset(new System.Collections.Generic.HashSet<short> { -1, 0, 1, 2 }, resized.ToHashSet());
            Assert.Equal(7 * 19 * 5, resized.Length);
            // Upsampling by 2 then downsampling by 2 gives the original back.
            short[] up = Resampler.ResizeLabels(labels, shape, new Int3(24, 24, 24), new[] { Interpolation.Linear, Interpolation.Linear, Interpolation.Linear });
            short[] down = Resampler.ResizeLabels(up, new Int3(24, 24, 24), shape, new[] { Interpolation.Nearest, Interpolation.Nearest, Interpolation.Nearest });
            Assert.Equal(labels, down);
        }

        [Fact]
        public void Clipping_removes_cubic_overshoot()
        {
            var shape = new Int3(1, 1, 8);
            float[] step = { 0, 0, 0, 0, 1, 1, 1, 1 };
            float[] resized = Resampler.Resize(step, shape, new Int3(1, 1, 29), Interpolation.Cubic);
            Assert.All(resized, v => Assert.InRange(v, 0f, 1f));
            Assert.Contains(Resampler.Resize(step, shape, new Int3(1, 1, 29), Interpolation.Cubic, clip: false), v => v < 0 || v > 1);
        }
    }
}
