using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Onnx.Pruning;

namespace E2ENet.Onnx.Emit
{
    /// <summary>A piece of a convolution's input: a tensor whose channels are, in order, these channels of the (concatenated) input.</summary>
    public sealed record InputPiece(string Tensor, int[] ConcatIndices, int Source);

    /// <summary>
    /// Builds the input of a block from its sources: the live channels of each source, depth-shifted per channel group
    /// (docs/method.md, "Restricted depth shift": chunks of ceil(C / S) of the concatenation, chunk k moved by offsets[k]) when the shift is lowered to
    /// copies, or selected only (the convolution then carries the shift) when it is folded or absent.
    /// </summary>
    public static class InputAssembler
    {
        /// <summary>The shift offset of each channel of a block's input (all 0 without a shift).</summary>
        public static int[] Offsets(BlockIr block)
        {
            var offsets = new int[block.InChannels];
            if (block.Shift.Count == 0) return offsets;
            int chunk = block.ShiftChunk;
            for (int i = 0; i < offsets.Length; i++) offsets[i] = block.Shift[i / chunk];
            return offsets;
        }

        /// <summary>
        /// The pieces of the input. <paramref name="required"/> are the concatenation indices the convolution reads (ascending);
        /// <paramref name="sources"/> the emitted sources in <paramref name="layer"/>'s order (null where nothing is read).
        /// With <see cref="ShiftLowering.Pad"/> each piece is one channel group of one source, already shifted; otherwise a
        /// piece is a source's channels, selected only when that saves more than the copy costs (unread channels then ride
        /// along with zero weights, which is exact).
        /// </summary>
        public static List<InputPiece> Assemble(EmitContext context, DataflowLayer layer, IReadOnlyList<EmittedValue?> sources, int[] required,
            ShiftLowering shift, int outChannels, long macsPerInputChannel, long inVoxels, ref long copied)
        {
            BlockIr block = layer.Block!;
            int[] offsets = Offsets(block);
            var pieces = new List<InputPiece>();
            for (int s = 0; s < layer.Sources.Count; s++)
            {
                SourceRef source = layer.Sources[s];
                int[] read = required.Where(i => i >= source.Offset && i < source.Offset + source.Channels).ToArray();
                if (read.Length == 0) continue;
                EmittedValue value = sources[s] ?? throw new InvalidOperationException("source " + source.Value + " of " + layer.Name + " was not emitted");
                var position = new Dictionary<int, int>();
                for (int k = 0; k < value.Layout.Length; k++) position[value.Layout[k]] = k;
                string name = layer.Name + "." + source.Kind.ToString().ToLowerInvariant();

                if (shift == ShiftLowering.Pad)
                {
                    int start = 0;
                    while (start < read.Length)
                    {
                        int offset = offsets[read[start]];
                        int end = start;
                        while (end < read.Length && offsets[read[end]] == offset) end++;
                        int[] group = read.Skip(start).Take(end - start).OrderBy(i => position[i - source.Offset]).ToArray();
                        int[] positions = group.Select(i => position[i - source.Offset]).ToArray();
                        string groupName = name + ".g" + start.ToString(CultureInfo.InvariantCulture);
                        string tensor = ChannelSelect.Select(context, value.Tensor, positions, value.Layout.Length, groupName);
                        if (tensor != value.Tensor) copied += positions.Length * inVoxels;
                        if (offset != 0)
                        {
                            tensor = ChannelSelect.ShiftDepth(context, tensor, offset, groupName);
                            copied += positions.Length * inVoxels;
                        }
                        pieces.Add(new InputPiece(tensor, group, s));
                        start = end;
                    }
                }
                else
                {
                    int[] all = Enumerable.Range(0, value.Layout.Length).ToArray();
                    long unread = value.Layout.Length - read.Length;
                    bool select = unread > 0 && unread * outChannels * macsPerInputChannel > context.Costs.CopyCostInMacs * read.Length * inVoxels;
                    int[] positions = select ? read.Select(i => position[i - source.Offset]).OrderBy(p => p).ToArray() : all;
                    string tensor = ChannelSelect.Select(context, value.Tensor, positions, value.Layout.Length, name);
                    if (tensor != value.Tensor) copied += positions.Length * inVoxels;
                    pieces.Add(new InputPiece(tensor, positions.Select(p => source.Offset + value.Layout[p]).ToArray(), s));
                }
            }
            return pieces;
        }

        /// <summary>Concatenates pieces along channels (nothing when there is one); returns the tensor and its channel order.</summary>
        public static (string Tensor, int[] Order) Concat(EmitContext context, IReadOnlyList<InputPiece> pieces, string name, long inVoxels, ref long copied)
        {
            int[] order = pieces.SelectMany(p => p.ConcatIndices).ToArray();
            if (pieces.Count == 1) return (pieces[0].Tensor, order);
            copied += order.Length * inVoxels;
            string tensor = context.Graph.Add("Concat", name + ".concat", pieces.Select(p => p.Tensor), Proto.OnnxAttribute.Of("axis", 1L));
            return (tensor, order);
        }
    }
}
