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
        /// <summary>One field per child of the IR's module tree, named as the authors' attributes (the state-dict prefixes).</summary>
        private static void WriteFields(SourceWriter writer, NetworkIr network)
        {
            writer.Line("// Modules, named as the attributes of the authors' network: these names are the state-dict prefixes.");
            bool first = true;
            foreach (var (path, module) in Fields(network))
            {
                if (!first) writer.Line();
                first = false;
                writer.Doc("<summary><c>" + path + "</c>: " + CSharp.Xml(module.Description) + ".</summary>");
                writer.Line("private readonly " + TypeOf(module) + " " + FieldName(path) + ";");
            }
        }

        /// <summary>
        /// The modules that get a field: the root's children, and the children of a container child (nnU-Net's
        /// <c>encoder.stages</c>, <c>decoder.stages</c>...), whose field names join the path with '_'.
        /// </summary>
        private static IEnumerable<(ModulePath Path, ModuleIr Module)> Fields(NetworkIr network)
        {
            foreach (ModuleIr child in network.Modules.Children)
            {
                if (child.Kind != ModuleKind.Container) yield return (ModulePath.Of(child.Name), child);
                else foreach (ModuleIr grandchild in child.Children) yield return (ModulePath.Of(child.Name, grandchild.Name), grandchild);
            }
        }

        /// <summary>The field of a module path: <c>loc4</c>, <c>encoder_stages</c>.</summary>
        internal static string FieldName(ModulePath path) => CSharp.Identifier(string.Join("_", path.Segments));

        /// <summary>The constructor: the module tree with every argument spelled out, then registration in the authors' order.</summary>
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
            bool first = true;
            foreach (var (path, module) in Fields(network))
            {
                if (!first) writer.Line();
                first = false;
                writer.Line("// " + path + ": " + module.Description + ".");
                WriteModule(writer, module, "this." + FieldName(path) + " = ", ";", network.Spec.Kernels.Distinct().Count() > 1);
            }
            writer.Line();
            writer.Line("// Registered in the order of the authors' state dict.");
            foreach (ModuleIr child in network.Modules.Children)
            {
                string value = child.Kind != ModuleKind.Container
                    ? "this." + FieldName(ModulePath.Of(child.Name))
                    : "new " + Types.ModuleContainer + "(" + string.Join(", ", child.Children.Select(g => "(" + CSharp.String(g.Name) + ", this." + FieldName(ModulePath.Of(child.Name, g.Name)) + ")")) + ")";
                writer.Line("this.register_module(" + CSharp.String(child.Name) + ", " + value + ");");
            }
            writer.Close();
        }

        /// <summary>The C# type of a module of the tree.</summary>
        private static string TypeOf(ModuleIr module) => module.Kind switch
        {
            ModuleKind.List => Types.ModuleList(ElementType(module)),
            ModuleKind.Sequence => Types.Sequential,
            ModuleKind.Stack => Types.StackedConvBlocks,
            ModuleKind.Block => Types.ConvBlock,
            ModuleKind.Up => Types.UpConvolution,
            ModuleKind.Head => Types.PointwiseConvolution,
            _ => Types.Module,
        };

        /// <summary>The element type of a list: the children's type when they all have the same, else any module.</summary>
        private static string ElementType(ModuleIr list)
        {
            string[] types = list.Children.Select(TypeOf).Distinct().ToArray();
            return types.Length == 1 ? types[0] : Types.Module;
        }

        /// <summary>The expression that creates a module (and its children), one leaf per line with its state-dict name.</summary>
        private static void WriteModule(SourceWriter writer, ModuleIr module, string open, string end, bool perLevelKernel)
        {
            switch (module.Kind)
            {
                case ModuleKind.List:
                case ModuleKind.Sequence:
                case ModuleKind.Stack:
                    writer.Line(open + (module.Kind == ModuleKind.List ? Types.Nn + ".ModuleList<" + ElementType(module) + ">(" : module.Kind == ModuleKind.Sequence ? Types.Nn + ".Sequential(" : "Stack("));
                    writer.Indent();
                    for (int i = 0; i < module.Children.Count; i++)
                    {
                        ModuleIr child = module.Children[i];
                        bool last = i == module.Children.Count - 1;
                        string close = module.Kind == ModuleKind.Sequence ? ")" : string.Empty;
                        string childOpen = module.Kind == ModuleKind.Sequence ? "(" + CSharp.String(child.Name) + ", " : string.Empty;
                        if (child.Kind == ModuleKind.List || child.Kind == ModuleKind.Sequence) writer.Line("// " + child.Name + ": " + child.Description);
                        WriteModule(writer, child, childOpen, close + (last ? ")" + end : ","), perLevelKernel);
                    }
                    writer.Unindent();
                    break;
                case ModuleKind.Block:
                    BlockIr block = module.Block!;
                    writer.Line(open + "Block(inChannels: " + Int(block.InChannels) + ", outChannels: " + Int(block.OutChannels)
                        + (perLevelKernel ? ", kernel: " + CSharp.Tuple(block.Kernel) : string.Empty)
                        + ", stride: " + CSharp.Tuple(block.Stride) + ")" + end + " // " + block.Name);
                    break;
                case ModuleKind.Up:
                    UpIr up = module.Up!;
                    writer.Line(open + "Up(inChannels: " + Int(up.InChannels) + ", outChannels: " + Int(up.OutChannels) + ", pool: " + CSharp.Tuple(up.Kernel) + ")" + end
                        + " // " + module.Description + ": " + Shape(up.InChannels, up.InputSize) + " to " + Shape(up.OutChannels, up.OutputSize));
                    break;
                case ModuleKind.Head:
                    HeadIr head = module.Head!;
                    writer.Line(open + "Head(inChannels: " + Int(head.InChannels) + ", classes: " + Int(head.Classes) + ")" + end + " // " + module.Description + ": " + Shape(head.Classes, head.Size));
                    break;
                default:
                    throw new System.InvalidOperationException("no generated module for " + module.Kind);
            }
        }

        /// <summary>The private factories the constructor uses: one block, a stack, an up, a head, with this model's fixed arguments.</summary>
        private static void WriteFactories(SourceWriter writer, NetworkIr network)
        {
            BlockSpec block = network.Spec.Block;
            double slope = block.Activation.NegativeSlope;
            bool perLevelKernel = network.Spec.Kernels.Distinct().Count() > 1;
            string norm = network.Blocks.Select(b => b.Norm).FirstOrDefault() ?? "instnorm";
            writer.Doc("<summary>");
            writer.Doc("One basic block of this model: " + CSharp.Xml(BlockText(block)) + (perLevelKernel ? " (the kernel of its level)" : string.Empty) + ".");
            writer.Doc("</summary>");
            writer.Open("private static " + Types.ConvBlock + " Block(long inChannels, long outChannels, " + (perLevelKernel ? "(long D, long H, long W) kernel, " : string.Empty) + "(long D, long H, long W) stride)");
            writer.Line("return new " + Types.ConvBlock + "(");
            writer.Indent();
            writer.Line("inChannels: inChannels,");
            writer.Line("outChannels: outChannels,");
            writer.Line("kernel: " + (perLevelKernel ? "kernel" : CSharp.Tuple(block.Kernel)) + ",");
            writer.Line("stride: stride,");
            writer.Line("padding: " + (perLevelKernel ? "(kernel.D / 2, kernel.H / 2, kernel.W / 2)" : CSharp.Tuple(block.Padding)) + ",");
            writer.Line("shift: " + (block.HasShift ? "new int[] { " + CSharp.List(block.Shift) + " }" : Types.Array + ".Empty<int>()") + ",");
            writer.Line("bias: " + CSharp.Bool(block.Bias) + ",");
            writer.Line("eps: " + CSharp.Double(block.Norm.Eps) + ",");
            writer.Line("affine: " + CSharp.Bool(block.Norm.Affine) + ",");
            writer.Line("negativeSlope: " + CSharp.Double(slope) + (norm == "instnorm" ? ");" : ","));
            if (norm != "instnorm") writer.Line("normName: " + CSharp.String(norm) + ");");
            writer.Unindent();
            writer.Close();
            writer.Line();
            string field = StackField(network.Modules);
            writer.Doc("<summary>Blocks in sequence, held in a list named <c>" + field + "</c> (the authors' <c>StackedConvLayers</c>, nnU-Net's <c>StackedConvBlocks</c>).</summary>");
            writer.Open("private static " + Types.StackedConvBlocks + " Stack(params " + Types.ConvBlock + "[] blocks)");
            writer.Line("return new " + Types.StackedConvBlocks + "(" + (field == "blocks" ? string.Empty : CSharp.String(field) + ", ") + "blocks);");
            writer.Close();
            writer.Line();
            bool upBias = network.Modules.Leaves().Any(l => l.Module.Up?.Bias == true);
            writer.Doc("<summary>A transposed convolution with kernel = stride = <paramref name=\"pool\"/> (PyTorch's <c>ConvTranspose3d</c>), " + (upBias ? "with" : "no") + " bias, He-initialised.</summary>");
            writer.Open("private static " + Types.UpConvolution + " Up(long inChannels, long outChannels, (long D, long H, long W) pool)");
            writer.Line("return new " + Types.UpConvolution + "(inChannels: inChannels, outChannels: outChannels, pool: pool, bias: " + CSharp.Bool(upBias) + ");");
            writer.Close();
            writer.Line();
            bool headBias = network.Heads.Any(h => h.Bias);
            writer.Doc("<summary>A 1x1x1 segmentation head (PyTorch's <c>Conv3d</c> with kernel 1) " + (headBias ? "with" : "without") + " bias, He-initialised.</summary>");
            writer.Open("private static " + Types.PointwiseConvolution + " Head(long inChannels, long classes)");
            writer.Line("return new " + Types.PointwiseConvolution + "(inChannels: inChannels, outChannels: classes, bias: " + CSharp.Bool(headBias) + ");");
            writer.Close();
        }

        /// <summary>The list name of the model's stacks (the first stack found in the tree).</summary>
        private static string StackField(ModuleIr module)
            => module.Kind == ModuleKind.Stack ? module.Field : module.Children.Select(StackField).FirstOrDefault(f => f != "blocks") ?? "blocks";

        private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
