using System;
using System.Linq;
using E2ENet.Compiler.Semantics;

namespace E2ENet.Compiler.Ir
{
    /// <summary>
    /// What running a network needs in memory, in bytes (fp32), decided from the IR before anything is allocated, so that work
    /// that cannot fit is refused with the estimate instead of failing (or swapping) half-way. Estimates, not measurements: they
    /// count the tensors the network keeps and the largest ones it makes at once, plus a quarter for the convolution library's
    /// workspace and allocator slack; docs/reliability.md compares them with measured peaks.
    /// </summary>
    public static class MemoryEstimate
    {
        /// <summary>The weights: 4 bytes per parameter.</summary>
        public static long Weights(NetworkIr ir) => checked(4L * ir.Totals.DenseParameters);

        /// <summary>A training step at the model's patch and batch (the IR's own estimate: activations autograd keeps, weights, gradients, momentum, masks).</summary>
        public static long TrainingStep(NetworkIr ir) => ir.TrainingMemoryBytes;

        /// <summary>
        /// Inference (no autograd) on <paramref name="batch"/> inputs of spatial size <paramref name="size"/>: the weights, the input
        /// and output, every node's output (each may still be needed by a later fusion node), and the largest block's and fusion
        /// node's temporaries (shifted input, convolution and normalization outputs; upsampled source, pooled source, concatenation).
        /// Activations scale with the voxels of <paramref name="size"/> against the patch the IR was built at.
        /// </summary>
        public static long Inference(NetworkIr ir, Int3 size, long batch)
        {
            ModelSpec spec = ir.Spec;
            bool shift = spec.Block.HasShift;
            double kept = 0;
            foreach (EncoderLevelIr level in ir.Encoder) kept += (double)level.Width * level.Size.Volume;
            foreach (FusionNodeIr fusion in ir.Fusion) kept += (double)fusion.Width * fusion.Size.Volume;
            double block = ir.Blocks.Select(b => (shift ? 2.0 : 1.0) * b.InChannels * b.InputSize.Volume + 2.0 * b.OutChannels * b.OutputSize.Volume).DefaultIfEmpty(0).Max();
            double node = ir.Fusion.Select(f => ((double)f.ConcatChannels + f.Up.OutChannels + (f.DownPool != null ? f.Inputs[2].Channels : 0)) * f.Size.Volume).DefaultIfEmpty(0).Max();
            double heads = ir.Heads.Select(h => 2.0 * h.Classes * h.Size.Volume).DefaultIfEmpty(0).Max();
            double scale = (double)size.Volume / spec.Input.Patch.Volume;
            double activations = (kept + block + node + heads) * scale * batch;
            double io = ((double)spec.Input.Channels + spec.Classes) * size.Volume * batch;
            return Clamp(4.0 * (1.25 * activations + io) + Weights(ir));
        }

        /// <summary>Bytes as a long, saturating (an absurd model or size gives <see cref="long.MaxValue"/>, never an overflow).</summary>
        public static long Clamp(double bytes) => bytes >= long.MaxValue ? long.MaxValue : (long)Math.Ceiling(Math.Max(0, bytes));
    }
}
