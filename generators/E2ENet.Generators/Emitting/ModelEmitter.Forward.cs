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
        /// <summary><c>forward</c>, <c>ForwardDeepSupervision</c>, the straight-line node computation and the input check.</summary>
        private static void WriteForward(SourceWriter writer, ModelToGenerate model)
        {
            NetworkIr network = model.Network;
            ModelSpec spec = network.Spec;
            HeadIr[] heads = network.Heads.ToArray();
            string inputShape = Shape(spec.Input.Channels, spec.Input.Patch);
            string inputDoc = "The image, (B, " + Int(spec.Input.Channels) + ", D, H, W) in float32, D, H and W multiples of " + CSharp.Tuple(network.Spec.Pools.Aggregate(Int3.All(1), (a, b) => a * b))
                + "; at the patch " + inputShape + ".";

            writer.Doc("<summary>Inference: the logits of the head on " + heads[0].On + " at full resolution (softmax is applied outside the network).</summary>");
            writer.Doc("<param name=\"input\">" + CSharp.Xml(inputDoc) + "</param>");
            writer.Doc("<returns>(B, " + Int(spec.Classes) + ", D, H, W); at the patch " + Shape(spec.Classes, spec.Input.Patch) + ".</returns>");
            writer.Doc("<exception cref=\"global::System.ArgumentException\">The input's shape does not fit the model.</exception>");
            writer.Open("public override " + Types.Tensor + " forward(" + Types.Tensor + " input)");
            writer.Line("CheckInput(input);");
            writer.Line("using " + Types.DisposeScope + " scope = " + Types.Torch + ".NewDisposeScope();");
            writer.Line(NodesTuple(heads) + " nodes = this.Nodes(input);");
            writer.Line(Types.Tensor + " logits = this.seg_outputs[0].call(nodes." + Cap(heads[0].On) + "); // " + heads[0].Name + ": " + Shape(heads[0].Classes, heads[0].Size));
            writer.Line("return logits.MoveToOuterDisposeScope();");
            writer.Close();
            writer.Line();

            writer.Doc("<summary>");
            writer.Doc("Training with deep supervision: the logits of the four heads, full resolution first, each at its level's size:");
            writer.Doc(string.Join(", ", heads.Select(h => h.Name + " on " + h.On + " " + Shape(h.Classes, h.Size))) + " at the patch.");
            writer.Doc("</summary>");
            writer.Doc("<param name=\"input\">" + CSharp.Xml(inputDoc) + "</param>");
            writer.Doc("<returns>Four tensors of logits; the loss weighs them in the ratio "
                + string.Join(" : ", spec.Heads.DeepSupervision.Select(w => w.ToString("R", CultureInfo.InvariantCulture))) + " (<c>heads.deep_supervision</c>).</returns>");
            writer.Doc("<exception cref=\"global::System.ArgumentException\">The input's shape does not fit the model.</exception>");
            writer.Open("public " + Types.Tensor + "[] ForwardDeepSupervision(" + Types.Tensor + " input)");
            writer.Line("CheckInput(input);");
            writer.Line("using " + Types.DisposeScope + " scope = " + Types.Torch + ".NewDisposeScope();");
            writer.Line(NodesTuple(heads) + " nodes = this.Nodes(input);");
            writer.Line("return new " + Types.Tensor + "[]");
            writer.Open();
            foreach (HeadIr head in heads)
            {
                writer.Line("this.seg_outputs[" + Int(head.Index) + "].call(nodes." + Cap(head.On) + ").MoveToOuterDisposeScope(), // " + head.Name + ": " + Shape(head.Classes, head.Size));
            }
            writer.Close("};");
            writer.Close();
            writer.Line();

            WriteNodes(writer, network, heads);
            writer.Line();
            WriteCheckInput(writer, model);
        }

        /// <summary>The encoder and the fusion graph, node by node, written out.</summary>
        private static void WriteNodes(SourceWriter writer, NetworkIr network, HeadIr[] heads)
        {
            string tuple = NodesTuple(heads);
            writer.Doc("<summary>");
            writer.Doc("Computes every node in evaluation order (each encoder level, then the fusion nodes it makes computable) and returns");
            writer.Doc("the nodes the heads read; node <c>xLj</c> is the paper's x[L][j] (level L, stage j; x10 is encoder level 1).");
            writer.Doc("Runs inside the caller's dispose scope; every other tensor is disposed after its last use.");
            writer.Doc("</summary>");
            writer.Open("private " + tuple + " Nodes(" + Types.Tensor + " input)");
            bool first = true;
            foreach (ForwardStep step in ForwardPlan.Build(network))
            {
                if (!first) writer.Line();
                first = false;
                string x = step.Id.ToString();
                if (step.Encoder != null)
                {
                    EncoderLevelIr level = step.Encoder;
                    string source = level.Level == 0 ? "input" : new NodeId(level.Level - 1, 0).ToString();
                    Int3 inputSize = level.Blocks[0].InputSize;
                    writer.Line("// " + x + " = conv_blocks_context." + Int(level.Level) + "(" + source + "): encoder level " + Int(level.Level)
                        + (level.Level == 0 ? string.Empty : ", strided by " + CSharp.Tuple(level.Blocks[0].Stride)) + ", "
                        + Shape(level.Blocks[0].InChannels, inputSize) + " to " + Shape(level.Width, level.Size));
                    writer.Line(Types.Tensor + " " + x + " = this.conv_blocks_context[" + Int(level.Level) + "].call(" + source + ");");
                }
                else
                {
                    WriteFusionNode(writer, step.Node!);
                }
                foreach (NodeId dead in step.Releases) writer.Line(dead + ".Dispose(); // last read");
            }
            writer.Line();
            writer.Line("return (" + string.Join(", ", heads.Select(h => h.On.ToString())) + ");");
            writer.Close();
        }

        private static void WriteFusionNode(SourceWriter writer, FusionNodeIr node)
        {
            string x = node.Id.ToString();
            (string locField, int locIndex) = Split(node.Name);
            (string upField, int upIndex) = Split(node.Up.Name);
            var parts = new List<string>();
            var temporaries = new List<string>();
            writer.Line("// " + x + " = " + node.Name + "(cat(" + string.Join(", ", node.Inputs.Select(i => InputText(node, i))) + ")): "
                + string.Join(" + ", node.Inputs.Select(i => Int(i.Channels))) + " = " + Int(node.ConcatChannels) + " channels at "
                + node.Size.ToSizeString() + " to " + Shape(node.Width, node.Size) + (node.Blocks.Count > 1 ? ", two blocks (the last node of level " + Int(node.Id.Level) + ")" : string.Empty));
            foreach (FusionInputIr input in node.Inputs)
            {
                switch (input.Kind)
                {
                    case SourceKind.Same:
                        parts.Add(input.From.ToString());
                        break;
                    case SourceKind.Up:
                        writer.Line(Types.Tensor + " " + x + "Up = this." + upField + "[" + Int(upIndex) + "].call(" + input.From + "); // " + Shape(input.Channels, node.Size));
                        parts.Add(x + "Up");
                        temporaries.Add(x + "Up");
                        break;
                    case SourceKind.Down:
                        Int3 pool = node.DownPool!.Value;
                        string sizes = "new long[] { " + Int(pool.D) + ", " + Int(pool.H) + ", " + Int(pool.W) + " }";
                        writer.Line(Types.Tensor + " " + x + "Down = " + Types.Nn + ".functional.max_pool3d(" + input.From + ", kernel_size: " + sizes + ", strides: " + sizes + "); // " + Shape(input.Channels, node.Size));
                        parts.Add(x + "Down");
                        temporaries.Add(x + "Down");
                        break;
                }
            }
            writer.Line(Types.Tensor + " " + x + "Cat = " + Types.Torch + ".cat(new " + Types.Tensor + "[] { " + string.Join(", ", parts) + " }, dim: 1); // " + Shape(node.ConcatChannels, node.Size));
            temporaries.Add(x + "Cat");
            writer.Line(Types.Tensor + " " + x + " = this." + locField + "[" + Int(locIndex) + "].call(" + x + "Cat); // " + Shape(node.Width, node.Size));
            writer.Line(string.Join(" ", temporaries.Select(t => t + ".Dispose();")));
        }

        /// <summary>A clear error for an input the network cannot take, before any computation.</summary>
        private static void WriteCheckInput(SourceWriter writer, ModelToGenerate model)
        {
            ModelSpec spec = model.Network.Spec;
            Int3 divisor = spec.Pools.Aggregate(Int3.All(1), (a, b) => a * b);
            string message = string.Format(CultureInfo.InvariantCulture,
                "model {0} takes a float32 input (B, {1}, D, H, W) with D a multiple of {2}, H of {3} and W of {4} (the products of the pools) and more than one voxel at the bottleneck, but got ",
                spec.Name, spec.Input.Channels, divisor.D, divisor.H, divisor.W);
            writer.Doc("<summary>Throws an <see cref=\"global::System.ArgumentException\"/> that says what is wrong when <paramref name=\"input\"/> does not fit the model.</summary>");
            writer.Open("private static void CheckInput(" + Types.Tensor + " input)");
            writer.Line("long[] shape = input.shape;");
            writer.Line("bool fits = shape.Length == 5 && shape[0] > 0 && shape[1] == InputChannels && input.dtype == " + Types.Torch + ".ScalarType.Float32");
            writer.Indent();
            writer.Line("&& shape[2] >= " + Int(divisor.D) + " && shape[2] % " + Int(divisor.D) + " == 0");
            writer.Line("&& shape[3] >= " + Int(divisor.H) + " && shape[3] % " + Int(divisor.H) + " == 0");
            writer.Line("&& shape[4] >= " + Int(divisor.W) + " && shape[4] % " + Int(divisor.W) + " == 0");
            writer.Line("&& shape[2] / " + Int(divisor.D) + " * (shape[3] / " + Int(divisor.H) + ") * (shape[4] / " + Int(divisor.W) + ") > 1;");
            writer.Unindent();
            writer.Open("if (!fits)");
            writer.Line("throw new global::System.ArgumentException(" + CSharp.String(message) + " + input.dtype + \" (\" + string.Join(\", \", shape) + \").\", nameof(input));");
            writer.Close();
            writer.Close();
        }

        /// <summary>The tuple of the nodes the heads read: <c>(Tensor X05, Tensor X14, Tensor X23, Tensor X32)</c>.</summary>
        private static string NodesTuple(HeadIr[] heads) => "(" + string.Join(", ", heads.Select(h => Types.Tensor + " " + Cap(h.On))) + ")";

        /// <summary>The tuple element name of a node: <c>X05</c>.</summary>
        private static string Cap(NodeId id) => "X" + id.ToString().Substring(1);
    }
}
