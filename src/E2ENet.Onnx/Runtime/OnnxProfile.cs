using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace E2ENet.Onnx.Runtime
{
    /// <summary>
    /// Where an ONNX Runtime session spent its time: the per-node kernel times of its profile (the JSON trace that
    /// <c>SessionOptions.EnableProfiling</c> writes, Chrome trace format), summed per operator type and per node and
    /// divided by the number of runs traced. Nodes carry the names the exporter gave them (ONNX Runtime's fused nodes
    /// keep the name of the node they were fused into), so the hot layers of an export can be named. Convolutions also
    /// carry their multiply-accumulates, from the shapes the trace records, so the summary shows what each one runs per
    /// second: a grouped convolution slower per MAC than a dense one is visible there, not only in the total.
    /// </summary>
    public sealed class OnnxProfile
    {
        private OnnxProfile(int runs, double runMicroseconds, IReadOnlyList<OpTypeTime> byOpType, IReadOnlyList<NodeTime> byNode)
        {
            Runs = runs;
            RunMicroseconds = runMicroseconds;
            ByOpType = byOpType;
            ByNode = byNode;
        }

        /// <summary>The runs traced (the session's <c>model_run</c> events).</summary>
        public int Runs { get; }

        /// <summary>The mean wall time of one run, microseconds, as the trace timed it.</summary>
        public double RunMicroseconds { get; }

        /// <summary>The sum of every node's kernel time per run, microseconds (above <see cref="RunMicroseconds"/> when kernels ran in parallel).</summary>
        public double KernelMicroseconds => ByNode.Sum(n => n.Microseconds);

        /// <summary>Kernel time per run by operator type, largest first.</summary>
        public IReadOnlyList<OpTypeTime> ByOpType { get; }

        /// <summary>Kernel time per run by node, largest first.</summary>
        public IReadOnlyList<NodeTime> ByNode { get; }

        /// <summary>Reads a profile trace (the file <c>InferenceSession.EndProfiling</c> names).</summary>
        /// <param name="json">The trace.</param>
        /// <param name="skipRuns">Leave out the first runs (warm-up: first-run allocations and caches) and their nodes.</param>
        /// <exception cref="FormatException">The text is not an ONNX Runtime profile trace, or it traced no more runs than it skips.</exception>
        public static OnnxProfile Parse(string json, int skipRuns = 0)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(json);
            }
            catch (JsonException e)
            {
                throw new FormatException("not an ONNX Runtime profile (JSON array of trace events): " + e.Message, e);
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Array) throw new FormatException("not an ONNX Runtime profile: the top level is not an array of trace events");
                var modelRuns = new List<(double Start, double Duration)>();
                var kernels = new List<(string Node, string OpType, double Start, double Duration, long Macs)>();
                foreach (JsonElement e in document.RootElement.EnumerateArray())
                {
                    if (e.ValueKind != JsonValueKind.Object) continue;
                    string category = Text(e, "cat"), name = Text(e, "name");
                    double duration = Number(e, "dur"), start = Number(e, "ts");
                    if (category == "Session" && name == "model_run")
                    {
                        modelRuns.Add((start, duration));
                    }
                    else if (category == "Node" && name.EndsWith(KernelSuffix, StringComparison.Ordinal))
                    {
                        bool hasArgs = e.TryGetProperty("args", out JsonElement args) && args.ValueKind == JsonValueKind.Object;
                        string opType = hasArgs ? Text(args, "op_name") : string.Empty;
                        kernels.Add((name.Substring(0, name.Length - KernelSuffix.Length), opType, start, duration, hasArgs ? ConvolutionMacs(opType, args) : 0));
                    }
                }
                if (modelRuns.Count == 0) throw new FormatException("the profile holds no model_run event: nothing was run while profiling");
                if (modelRuns.Count <= skipRuns) throw new FormatException(FormattableString.Invariant($"the profile traced {modelRuns.Count} runs, no more than the {skipRuns} warm-up runs to leave out"));
                modelRuns.Sort((x, y) => x.Start.CompareTo(y.Start));
                double cutoff = skipRuns > 0 ? modelRuns[skipRuns - 1].Start + modelRuns[skipRuns - 1].Duration : double.NegativeInfinity;
                var counted = modelRuns.Skip(skipRuns).ToList();
                int runs = counted.Count;
                double runTotal = counted.Sum(r => r.Duration);
                var nodes = new Dictionary<string, (string OpType, double Microseconds, long Macs)>(StringComparer.Ordinal);
                foreach (var (node, opType, start, duration, macs) in kernels)
                {
                    if (start < cutoff) continue;
                    nodes[node] = nodes.TryGetValue(node, out var seen) ? (seen.OpType, seen.Microseconds + duration, Math.Max(seen.Macs, macs)) : (opType, duration, macs);
                }
                NodeTime[] byNode = nodes.Select(n => new NodeTime(n.Key, n.Value.OpType, n.Value.Microseconds / runs, n.Value.Macs))
                    .OrderByDescending(n => n.Microseconds).ThenBy(n => n.Node, StringComparer.Ordinal).ToArray();
                OpTypeTime[] byOp = byNode.GroupBy(n => n.OpType, StringComparer.Ordinal)
                    .Select(g => new OpTypeTime(g.Key, g.Sum(n => n.Microseconds), g.Count(), g.All(n => n.Macs > 0) ? g.Sum(n => n.Macs) : 0))
                    .OrderByDescending(o => o.Microseconds).ThenBy(o => o.OpType, StringComparer.Ordinal).ToArray();
                return new OnnxProfile(runs, runTotal / runs, byOp, byNode);
            }
        }

        /// <summary>A plain-text summary: the run time, every operator type and the <paramref name="top"/> slowest nodes, with shares of the kernel time.</summary>
        public string Summary(string title, int top = 15)
        {
            var text = new StringBuilder();
            double kernels = KernelMicroseconds;
            string Share(double us) => kernels > 0 ? (us / kernels).ToString("0.0%", CultureInfo.InvariantCulture) : "n/a";
            text.AppendLine(FormattableString.Invariant($"{title}: {Runs} runs traced, {RunMicroseconds / 1000:0.0} ms per run, kernels {kernels / 1000:0.0} ms per run ({ByNode.Count} nodes)"));
            text.AppendLine(FormattableString.Invariant($"  {"operator",-24} {"ms/run",9} {"share",7} {"nodes",6} {"GMACs",8} {"GMAC/s",8}"));
            foreach (OpTypeTime op in ByOpType)
            {
                text.AppendLine(FormattableString.Invariant($"  {op.OpType,-24} {op.Microseconds / 1000,9:0.00} {Share(op.Microseconds),7} {op.Nodes,6}{Rate(op.Macs, op.Microseconds)}"));
            }
            text.AppendLine(FormattableString.Invariant($"  slowest {Math.Min(top, ByNode.Count)} nodes:"));
            foreach (NodeTime node in ByNode.Take(top))
            {
                text.AppendLine(FormattableString.Invariant($"  {node.Node,-56} {node.OpType,-16} {node.Microseconds / 1000,9:0.00} {Share(node.Microseconds),7}{Rate(node.Macs, node.Microseconds)}"));
            }
            return text.ToString();
        }

        private const string KernelSuffix = "_kernel_time";

        // " GMACs GMAC/s" columns where the multiply-accumulates are known.
        private static string Rate(long macs, double microseconds)
            => macs > 0 && microseconds > 0 ? FormattableString.Invariant($" {macs / 1e9,8:0.000} {macs / 1e3 / microseconds,8:0.0}") : string.Empty;

        /// <summary>
        /// The multiply-accumulates of one Conv (or FusedConv) or ConvTranspose node from the shapes in its trace event's
        /// <c>input_type_shape</c> and <c>output_type_shape</c>: a Conv computes every output element from
        /// (in channels / group) x kernel products, so output elements x the product of W's dims after the first
        /// ([out, in / group, k...]); a ConvTranspose spreads every input element over (out channels / group) x kernel
        /// outputs, so input elements x the product of W's dims after the first ([in, out / group, k...]).
        /// 0 for other operators and where the shapes are missing or not of the plain layout (W's rank differs from the data's).
        /// </summary>
        public static long ConvolutionMacs(string opType, JsonElement args)
        {
            bool transposed = opType == "ConvTranspose";
            if (!transposed && opType != "Conv" && opType != "FusedConv") return 0;
            long[]? x = Shape(args, "input_type_shape", 0), w = Shape(args, "input_type_shape", 1), y = Shape(args, "output_type_shape", 0);
            long[]? data = transposed ? x : y;
            if (data == null || w == null || w.Length != data.Length || w.Length < 3) return 0;
            long macs = 1;
            foreach (long d in data) macs *= d;
            for (int i = 1; i < w.Length; i++) macs *= w[i];
            return macs;
        }

        // The index-th shape of a shape list: [{"float": [1, 8, 4, 4, 4]}, ...].
        private static long[]? Shape(JsonElement args, string property, int index)
        {
            if (!args.TryGetProperty(property, out JsonElement list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() <= index) return null;
            JsonElement entry = list[index];
            if (entry.ValueKind != JsonValueKind.Object) return null;
            foreach (JsonProperty typed in entry.EnumerateObject())
            {
                if (typed.Value.ValueKind != JsonValueKind.Array) return null;
                var dims = new List<long>();
                foreach (JsonElement d in typed.Value.EnumerateArray())
                {
                    if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long v) || v < 0) return null;
                    dims.Add(v);
                }
                return dims.ToArray();
            }
            return null;
        }

        private static double Number(JsonElement element, string property)
            => element.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : 0;

        private static string Text(JsonElement element, string property)
            => element.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? string.Empty : string.Empty;
    }

    /// <summary>Kernel time of one operator type, per run, and the multiply-accumulates of its nodes (0 unless every one is a convolution of known shapes).</summary>
    public readonly record struct OpTypeTime(string OpType, double Microseconds, int Nodes, long Macs = 0);

    /// <summary>Kernel time of one node, per run, and its multiply-accumulates per run (0 where not a convolution or not known).</summary>
    public readonly record struct NodeTime(string Node, string OpType, double Microseconds, long Macs = 0);
}
