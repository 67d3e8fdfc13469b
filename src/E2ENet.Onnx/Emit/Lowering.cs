using System.Globalization;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Pruning;
using E2ENet.Onnx.Weights;

namespace E2ENet.Onnx.Emit
{
    /// <summary>How a block's depth shift becomes ONNX.</summary>
    public enum ShiftLowering
    {
        /// <summary>No shift (the block has none, or every offset is 0).</summary>
        None,

        /// <summary>
        /// Copies: per channel group, select its channels (Slice or Gather) and move them along depth with one Pad whose
        /// pads are (+o at the front, -o at the end): exact zero fill for any depth, no Roll; then Concat.
        /// </summary>
        Pad,

        /// <summary>
        /// No copies: the shift is folded into the convolution, whose depth kernel grows from 1 to 1 + 2 max|o| with one
        /// non-zero tap per input channel (at max|o| - o) and depth padding max|o|. Exact for depth-1 kernels only; more
        /// multiply-accumulates (the zero taps are computed).
        /// </summary>
        Fold,
    }

    /// <summary>How a block's convolution over its (concatenated) input becomes ONNX.</summary>
    public enum ConvLowering
    {
        /// <summary>One Concat of the live channels of every source, then one Conv.</summary>
        Concat,

        /// <summary>No concatenation: one Conv per live source over its live channels, summed (Sum); the bias on the first.</summary>
        Branch,

        /// <summary>
        /// Output channels in G groups, each convolving only the union of its outputs' live input channels: one Gather
        /// (channels may repeat across groups; groups are padded to the largest union with zero weights) and one grouped
        /// Conv. Executes fewer multiply-accumulates when kernel-level sparsity leaves groups with small unions.
        /// </summary>
        Grouped,
    }

    /// <summary>The lowering of one block: its convolution and its shift (and the group count of a grouped convolution).</summary>
    public sealed record BlockLowering(ConvLowering Conv, ShiftLowering Shift, int Groups = 1)
    {
        /// <summary>
        /// The reference lowering of a block: the one its sparsity unit defines, with the shift as Pad copies. A
        /// <c>unit group</c> mask's own groups (<see cref="ConvLowering.Grouped"/>, one group per mask group with a live
        /// output, each reading only its kept inputs) when that executes at most four fifths of one convolution over every
        /// live input (<see cref="OutputGrouping.ByUnitIfSmaller"/>): exact by construction, and what the unit was trained to
        /// execute. Otherwise (the kernel and channel units, dense blocks, a dense export) one Concat and one Conv. It is
        /// what <c>--no-tune</c> exports, the tuner's first candidate and the baseline of its whole-graph check.
        /// </summary>
        public static BlockLowering Reference(BlockIr block, LayerLiveness live, KernelPresence kernels)
        {
            ShiftLowering shift = NetworkEmitter.HasShift(block) ? ShiftLowering.Pad : ShiftLowering.None;
            if (block.Mask is { Unit: SparsityUnit.Group } mask && OutputGrouping.ByUnitIfSmaller(kernels, live.Out, live.In, mask.Group) is { } partition)
            {
                return new BlockLowering(ConvLowering.Grouped, shift, partition.Groups.Length);
            }
            return new BlockLowering(ConvLowering.Concat, shift);
        }

        /// <summary>E.g. <c>concat+pad</c>, <c>grouped8+fold</c>, <c>branch</c>.</summary>
        public override string ToString()
        {
            string conv = Conv switch
            {
                ConvLowering.Concat => "concat",
                ConvLowering.Branch => "branch",
                _ => "grouped" + Groups.ToString(CultureInfo.InvariantCulture),
            };
            return Shift switch
            {
                ShiftLowering.Pad => conv + "+pad",
                ShiftLowering.Fold => conv + "+fold",
                _ => conv,
            };
        }
    }

    /// <summary>A value as it exists in the graph: its ONNX name and which channel of the network value each tensor channel is.</summary>
    /// <param name="Tensor">The ONNX value name.</param>
    /// <param name="Layout">Layout[k] = the network channel held at tensor channel k (pruning drops channels; grouping permutes them).</param>
    public sealed record EmittedValue(string Tensor, int[] Layout);

    /// <summary>What one layer executes in the exported graph, at the model's patch.</summary>
    public sealed record LayerExecution(string Lowering, long Parameters, long NonZeroParameters, long Macs, long CopiedElements, int InChannels, int OutChannels)
    {
        /// <summary>Nothing (a layer removed by pruning).</summary>
        public static readonly LayerExecution Removed = new LayerExecution("removed", 0, 0, 0, 0, 0, 0);
    }
}
