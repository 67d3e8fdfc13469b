using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Torch.Modules;
using static TorchSharp.torch;

namespace E2ENet.Torch.Tests
{
    /// <summary>The depth shift against a naive per-voxel reference of docs/method.md's semantics, forward and backward.</summary>
    public class DepthShiftTests
    {
        public static IEnumerable<object[]> Sizes()
        {
            foreach (int channels in new[] { 1, 4, 5, 48 })
                foreach (int groups in new[] { 3, 5 })
                    foreach (int depth in new[] { 1, 2, 7 })
                        yield return new object[] { channels, groups, depth };
        }

        private static int[] Offsets(int groups) => Enumerable.Range(-(groups / 2), groups).ToArray();

        /// <summary>out[b, c, d] = in[b, c, d - offset(chunk(c))], zero outside; chunk(c) = c / ceil(C / S).</summary>
        private static float[] NaiveShift(float[] input, int batch, int channels, int depth, int plane, int[] offsets)
        {
            int chunk = (channels + offsets.Length - 1) / offsets.Length;
            var output = new float[input.Length];
            for (int b = 0; b < batch; b++)
                for (int c = 0; c < channels; c++)
                    for (int d = 0; d < depth; d++)
                        for (int p = 0; p < plane; p++)
                        {
                            int source = d - offsets[c / chunk];
                            output[(((b * channels) + c) * depth + d) * plane + p] = source >= 0 && source < depth ? input[(((b * channels) + c) * depth + source) * plane + p] : 0f;
                        }
            return output;
        }

        /// <summary>d(sum(out * g))/d in, accumulated voxel by voxel from the forward's definition.</summary>
        private static float[] NaiveGradient(float[] g, int batch, int channels, int depth, int plane, int[] offsets)
        {
            int chunk = (channels + offsets.Length - 1) / offsets.Length;
            var grad = new float[g.Length];
            for (int b = 0; b < batch; b++)
                for (int c = 0; c < channels; c++)
                    for (int d = 0; d < depth; d++)
                        for (int p = 0; p < plane; p++)
                        {
                            int source = d - offsets[c / chunk];
                            if (source >= 0 && source < depth) grad[(((b * channels) + c) * depth + source) * plane + p] += g[(((b * channels) + c) * depth + d) * plane + p];
                        }
            return grad;
        }

        [Theory]
        [MemberData(nameof(Sizes))]
        public void Forward_and_backward_equal_the_per_voxel_reference(int channels, int groups, int depth)
        {
            using var scope = NewDisposeScope();
            const int batch = 2, height = 3, width = 2;
            int[] offsets = Offsets(groups);
            var generator = new Random(channels * 100 + groups * 10 + depth);
            float[] values = Enumerable.Range(0, batch * channels * depth * height * width).Select(_ => (float)generator.NextDouble() - 0.5f).ToArray();
            float[] upstream = values.Select(_ => (float)generator.NextDouble() - 0.5f).ToArray();
            long[] shape = { batch, channels, depth, height, width };

            foreach (Func<Tensor, IReadOnlyList<int>, Tensor> shift in new Func<Tensor, IReadOnlyList<int>, Tensor>[] { DepthShift.Apply, DepthShift.ApplyNode, DepthShift.ApplyComposed })
            {
                Tensor input = tensor(values, shape).requires_grad_(true);
                Tensor output = shift(input, offsets);
                Assert.Equal(shape, output.shape);
                Assert.Equal(NaiveShift(values, batch, channels, depth, height * width, offsets), output.detach().data<float>().ToArray());
                (output * tensor(upstream, shape)).sum().backward();
                Assert.Equal(NaiveGradient(upstream, batch, channels, depth, height * width, offsets), input.grad!.data<float>().ToArray());

                // Without autograd (inference) the same values.
                using (no_grad())
                {
                    Assert.Equal(NaiveShift(values, batch, channels, depth, height * width, offsets), shift(input, offsets).data<float>().ToArray());
                }
            }
        }

        [Fact]
        public void Small_channel_counts_make_fewer_chunks_than_offsets()
        {
            // C = 4, S = 3: chunks of 2 and 2; the +1 offset has no chunk. C = 1: one chunk, shifted whole by -1.
            Assert.Equal(new[] { (0L, 2L, -1), (2L, 2L, 0) }, DepthShift.Chunks(4, new[] { -1, 0, 1 }).ToArray());
            Assert.Equal(new[] { (0L, 1L, -2) }, DepthShift.Chunks(1, new[] { -2, -1, 0, 1, 2 }).ToArray());
            Assert.Equal(new[] { (0L, 2L, -2), (2L, 2L, -1), (4L, 2L, 0), (6L, 1L, 1) }, DepthShift.Chunks(7, new[] { -2, -1, 0, 1, 2 }).ToArray());

            using var scope = NewDisposeScope();
            Tensor ct = arange(4, dtype: float32).reshape(1, 1, 4, 1, 1);
            // One CT channel: out[d] = in[d + 1], the last slice zero.
            Assert.Equal(new float[] { 1, 2, 3, 0 }, DepthShift.Apply(ct, new[] { -1, 0, 1 }).data<float>().ToArray());
        }

        [Fact]
        public void All_zero_offsets_are_the_identity_and_offsets_beyond_the_depth_give_zeros()
        {
            using var scope = NewDisposeScope();
            Tensor input = rand(new long[] { 1, 6, 2, 2, 2 });
            Assert.True(DepthShift.IsIdentity(new[] { 0 }));
            Assert.True(DepthShift.Apply(input, new[] { 0 }).allclose(input, 0, 0));
            Tensor shifted = DepthShift.Apply(input, new[] { -2, -1, 0, 1, 2 });
            // Chunks of 2 channels: offsets -2 (channels 0-1) and +2 do not exist... -2 at depth 2 is all zeros; 0 (channels 4-5) unchanged.
            Assert.Equal(0f, shifted.narrow(1, 0, 2).abs().sum().item<float>());
            Assert.True(shifted.narrow(1, 4, 2).allclose(input.narrow(1, 4, 2), 0, 0));
        }

        [Fact]
        public void A_second_backward_through_a_graph_and_non_contiguous_inputs_work()
        {
            using var scope = NewDisposeScope();
            Tensor source = rand(new long[] { 2, 3, 5, 4, 4 }).requires_grad_(true);
            Tensor transposed = source.transpose(3, 4); // not contiguous
            Tensor shifted = DepthShift.Apply(transposed, new[] { -1, 0, 1 });
            Tensor reference = DepthShift.ApplyComposed(transposed, new[] { -1, 0, 1 });
            Assert.True(shifted.allclose(reference, 0, 0));
            Tensor[] grads = autograd.grad(new[] { (shifted * shifted).sum() }, new[] { source }, retain_graph: true).ToArray();
            Tensor[] expected = autograd.grad(new[] { (reference * reference).sum() }, new[] { source }).ToArray();
            Assert.True(grads[0].allclose(expected[0]));
        }
    }
}
