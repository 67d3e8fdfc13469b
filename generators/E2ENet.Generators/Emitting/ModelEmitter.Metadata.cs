using System.Globalization;
using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Generators.Model;

namespace E2ENet.Generators.Emitting
{
    internal static partial class ModelEmitter
    {
        /// <summary>Static typed metadata: names, shapes, counts, sparse layers, labels, and the model's canonical source.</summary>
        private static void WriteMetadata(SourceWriter writer, ModelToGenerate model)
        {
            NetworkIr network = model.Network;
            ModelSpec spec = network.Spec;
            Int3 divisor = spec.Pools.Aggregate(Int3.All(1), (a, b) => a * b);

            writer.Doc("<summary>The model's name in its .e2e file.</summary>");
            writer.Line("public const string E2EModelName = " + CSharp.String(spec.Name) + ";");
            writer.Line();
            writer.Doc("<summary>The .e2e file the class was generated from.</summary>");
            writer.Line("public const string E2EFileName = " + CSharp.String(model.FileName) + ";");
            writer.Line();
            writer.Doc("<summary>The model's <c>description</c> (empty when it has none).</summary>");
            writer.Line("public const string Description = " + CSharp.String(spec.Description ?? string.Empty) + ";");
            writer.Line();
            writer.Doc("<summary>Input channels (imaging modalities).</summary>");
            writer.Line("public const int InputChannels = " + CSharp.Integer(spec.Input.Channels) + ";");
            writer.Line();
            writer.Doc("<summary>Output classes, background included.</summary>");
            writer.Line("public const int Classes = " + CSharp.Integer(spec.Classes) + ";");
            writer.Line();
            writer.Doc("<summary>The training patch [D, H, W], at which the shapes in the documentation and the MAC counts are given.</summary>");
            writer.Line("public static (int D, int H, int W) Patch => " + CSharp.Tuple(spec.Input.Patch) + ";");
            writer.Line();
            writer.Doc("<summary>The product of the pools per axis: every input axis must be a multiple of it.</summary>");
            writer.Line("public static (int D, int H, int W) SizeDivisor => " + CSharp.Tuple(divisor) + ";");
            writer.Line();
            writer.Doc("<summary>Channels of levels 0 to 5: [" + CSharp.List(network.Widths) + "].</summary>");
            writer.Line("public static " + Types.ReadOnlyList + "<int> Widths { get; } = " + Types.Array + ".AsReadOnly(new int[] { " + CSharp.List(network.Widths) + " });");
            writer.Line();
            writer.Doc("<summary>Downsampling factors [D, H, W] between levels 0 and 1, ..., 4 and 5.</summary>");
            writer.Line("public static " + Types.ReadOnlyList + "<(int D, int H, int W)> Pools { get; } = " + Types.Array + ".AsReadOnly(new (int D, int H, int W)[]");
            writer.Open();
            foreach (Int3 pool in spec.Pools) writer.Line(CSharp.Tuple(pool) + ",");
            writer.Close("});");
            writer.Line();
            writer.Doc("<summary>Class names, background first (empty when the model declares no <c>labels</c>).</summary>");
            WriteStringList(writer, "Labels", spec.Labels.ToArray());
            writer.Line();
            writer.Doc("<summary>Input channel names (empty when the model declares no <c>input.names</c>).</summary>");
            WriteStringList(writer, "InputNames", spec.Input.Names.ToArray());
            writer.Line();
            writer.Doc("<summary>Every parameter (weight, bias and norm) counted densely: " + CSharp.Grouped(network.Totals.DenseParameters) + ".</summary>");
            writer.Line("public const long DenseParameters = " + CSharp.Integer(network.Totals.DenseParameters) + ";");
            writer.Line();
            writer.Doc("<summary>Parameters in kept units only (what the paper counts): " + CSharp.Grouped(network.Totals.ActiveParameters) + ".</summary>");
            writer.Line("public const long ActiveParameters = " + CSharp.Integer(network.Totals.ActiveParameters) + ";");
            writer.Line();
            writer.Doc("<summary>Multiply-accumulates of the convolutions (transposed ones included) for one sample at <see cref=\"Patch\"/>: " + CSharp.Grouped(network.Totals.DenseMacs) + ".</summary>");
            writer.Line("public const long DenseMacs = " + CSharp.Integer(network.Totals.DenseMacs) + ";");
            writer.Line();
            writer.Doc("<summary>Multiply-accumulates counting only active units, for one sample at <see cref=\"Patch\"/>: " + CSharp.Grouped(network.Totals.ActiveMacs) + ".</summary>");
            writer.Line("public const long ActiveMacs = " + CSharp.Integer(network.Totals.ActiveMacs) + ";");
            writer.Line();
            writer.Doc("<summary>Sparsity S of the fusion and transposed convolutions (0: dense); each keeps round(units x (1 - S)) units.</summary>");
            writer.Line("public const double Sparsity = " + CSharp.Double(spec.Fusion.Sparsity) + ";");
            writer.Line();
            writer.Doc("<summary>What one mask bit covers: <c>kernel</c> (an output x input channel pair) or <c>channel</c> (a whole input channel).</summary>");
            writer.Line("public const string SparsityUnit = " + CSharp.String(spec.Fusion.Unit.ToSymbol()) + ";");
            writer.Line();
            writer.Doc("<summary>");
            writer.Doc("The sparse tensors by state-dict name, with their units and how many each keeps");
            writer.Doc("(" + network.SparseParameters.Count().ToString(CultureInfo.InvariantCulture) + " tensors; empty when the fusion is dense).");
            writer.Doc("</summary>");
            writer.Line("public static " + Types.ReadOnlyList + "<(string Name, long Units, long Kept)> SparseLayers { get; } = " + Types.Array + ".AsReadOnly(new (string Name, long Units, long Kept)[]");
            writer.Open();
            foreach (ParameterIr parameter in network.SparseParameters)
            {
                writer.Line("(" + CSharp.String(parameter.Name) + ", " + CSharp.Integer(parameter.Mask!.Units) + ", " + CSharp.Integer(parameter.Mask.Kept) + "),");
            }
            writer.Close("});");
            writer.Line();
            writer.Doc("<summary>Every state-dict tensor with its shape, in the authors' order (" + network.Parameters.Count.ToString(CultureInfo.InvariantCulture) + " tensors).</summary>");
            writer.Line("public static " + Types.ReadOnlyList + "<(string Name, long[] Shape)> Parameters { get; } = " + Types.Array + ".AsReadOnly(new (string Name, long[] Shape)[]");
            writer.Open();
            foreach (ParameterIr parameter in network.Parameters)
            {
                writer.Line("(" + CSharp.String(parameter.Name) + ", new long[] { " + string.Join(", ", parameter.Shape.Select(CSharp.Integer)) + " }),");
            }
            writer.Close("});");
            writer.Line();
            writer.Doc("<summary>");
            writer.Doc("The model as a standalone .e2e declaration with every key explicit (inheritance and defaults resolved): what a");
            writer.Doc("trainer or a run-time tool reads for the settings that are not part of the network (training recipe, inference).");
            writer.Doc("</summary>");
            string[] lines = spec.CanonicalSource.Replace("\r\n", "\n").TrimEnd('\n').Split('\n');
            writer.Line("public const string E2ESource =");
            writer.Indent();
            for (int i = 0; i < lines.Length; i++)
            {
                writer.Line(CSharp.String(lines[i] + "\n") + (i == lines.Length - 1 ? ";" : " +"));
            }
            writer.Unindent();
            writer.Line();
            writer.Doc("<summary>");
            writer.Doc("The model's IR, compiled once from <see cref=\"E2ESource\"/>: what the trainer, the predictor and the exporter read");
            writer.Doc("(parameter names and shapes, sparse tensors and their masks, the module tree, the schedule, the recipe in its spec).");
            writer.Doc("</summary>");
            writer.Line("public static " + Types.NetworkIr + " E2ENetwork => s_e2eNetwork ??= " + Types.ModelLoader + ".LoadSource(E2ESource, E2EFileName).Network!;");
            writer.Line();
            writer.Line("private static " + Types.NetworkIr + "? s_e2eNetwork;");
            writer.Line();
            writer.Doc("<inheritdoc />");
            writer.Line("public string ModelName => E2EModelName;");
            writer.Line();
            writer.Doc("<inheritdoc />");
            writer.Line(Types.NetworkIr + " " + Types.Network + ".Network => E2ENetwork;");
            writer.Line();
            writer.Doc("<inheritdoc />");
            writer.Line(Types.Module + " " + Types.Network + ".Module => this;");
        }

        private static void WriteStringList(SourceWriter writer, string name, string[] values)
        {
            if (values.Length == 0)
            {
                writer.Line("public static " + Types.ReadOnlyList + "<string> " + name + " { get; } = " + Types.Array + ".AsReadOnly(" + Types.Array + ".Empty<string>());");
                return;
            }
            writer.Line("public static " + Types.ReadOnlyList + "<string> " + name + " { get; } = " + Types.Array + ".AsReadOnly(new string[]");
            writer.Open();
            foreach (string value in values) writer.Line(CSharp.String(value) + ",");
            writer.Close("});");
        }
    }
}
