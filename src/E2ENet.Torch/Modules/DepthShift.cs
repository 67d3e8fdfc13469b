using System;
using static TorchSharp.torch;

namespace E2ENet.Torch.Modules
{
    /// <summary>
    /// The restricted depth shift of E2ENet (../shared/E2ENET.md, "Restricted depth shift (exact semantics)").
    /// <code>
    ///   channels split into consecutive chunks of ceil(C / S); chunk k (k &lt; S) is shifted by offsets[k] along D:
    ///   out[:, chunk k, d] = in[:, chunk k, d - offsets[k]], zero where d - offsets[k] falls outside [0, D)
    /// </code>
    /// With C = 4 and S = 3 there are two chunks of 2 (fewer chunks than offsets); a 1-channel input is one chunk, shifted
    /// whole by offsets[0]. No wrap-around. Input and output are (B, C, D, H, W).
    /// </summary>
    public static class DepthShift
    {
        /// <summary>Shifts channel groups of <paramref name="input"/> along depth; returns the input itself when there is no shift.</summary>
        public static Tensor Apply(Tensor input, int[] offsets)
        {
            if (input.dim() != 5) throw new ArgumentException($"depth shift expects a (B, C, D, H, W) tensor, got {input.dim()} dimensions", nameof(input));
            if (offsets.Length == 0) return input.alias();
            long channels = input.shape[1];
            long depth = input.shape[2];
            long chunk = (channels + offsets.Length - 1) / offsets.Length;
            Tensor output = zeros_like(input);
            for (int k = 0; k < offsets.Length; k++)
            {
                long start = k * chunk;
                if (start >= channels) break;
                long count = Math.Min(chunk, channels - start);
                long offset = offsets[k];
                if (Math.Abs(offset) >= depth) continue; // the whole chunk falls outside: zeros
                long length = depth - Math.Abs(offset);
                // out[d] = in[d - offset]: for offset > 0, out[offset..] = in[..D-offset]; for offset < 0, out[..D+offset] = in[-offset..]
                using Tensor source = input.narrow(1, start, count).narrow(2, offset >= 0 ? 0 : -offset, length);
                using Tensor target = output.narrow(1, start, count).narrow(2, offset >= 0 ? offset : 0, length);
                target.copy_(source);
            }
            return output;
        }
    }
}
