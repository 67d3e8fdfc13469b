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
    /// The exact lowerings worth measuring for one block: the convolution as Concat (always), Branch (a fusion node's first
    /// block with two or more live sources), Grouped (when kernel-level sparsity leaves output groups whose input unions
    /// cut the multiply-accumulates by at least a fifth; and a <c>unit group</c> mask's own groups); each with the shift as
    /// Pad copies, or Folded into the convolution
    /// when its kernel has depth 1. The first candidate is the reference lowering.
    /// </summary>
    public static class LoweringCandidates
    {
        /// <summary>The candidates of a block.</summary>
        public static IReadOnlyList<BlockLowering> For(DataflowLayer layer, LayerLiveness live, KernelPresence kernels, CostModel costs)
        {
            BlockIr block = layer.Block!;
            var shifts = new List<ShiftLowering>();
            if (NetworkEmitter.HasShift(block))
            {
                shifts.Add(ShiftLowering.Pad);
                if (block.Kernel.D == 1) shifts.Add(ShiftLowering.Fold);
            }
            else
            {
                shifts.Add(ShiftLowering.None);
            }

            var convs = new List<(ConvLowering Conv, int Groups)> { (ConvLowering.Concat, 1) };
            int liveSources = layer.Sources.Count(s => live.In.Any(i => i >= s.Offset && i < s.Offset + s.Channels));
            if (liveSources >= 2) convs.Add((ConvLowering.Branch, 1));
            long taps = (long)block.Kernel.Volume;
            int groups = OutputGrouping.Choose(kernels, live.Out, live.In, taps * block.OutputSize.Volume, block.InputSize.Volume, costs.CopyCostInMacs);
            if (groups > 1) convs.Add((ConvLowering.Grouped, groups));
            if (block.Mask is { Unit: SparsityUnit.Group } mask && OutputGrouping.ByUnit(kernels, live.Out, live.In, mask.Group) is { } partition
                && partition.Groups.Length > 1 && partition.Groups.Length != groups)
            {
                // A unit-group mask: its own groups, each reading only its kept inputs (constant fan-in, so no padding).
                convs.Add((ConvLowering.Grouped, partition.Groups.Length));
            }

            return convs.SelectMany(c => shifts.Select(s => new BlockLowering(c.Conv, s, c.Groups))).ToList();
        }
    }
}
