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
    /// keep the name of the node they were fused into), so the hot layers of an export can be named.
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
                var kernels = new List<(string Node, string OpType, double Start, double Duration)>();
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
                        string opType = e.TryGetProperty("args", out JsonElement args) && args.ValueKind == JsonValueKind.Object ? Text(args, "op_name") : string.Empty;
                        kernels.Add((name.Substring(0, name.Length - KernelSuffix.Length), opType, start, duration));
                    }
                }
                if (modelRuns.Count == 0) throw new FormatException("the profile holds no model_run event: nothing was run while profiling");
                if (modelRuns.Count <= skipRuns) throw new FormatException(FormattableString.Invariant($"the profile traced {modelRuns.Count} runs, no more than the {skipRuns} warm-up runs to leave out"));
                modelRuns.Sort((x, y) => x.Start.CompareTo(y.Start));
                double cutoff = skipRuns > 0 ? modelRuns[skipRuns - 1].Start + modelRuns[skipRuns - 1].Duration : double.NegativeInfinity;
                var counted = modelRuns.Skip(skipRuns).ToList();
                int runs = counted.Count;
                double runTotal = counted.Sum(r => r.Duration);
                var nodes = new Dictionary<string, (string OpType, double Microseconds)>(StringComparer.Ordinal);
                foreach (var (node, opType, start, duration) in kernels)
                {
                    if (start < cutoff) continue;
                    nodes[node] = nodes.TryGetValue(node, out var seen) ? (seen.OpType, seen.Microseconds + duration) : (opType, duration);
                }
                NodeTime[] byNode = nodes.Select(n => new NodeTime(n.Key, n.Value.OpType, n.Value.Microseconds / runs))
                    .OrderByDescending(n => n.Microseconds).ThenBy(n => n.Node, StringComparer.Ordinal).ToArray();
                OpTypeTime[] byOp = byNode.GroupBy(n => n.OpType, StringComparer.Ordinal)
                    .Select(g => new OpTypeTime(g.Key, g.Sum(n => n.Microseconds), g.Count()))
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
            text.AppendLine(FormattableString.Invariant($"  {"operator",-24} {"ms/run",9} {"share",7} {"nodes",6}"));
            foreach (OpTypeTime op in ByOpType)
            {
                text.AppendLine(FormattableString.Invariant($"  {op.OpType,-24} {op.Microseconds / 1000,9:0.00} {Share(op.Microseconds),7} {op.Nodes,6}"));
            }
            text.AppendLine(FormattableString.Invariant($"  slowest {Math.Min(top, ByNode.Count)} nodes:"));
            foreach (NodeTime node in ByNode.Take(top))
            {
                text.AppendLine(FormattableString.Invariant($"  {node.Node,-56} {node.OpType,-16} {node.Microseconds / 1000,9:0.00} {Share(node.Microseconds),7}"));
            }
            return text.ToString();
        }

        private const string KernelSuffix = "_kernel_time";

        private static double Number(JsonElement element, string property)
            => element.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : 0;

        private static string Text(JsonElement element, string property)
            => element.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? string.Empty : string.Empty;
    }

    /// <summary>Kernel time of one operator type, per run.</summary>
    public readonly record struct OpTypeTime(string OpType, double Microseconds, int Nodes);

    /// <summary>Kernel time of one node, per run.</summary>
    public readonly record struct NodeTime(string Node, string OpType, double Microseconds);
}
