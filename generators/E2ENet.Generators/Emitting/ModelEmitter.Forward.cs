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
            writer.Doc("<exception cref=\"global::E2ENet.Torch.Diagnostics.E2ENetTorchException\">The input does not fit the model (E2E3003, E2E3109, E2E3004).</exception>");
            writer.Open("public override " + Types.Tensor + " forward(" + Types.Tensor + " input)");
            writer.Line("CheckInput(input);");
            writer.Line("using " + Types.DisposeScope + " scope = " + Types.Torch + ".NewDisposeScope();");
            writer.Line(NodesTuple(heads) + " nodes = this.Nodes(input);");
            writer.Line(Types.Tensor + " logits = " + HeadAccess(network, heads[0]) + ".call(nodes." + Cap(heads[0].On) + "); // " + heads[0].Name + ": " + Shape(heads[0].Classes, heads[0].Size));
            writer.Line("return logits.MoveToOuterDisposeScope();");
            writer.Close();
            writer.Line();

            writer.Doc("<summary>");
            writer.Doc("Training with deep supervision: the logits of the " + HeadCount(heads.Length) + " heads, full resolution first, each at its level's size:");
            writer.Doc(string.Join(", ", heads.Select(h => h.Name + " on " + h.On + " " + Shape(h.Classes, h.Size))) + " at the patch.");
            writer.Doc("</summary>");
            writer.Doc("<param name=\"input\">" + CSharp.Xml(inputDoc) + "</param>");
            writer.Doc("<returns>" + char.ToUpperInvariant(HeadCount(heads.Length)[0]) + HeadCount(heads.Length).Substring(1) + " tensors of logits; the loss weighs them in the ratio "
                + string.Join(" : ", spec.Heads.DeepSupervision.Select(w => w.ToString("R", CultureInfo.InvariantCulture))) + " (<c>heads.deep_supervision</c>).</returns>");
            writer.Doc("<exception cref=\"global::E2ENet.Torch.Diagnostics.E2ENetTorchException\">The input does not fit the model (E2E3003, E2E3109, E2E3004).</exception>");
            writer.Open("public " + Types.Tensor + "[] ForwardDeepSupervision(" + Types.Tensor + " input)");
            writer.Line("CheckInput(input);");
            writer.Line("using " + Types.DisposeScope + " scope = " + Types.Torch + ".NewDisposeScope();");
            writer.Line(NodesTuple(heads) + " nodes = this.Nodes(input);");
            writer.Line("return new " + Types.Tensor + "[]");
            writer.Open();
            foreach (HeadIr head in heads)
            {
                writer.Line(HeadAccess(network, head) + ".call(nodes." + Cap(head.On) + ").MoveToOuterDisposeScope(), // " + head.Name + ": " + Shape(head.Classes, head.Size));
            }
            writer.Close("};");
            writer.Close();
            writer.Line();

            WriteNodes(writer, network, heads);
            writer.Line();
            WriteCheckInput(writer, model);
        }

        /// <summary>The IR's schedule, step by step, written out: one statement per step, each value disposed after its last reader.</summary>
        private static void WriteNodes(SourceWriter writer, NetworkIr network, HeadIr[] heads)
        {
            string tuple = NodesTuple(heads);
            writer.Doc("<summary>");
            writer.Doc("Computes every node in evaluation order (each encoder level, then the fusion nodes it makes computable) and returns");
            writer.Doc("the nodes the heads read; node <c>xLj</c> is the paper's x[L][j] (level L, stage j; x10 is encoder level 1).");
            writer.Doc("Runs inside the caller's dispose scope; every other tensor is disposed after its last use.");
            writer.Doc("</summary>");
            writer.Open("private " + tuple + " Nodes(" + Types.Tensor + " input)");
            var shapes = network.Schedule.ToDictionary(s => s.Output, s => (s.Channels, s.Size));
            shapes["input"] = (network.Spec.Input.Channels, network.Spec.Input.Patch);
            bool first = true;
            foreach (var (node, steps) in ScheduleView.Groups(network))
            {
                if (!first) writer.Line();
                first = false;
                StepIr result = steps[steps.Count - 1];
                var (inChannels, inSize) = shapes[result.Inputs[0]];
                writer.Line("// " + result.Output + " = " + ScheduleView.Expression(steps, result.Output) + ": " + result.Description + ", "
                    + Shape(inChannels, inSize) + " to " + Shape(result.Channels, result.Size));
                foreach (StepIr step in steps)
                {
                    string value = Types.Tensor + " " + step.Output + " = ";
                    string shape = " // " + Shape(step.Channels, step.Size);
                    switch (step.Kind)
                    {
                        case StepKind.Run:
                        case StepKind.Up:
                            writer.Line(value + ScheduleView.Access(step.Module!) + ".call(" + step.Inputs[0] + ");" + shape);
                            break;
                        case StepKind.Pool:
                            Int3 pool = step.Pool!.Value;
                            string sizes = "new long[] { " + Int(pool.D) + ", " + Int(pool.H) + ", " + Int(pool.W) + " }";
                            writer.Line(value + Types.Nn + ".functional.max_pool3d(" + step.Inputs[0] + ", kernel_size: " + sizes + ", strides: " + sizes + ");" + shape);
                            break;
                        default:
                            writer.Line(value + Types.Torch + ".cat(new " + Types.Tensor + "[] { " + string.Join(", ", step.Inputs) + " }, dim: 1);" + shape);
                            break;
                    }
                    if (step.Releases.Count > 0) writer.Line(string.Join(" ", step.Releases.Select(r => r + ".Dispose();")) + " // last read");
                }
            }
            writer.Line();
            writer.Line("return (" + string.Join(", ", heads.Select(h => h.Input)) + ");");
            writer.Close();
        }

        /// <summary>The input contract (the IR's <c>InputContract</c>, the one rule every check uses) and its check.</summary>
        private static void WriteCheckInput(SourceWriter writer, ModelToGenerate model)
        {
            ModelSpec spec = model.Network.Spec;
            Int3 divisor = E2ENet.Compiler.Ir.InputContract.Of(spec).DivisibleBy;
            writer.Doc("<summary>");
            writer.Doc("What an input must be: (B, " + Int(spec.Input.Channels) + ", D, H, W) in float32 with D a multiple of " + Int(divisor.D) + ", H of " + Int(divisor.H) + " and W of " + Int(divisor.W));
            writer.Doc("(the products of the pools), and more than one voxel at the bottleneck.");
            writer.Doc("</summary>");
            writer.Line("public static readonly global::E2ENet.Compiler.Ir.InputContract InputContract = new global::E2ENet.Compiler.Ir.InputContract(");
            writer.Indent();
            writer.Line("Model: " + CSharp.String(spec.Name) + ", Channels: " + Int(spec.Input.Channels) + ", DivisibleBy: new global::E2ENet.Compiler.Semantics.Int3(" + Int(divisor.D) + ", " + Int(divisor.H) + ", " + Int(divisor.W) + "));");
            writer.Unindent();
            writer.Line();
            writer.Doc("<summary>Throws E2E3003 (shape), E2E3109 (data type) or E2E3004 (sizes) with the fix when <paramref name=\"input\"/> does not fit the model.</summary>");
            writer.Open("private static void CheckInput(" + Types.Tensor + " input)");
            writer.Line("global::E2ENet.Torch.Network.InputCheck.Check(InputContract, input.shape, input.dtype);");
            writer.Close();
        }

        /// <summary>C# that reaches a head's module: <c>this.seg_outputs[0]</c>, <c>this.decoder_seg_layers[3]</c>.</summary>
        private static string HeadAccess(NetworkIr network, HeadIr head) =>
            ScheduleView.Access(network.Modules.Leaves().First(l => l.Module.Kind == ModuleKind.Head && l.Module.Head!.Index == head.Index).Path);

        private static string HeadCount(int count) => count switch { 1 => "one", 2 => "two", 3 => "three", 4 => "four", 5 => "five", 6 => "six", _ => Int(count) };

        /// <summary>The tuple of the nodes the heads read: <c>(Tensor X05, Tensor X14, Tensor X23, Tensor X32)</c>.</summary>
        private static string NodesTuple(HeadIr[] heads) => "(" + string.Join(", ", heads.Select(h => Types.Tensor + " " + Cap(h.On))) + ")";

        /// <summary>The tuple element name of a node: <c>X05</c>.</summary>
        private static string Cap(NodeId id) => "X" + id.ToString().Substring(1);
    }
}
