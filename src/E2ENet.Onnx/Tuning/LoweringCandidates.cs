using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Emit;
using E2ENet.Onnx.Pruning;
using E2ENet.Onnx.Weights;

namespace E2ENet.Onnx.Tuning
{
    /// <summary>
    /// The exact lowerings worth measuring for one block. The first is its reference lowering
    /// (<see cref="BlockLowering.Reference"/>: a <c>unit group</c> mask's own groups where they pay, else Concat); then
    /// the others of Concat (always), Branch (a fusion node's first block with two or more live sources), Grouped (when
    /// kernel-level sparsity leaves output groups whose input unions cut the multiply-accumulates by at least a fifth, and
    /// a <c>unit group</c> mask's own groups); each with the shift as Pad copies, or Folded into the convolution when its
    /// kernel has depth 1.
    /// </summary>
    public static class LoweringCandidates
    {
        /// <summary>The candidates of a block, its reference lowering first.</summary>
        public static IReadOnlyList<BlockLowering> For(DataflowLayer layer, LayerLiveness live, KernelPresence kernels, CostModel costs)
        {
            BlockIr block = layer.Block!;
            BlockLowering reference = BlockLowering.Reference(block, live, kernels);
            var shifts = new List<ShiftLowering> { reference.Shift };
            if (reference.Shift == ShiftLowering.Pad && block.Kernel.D == 1) shifts.Add(ShiftLowering.Fold);

            var convs = new List<(ConvLowering Conv, int Groups)> { (reference.Conv, reference.Groups), (ConvLowering.Concat, 1) };
            int liveSources = layer.Sources.Count(s => live.In.Any(i => i >= s.Offset && i < s.Offset + s.Channels));
            if (liveSources >= 2) convs.Add((ConvLowering.Branch, 1));
            long taps = (long)block.Kernel.Volume;
            int groups = OutputGrouping.Choose(kernels, live.Out, live.In, taps * block.OutputSize.Volume, block.InputSize.Volume, costs.CopyCostInMacs);
            if (groups > 1) convs.Add((ConvLowering.Grouped, groups));
            if (block.Mask is { Unit: SparsityUnit.Group } mask && OutputGrouping.ByUnit(kernels, live.Out, live.In, mask.Group) is { } partition
                && partition.Groups.Length > 1)
            {
                // A unit-group mask: its own groups, each reading only its kept inputs (constant fan-in, so no padding).
                convs.Add((ConvLowering.Grouped, partition.Groups.Length));
            }

            // A grouped lowering with the unit's group count is the unit's partition (BlockEmitter), whichever added it.
            return convs.Distinct().SelectMany(c => shifts.Select(s => new BlockLowering(c.Conv, s, c.Groups))).ToList();
        }
    }
}
