using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Preprocessing;

namespace E2ENet.Data.Training
{
    /// <summary>
    /// Deep-supervision targets: the label downsampled with nearest-neighbour interpolation (nnU-Net's
    /// downsample_seg_for_ds_transform, order 0) to each head's resolution; the first size is the patch itself.
    /// </summary>
    public static class DeepSupervision
    {
        /// <summary>One label array per size, C order.</summary>
        public static IReadOnlyList<short[]> Targets(short[] label, Int3 patch, IReadOnlyList<Int3> sizes)
        {
            var nearest = new[] { Interpolation.Nearest, Interpolation.Nearest, Interpolation.Nearest };
            return sizes.Select(size => size == patch ? (short[])label.Clone() : Resampler.ResizeLabels(label, patch, size, nearest)).ToList();
        }
    }
}
