using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Generators.Model;

namespace E2ENet.Generators.Emitting
{
    internal static partial class ModelEmitter
    {
        /// <summary>The module-list fields, named as the authors' attributes (the state-dict prefixes).</summary>
        private static void WriteFields(SourceWriter writer, NetworkIr network)
        {
            writer.Line("// Modules, named as the attributes of the authors' network: these names are the state-dict prefixes.");
            writer.Doc("<summary>The encoder, one entry per level: <c>conv_blocks_context.0</c> to <c>.4</c> are stacks of blocks, <c>.5</c> (the bottleneck) two stacks.</summary>");
            writer.Line("private readonly " + Types.ModuleList(Types.Module) + " conv_blocks_context;");
            foreach (var group in LocGroups(network))
            {
                writer.Line();
                writer.Doc("<summary><c>" + group.Field + "</c>: the fusion blocks of nodes " + string.Join(", ", group.Nodes.Select(n => n.Id)) + " (L + j = " + Diagonal(group.Nodes[0]) + ", computable once x" + Diagonal(group.Nodes[0]) + "0 exists).</summary>");
                writer.Line("private readonly " + Types.ModuleList(Types.Sequential) + " " + group.Field + ";");
            }
            foreach (var group in UpGroups(network))
            {
                writer.Line();
                writer.Doc("<summary><c>" + group.Field + "</c>: the transposed convolutions that upsample the coarser input of nodes " + string.Join(", ", group.Nodes.Select(n => n.Id)) + ".</summary>");
                writer.Line("private readonly " + Types.ModuleList(Types.UpConvolution) + " " + group.Field + ";");
            }
            writer.Line();
            writer.Doc("<summary>The 1x1x1 heads on " + string.Join(", ", network.Heads.Select(h => h.On)) + " (<c>seg_outputs.0</c> to <c>.3</c>).</summary>");
            writer.Line("private readonly " + Types.ModuleList(Types.PointwiseConvolution) + " seg_outputs;");
        }

        /// <summary>The constructor: every module with its arguments spelled out, then registration in the authors' order.</summary>
        private static void WriteConstructor(SourceWriter writer, ModelToGenerate model)
        {
            NetworkIr network = model.Network;
            writer.Doc("<summary>");
            writer.Doc("Creates the network on the CPU in float32, dense and He-initialised (Kaiming normal with a = 0.01, zero biases) as");
            writer.Doc("nnU-Net does; load trained weights with <c>load_state_dict</c> and move it with <c>to(device)</c>.");
            writer.Doc("</summary>");
            writer.Line("public " + CSharp.Identifier(model.ClassName) + "()");
            writer.Indent().Line(": base(" + CSharp.String(model.ModelName) + ")").Unindent();
            writer.Open();

            writer.Line("// Encoder: the first block of levels 1 to 5 is strided by the pool (no max-pool in the encoder).");
            writer.Line("this.conv_blocks_context = " + Types.Nn + ".ModuleList<" + Types.Module + ">(");
            writer.Indent();
            for (int i = 0; i < network.Encoder.Count; i++)
            {
                EncoderLevelIr level = network.Encoder[i];
                string end = i == network.Encoder.Count - 1 ? ");" : ",";
                string input = level.Level == 0 ? Shape(network.Spec.Input.Channels, network.Spec.Input.Patch) : Shape(network.Widths[level.Level - 1], network.Sizes[level.Level - 1]);
                writer.Line("// conv_blocks_context." + Int(level.Level) + " (x" + Int(level.Level) + "0): " + input + " to " + Shape(level.Width, level.Size));
                List<(string Suffix, List<BlockIr> Blocks)> stacks = Stacks(level.Blocks, "conv_blocks_context." + Int(level.Level));
                if (stacks.Count == 1 && stacks[0].Suffix.Length == 0) WriteStack(writer, "Stack(", stacks[0].Blocks, ")" + end);
                else WriteSequence(writer, stacks, end);
            }
            writer.Unindent();

            foreach (var group in LocGroups(network))
            {
                writer.Line();
                writer.Line("// " + group.Field + ": nodes " + string.Join(", ", group.Nodes.Select(n => n.Id)) + " (L + j = " + Diagonal(group.Nodes[0]) + "), each fuse(cat(same level, up(coarser), maxpool(finer))); the last node of a level has two blocks.");
                writer.Line("this." + group.Field + " = " + Types.Nn + ".ModuleList<" + Types.Sequential + ">(");
                writer.Indent();
                for (int n = 0; n < group.Nodes.Count; n++)
                {
                    FusionNodeIr node = group.Nodes[n];
                    string end = n == group.Nodes.Count - 1 ? ");" : ",";
                    writer.Line("// " + node.Name + " (" + node.Id + "): " + Shape(node.ConcatChannels, node.Size) + " to " + Shape(node.Width, node.Size));
                    WriteSequence(writer, Stacks(node.Blocks, node.Name), end);
                }
                writer.Unindent();
            }

            foreach (var group in UpGroups(network))
            {
                writer.Line();
                writer.Line("// " + group.Field + ": the upsampling of nodes " + string.Join(", ", group.Nodes.Select(n => n.Id)) + ", transposed convolutions with kernel = stride = the pool, no bias.");
                writer.Line("this." + group.Field + " = " + Types.Nn + ".ModuleList<" + Types.UpConvolution + ">(");
                writer.Indent();
                for (int n = 0; n < group.Nodes.Count; n++)
                {
                    UpIr up = group.Nodes[n].Up;
                    writer.Line("Up(inChannels: " + Int(up.InChannels) + ", outChannels: " + Int(up.OutChannels) + ", pool: " + CSharp.Tuple(up.Kernel) + ")"
                        + (n == group.Nodes.Count - 1 ? ");" : ",") + " // " + up.Name + " (" + group.Nodes[n].Id + "): " + Shape(up.InChannels, up.InputSize) + " to " + Shape(up.OutChannels, up.OutputSize));
                }
                writer.Unindent();
            }

            writer.Line();
            writer.Line("// Segmentation heads: 1x1x1 convolutions without bias.");
            writer.Line("this.seg_outputs = " + Types.Nn + ".ModuleList<" + Types.PointwiseConvolution + ">(");
            writer.Indent();
            for (int k = 0; k < network.Heads.Count; k++)
            {
                HeadIr head = network.Heads[k];
                writer.Line("Head(inChannels: " + Int(head.InChannels) + ", classes: " + Int(head.Classes) + ")" + (k == network.Heads.Count - 1 ? ");" : ",")
                    + " // " + head.Name + " on " + head.On + ": " + Shape(head.Classes, head.Size));
            }
            writer.Unindent();

            writer.Line();
            writer.Line("// Registered in the order of the authors' state dict: loc*, conv_blocks_context, up*, seg_outputs.");
            foreach (var group in LocGroups(network)) writer.Line("this.register_module(" + CSharp.String(group.Field) + ", this." + group.Field + ");");
            writer.Line("this.register_module(\"conv_blocks_context\", this.conv_blocks_context);");
            foreach (var group in UpGroups(network)) writer.Line("this.register_module(" + CSharp.String(group.Field) + ", this." + group.Field + ");");
            writer.Line("this.register_module(\"seg_outputs\", this.seg_outputs);");
            writer.Close();
        }

        /// <summary>A <c>Sequential</c> of stacks named as in the authors' code (<c>"0"</c>, <c>"1"</c>).</summary>
        private static void WriteSequence(SourceWriter writer, List<(string Suffix, List<BlockIr> Blocks)> stacks, string end)
        {
            writer.Line(Types.Nn + ".Sequential(");
            writer.Indent();
            for (int s = 0; s < stacks.Count; s++)
            {
                WriteStack(writer, "(" + CSharp.String(stacks[s].Suffix) + ", Stack(", stacks[s].Blocks, "))" + (s == stacks.Count - 1 ? ")" + end : ","));
            }
            writer.Unindent();
        }

        /// <summary>A stack of blocks, one block per line with its state-dict name.</summary>
        private static void WriteStack(SourceWriter writer, string open, List<BlockIr> blocks, string end)
        {
            writer.Line(open);
            writer.Indent();
            for (int b = 0; b < blocks.Count; b++)
            {
                BlockIr block = blocks[b];
                writer.Line("Block(inChannels: " + Int(block.InChannels) + ", outChannels: " + Int(block.OutChannels) + ", stride: " + CSharp.Tuple(block.Stride) + ")"
                    + (b == blocks.Count - 1 ? end : ",") + " // " + block.Name);
            }
            writer.Unindent();
        }

        /// <summary>The private factories the constructor uses: one block, a stack, a fusion node, a bottleneck, an up, a head.</summary>
        private static void WriteFactories(SourceWriter writer, NetworkIr network)
        {
            BlockSpec block = network.Spec.Block;
            double slope = block.Activation.Kind == "relu" ? 0.0 : block.Activation.Slope;
            writer.Doc("<summary>");
            writer.Doc("One basic block of this model: " + CSharp.Xml(BlockText(block)) + ".");
            writer.Doc("</summary>");
            writer.Open("private static " + Types.ConvBlock + " Block(long inChannels, long outChannels, (long D, long H, long W) stride)");
            writer.Line("return new " + Types.ConvBlock + "(");
            writer.Indent();
            writer.Line("inChannels: inChannels,");
            writer.Line("outChannels: outChannels,");
            writer.Line("kernel: " + CSharp.Tuple(block.Kernel) + ",");
            writer.Line("stride: stride,");
            writer.Line("padding: " + CSharp.Tuple(block.Padding) + ",");
            writer.Line("shift: " + (block.HasShift ? "new int[] { " + CSharp.List(block.Shift) + " }" : Types.Array + ".Empty<int>()") + ",");
            writer.Line("bias: " + CSharp.Bool(block.Bias) + ",");
            writer.Line("eps: " + CSharp.Double(block.Norm.Eps) + ",");
            writer.Line("affine: " + CSharp.Bool(block.Norm.Affine) + ",");
            writer.Line("negativeSlope: " + CSharp.Double(slope) + ");");
            writer.Unindent();
            writer.Close();
            writer.Line();
            writer.Doc("<summary>Blocks in sequence, held in a list named <c>blocks</c> (the authors' <c>StackedConvLayers</c>).</summary>");
            writer.Open("private static " + Types.StackedConvBlocks + " Stack(params " + Types.ConvBlock + "[] blocks)");
            writer.Line("return new " + Types.StackedConvBlocks + "(blocks);");
            writer.Close();
            writer.Line();
            writer.Doc("<summary>A transposed convolution with kernel = stride = <paramref name=\"pool\"/> (PyTorch's <c>ConvTranspose3d</c>), no bias, He-initialised.</summary>");
            writer.Open("private static " + Types.UpConvolution + " Up(long inChannels, long outChannels, (long D, long H, long W) pool)");
            writer.Line("return new " + Types.UpConvolution + "(inChannels: inChannels, outChannels: outChannels, pool: pool, bias: false);");
            writer.Close();
            writer.Line();
            writer.Doc("<summary>A 1x1x1 segmentation head (PyTorch's <c>Conv3d</c> with kernel 1) without bias, He-initialised.</summary>");
            writer.Open("private static " + Types.PointwiseConvolution + " Head(long inChannels, long classes)");
            writer.Line("return new " + Types.PointwiseConvolution + "(inChannels: inChannels, outChannels: classes, bias: false);");
            writer.Close();
        }

        /// <summary>loc{z} lists: the nodes of stage 5 - z, in the list's order (coarse to fine).</summary>
        private static IEnumerable<(string Field, List<FusionNodeIr> Nodes)> LocGroups(NetworkIr network)
            => Group(network, n => n.Name);

        /// <summary>up{z} lists, in the same order.</summary>
        private static IEnumerable<(string Field, List<FusionNodeIr> Nodes)> UpGroups(NetworkIr network)
            => Group(network, n => n.Up.Name);

        private static IEnumerable<(string Field, List<FusionNodeIr> Nodes)> Group(NetworkIr network, Func<FusionNodeIr, string> name)
        {
            return network.Fusion
                .Select(n => (Node: n, Parts: Split(name(n))))
                .GroupBy(x => x.Parts.Field, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => (g.Key, g.OrderBy(x => x.Parts.Index).Select(x => x.Node).ToList()));
        }

        /// <summary><c>loc0.4</c> to (<c>loc0</c>, 4).</summary>
        internal static (string Field, int Index) Split(string name)
        {
            int dot = name.IndexOf('.');
            return (name.Substring(0, dot), int.Parse(name.Substring(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture));
        }

        /// <summary>Blocks grouped by their stack: <c>prefix.blocks.i</c> (one unnamed stack) or <c>prefix.s.blocks.i</c>.</summary>
        private static List<(string Suffix, List<BlockIr> Blocks)> Stacks(IEnumerable<BlockIr> blocks, string prefix)
        {
            var stacks = new List<(string Suffix, List<BlockIr> Blocks)>();
            foreach (BlockIr block in blocks)
            {
                int at = block.Name.IndexOf(".blocks.", prefix.Length, StringComparison.Ordinal);
                string suffix = block.Name.Substring(prefix.Length, at - prefix.Length).TrimStart('.');
                if (stacks.Count == 0 || stacks[stacks.Count - 1].Suffix != suffix) stacks.Add((suffix, new List<BlockIr>()));
                stacks[stacks.Count - 1].Blocks.Add(block);
            }
            return stacks;
        }

        /// <summary>L + j of a node: the encoder level after which it can be computed (the nodes of loc{5 - (L + j)}).</summary>
        private static string Diagonal(FusionNodeIr node) => Int(node.Id.Level + node.Id.Stage);

        private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
