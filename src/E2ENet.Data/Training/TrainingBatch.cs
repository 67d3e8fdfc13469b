using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Semantics;
using static TorchSharp.torch;

namespace E2ENet.Data.Training
{
    /// <summary>
    /// One batch for the trainer. <see cref="Images"/>: (B, C, D, H, W) float32; <see cref="Targets"/>[k]: (B, 1, d_k,
    /// h_k, w_k) labels 0..K-1 at <see cref="TargetSizes"/>[k], full resolution first (the heads' order: x05, x14, x23,
    /// x32). All C order.
    /// </summary>
    public sealed class TrainingBatch
    {
        /// <summary>Creates a batch.</summary>
        public TrainingBatch(long index, int channels, Int3 patch, float[] images, IReadOnlyList<Int3> targetSizes, IReadOnlyList<short[]> targets, IReadOnlyList<PatchChoice> choices)
        {
            Index = index;
            Channels = channels;
            Patch = patch;
            Images = images;
            TargetSizes = targetSizes;
            Targets = targets;
            Choices = choices;
        }

        /// <summary>The batch's position in the stream (0, 1, ...).</summary>
        public long Index { get; }

        /// <summary>Patches in the batch.</summary>
        public int Size => Choices.Count;

        /// <summary>Input channels.</summary>
        public int Channels { get; }

        /// <summary>(D, H, W).</summary>
        public Int3 Patch { get; }

        /// <summary>(B, C, D, H, W).</summary>
        public float[] Images { get; }

        /// <summary>Sizes of the targets, full resolution first.</summary>
        public IReadOnlyList<Int3> TargetSizes { get; }

        /// <summary>Labels per target size: (B, 1, d, h, w).</summary>
        public IReadOnlyList<short[]> Targets { get; }

        /// <summary>Where each patch came from (case, centre, forced foreground).</summary>
        public IReadOnlyList<PatchChoice> Choices { get; }

        /// <summary>The images as a tensor (B, C, D, H, W) float32 on <paramref name="device"/>.</summary>
        public Tensor ImageTensor(Device? device = null)
        {
            Tensor t = tensor(Images, new long[] { Size, Channels, Patch.D, Patch.H, Patch.W });
            return device == null ? t : t.to(device);
        }

        /// <summary>The targets as int64 tensors (B, 1, d, h, w), full resolution first (the loss takes them as class indices).</summary>
        public Tensor[] TargetTensors(Device? device = null) => TargetSizes.Select((size, k) =>
        {
            Tensor t = tensor(Targets[k].Select(v => (long)v).ToArray(), new long[] { Size, 1, size.D, size.H, size.W });
            return device == null ? t : t.to(device);
        }).ToArray();
    }
}
