using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace E2ENet.Torch.Modules
{
    /// <summary>
    /// The restricted depth shift of E2ENet (docs/method.md, "Restricted depth shift").
    /// <code>
    ///   channels split into consecutive chunks of ceil(C / S); chunk k (k &lt; S) is shifted by offsets[k] along D:
    ///   out[:, chunk k, d] = in[:, chunk k, d - offsets[k]], zero where d - offsets[k] falls outside [0, D)
    /// </code>
    /// With C = 4 and S = 3 there are two chunks of 2 (fewer chunks than offsets); a 1-channel input is one chunk, shifted
    /// whole by offsets[0]. No wrap-around. Input and output are (B, C, D, H, W).
    /// <para>
    /// Cost. Without autograd (inference): one write of the output (each chunk's valid slices are copied once and only its
    /// |offset| boundary slices are zeroed). When autograd records: per chunk a view of the input (<c>split</c> along
    /// channels, <c>narrow</c> along depth), a constant <c>pad</c>, then one <c>cat</c>; none of these nodes saves a tensor,
    /// and the backward is a slice per chunk and one <c>cat</c> of the chunk gradients.
    /// </para>
    /// <para>
    /// Not a TorchSharp custom autograd node (<see cref="ApplyNode"/>), although its own backward is cheaper: TorchSharp 0.107
    /// keeps an uninitialised <c>empty_like</c> of the output for each such node's lifetime and leaves the tensors its
    /// backward creates to the finalizer. Measured (docs/benchmarks.md): 58% more allocated memory in a whole network's
    /// forward+backward on the CPU, and an out-of-memory on an 80 GB H100 at the AMOS patch (batch 2, 64x160x160) where
    /// PyTorch's network peaks at 25.6 GiB. <c>e2enet bench shift</c> compares the forms on the shift alone.
    /// </para>
    /// </summary>
    public static class DepthShift
    {
        /// <summary>
        /// Shifts channel groups of <paramref name="input"/> (B, C, D, H, W) along depth; returns a new tensor of the same
        /// shape (an alias of the input when every offset is 0). Differentiable.
        /// </summary>
        /// <param name="input">(B, C, D, H, W).</param>
        /// <param name="offsets">One offset per channel group, e.g. [-1, 0, 1].</param>
        public static Tensor Apply(Tensor input, IReadOnlyList<int> offsets)
        {
            Validate(input, offsets);
            if (IsIdentity(offsets)) return input.alias();
            int[] copy = ToArray(offsets);
            if (input.requires_grad && is_grad_enabled()) return ApplySplit(input, copy);
            return Shift(input, copy);
        }

        /// <summary>The shift as one TorchSharp custom autograd node (its backward is the opposite shift); see the class remarks for why the network does not use it.</summary>
        public static Tensor ApplyNode(Tensor input, IReadOnlyList<int> offsets)
        {
            Validate(input, offsets);
            return DepthShiftFunction.apply(input, ToArray(offsets));
        }

        /// <summary>The differentiable form the network records: split along channels, narrow + pad per chunk, one cat.</summary>
        private static Tensor ApplySplit(Tensor input, int[] offsets)
        {
            long depth = input.shape[2];
            var chunks = new List<(long Start, long Count, int Offset)>(Chunks(input.shape[1], offsets));
            Tensor[] views = input.split(chunks.ConvertAll(c => c.Count).ToArray(), 1);
            var parts = new List<Tensor>(views.Length);
            try
            {
                for (int k = 0; k < views.Length; k++)
                {
                    int offset = chunks[k].Offset;
                    long magnitude = Math.Min(Math.Abs(offset), depth);
                    if (magnitude == 0)
                    {
                        parts.Add(views[k].alias());
                        continue;
                    }
                    using Tensor kept = views[k].narrow(2, offset > 0 ? 0 : magnitude, depth - magnitude);
                    // pad = (W left, W right, H left, H right, D front, D back)
                    parts.Add(nn.functional.pad(kept, new long[] { 0, 0, 0, 0, offset > 0 ? magnitude : 0, offset < 0 ? magnitude : 0 }));
                }
                return parts.Count == 1 ? parts[0].alias() : cat(parts, 1);
            }
            finally
            {
                foreach (Tensor part in parts) part.Dispose();
                foreach (Tensor view in views) view.Dispose();
            }
        }

        /// <summary>
        /// The same shift composed of standard differentiable operations (per chunk, <c>narrow</c> then a constant <c>pad</c>
        /// along D; then <c>cat</c> over channels), as one would write it in PyTorch: the baseline that <c>e2enet bench shift</c>
        /// and the tests compare <see cref="Apply"/> against.
        /// </summary>
        public static Tensor ApplyComposed(Tensor input, IReadOnlyList<int> offsets)
        {
            Validate(input, offsets);
            long depth = input.shape[2];
            var parts = new List<Tensor>();
            try
            {
                foreach (var (start, count, offset) in Chunks(input.shape[1], offsets))
                {
                    long magnitude = Math.Min(Math.Abs(offset), depth);
                    using Tensor chunk = input.narrow(1, start, count);
                    using Tensor kept = chunk.narrow(2, offset >= 0 ? 0 : magnitude, depth - magnitude);
                    // pad = (W left, W right, H left, H right, D front, D back)
                    parts.Add(nn.functional.pad(kept, new long[] { 0, 0, 0, 0, offset > 0 ? magnitude : 0, offset < 0 ? magnitude : 0 }));
                }
                return cat(parts, 1);
            }
            finally
            {
                foreach (Tensor part in parts) part.Dispose();
            }
        }

        /// <summary>Whether the offsets shift nothing (empty, or all zero).</summary>
        public static bool IsIdentity(IReadOnlyList<int> offsets)
        {
            foreach (int offset in offsets)
            {
                if (offset != 0) return false;
            }
            return true;
        }

        /// <summary>
        /// The chunks: (first channel, channel count, offset) for each chunk that exists, in order. Chunk size is
        /// ceil(C / S); there are fewer than S chunks when C is small.
        /// </summary>
        public static IEnumerable<(long Start, long Count, int Offset)> Chunks(long channels, IReadOnlyList<int> offsets)
        {
            if (offsets.Count == 0) yield break;
            long chunk = (channels + offsets.Count - 1) / offsets.Count;
            for (int k = 0; k < offsets.Count; k++)
            {
                long start = k * chunk;
                if (start >= channels) yield break;
                yield return (start, Math.Min(chunk, channels - start), offsets[k]);
            }
        }

        /// <summary>The shift without autograd: one write of a fresh contiguous output.</summary>
        internal static Tensor Shift(Tensor input, IReadOnlyList<int> offsets)
        {
            long depth = input.shape[2];
            Tensor output = empty(input.shape, input.dtype, input.device);
            foreach (var (start, count, offset) in Chunks(input.shape[1], offsets))
            {
                using Tensor target = output.narrow(1, start, count);
                int magnitude = Math.Abs(offset);
                if (magnitude >= depth)
                {
                    target.zero_();
                    continue;
                }
                long length = depth - magnitude;
                using (Tensor source = input.narrow(1, start, count).narrow(2, offset >= 0 ? 0 : magnitude, length))
                using (Tensor inside = target.narrow(2, offset >= 0 ? magnitude : 0, length))
                {
                    inside.copy_(source);
                }
                if (magnitude > 0)
                {
                    // out[d] = in[d - offset] is outside the volume for d < offset (offset > 0) or d >= D + offset (offset < 0).
                    using Tensor edge = target.narrow(2, offset > 0 ? 0 : depth - magnitude, magnitude);
                    edge.zero_();
                }
            }
            return output;
        }

        private static void Validate(Tensor input, IReadOnlyList<int> offsets)
        {
            if (input.dim() != 5) throw new ArgumentException($"depth shift expects a (B, C, D, H, W) tensor, got {input.dim()} dimensions", nameof(input));
            if (offsets is null) throw new ArgumentNullException(nameof(offsets));
        }

        private static int[] ToArray(IReadOnlyList<int> offsets)
        {
            var array = new int[offsets.Count];
            for (int i = 0; i < array.Length; i++) array[i] = offsets[i];
            return array;
        }
    }
}
