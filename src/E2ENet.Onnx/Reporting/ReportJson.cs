using System.Text.Json;
using E2ENet.Onnx.Tuning;

namespace E2ENet.Onnx.Reporting
{
    /// <summary>The pruning report as JSON (<c>report.json</c> and the <c>report</c> of <c>manifest.json</c>).</summary>
    public static class ReportJson
    {
        /// <summary>Writes the report as one JSON object.</summary>
        public static void Write(Utf8JsonWriter json, PruningReport report)
        {
            json.WriteStartObject();
            json.WriteString("model", report.Model);
            WriteInts(json, "patch", report.Patch.D, report.Patch.H, report.Patch.W);
            json.WriteString("precision", report.Precision);
            json.WriteBoolean("pruned", report.Pruned);
            json.WriteString("unit", report.Unit);
            json.WriteNumber("sparsity", report.Sparsity);
            json.WriteString("counting", "dense: every weight; active: only kept units of sparse layers (the paper's count, = e2enet check); "
                + "executed: what the exported graph stores and computes at the patch (deep-supervision heads are not exported)");
            json.WriteStartObject("totals");
            Triple(json, "parameters", report.TotalParameters);
            json.WriteNumber("nonZeroParameters", report.TotalNonZero);
            Triple(json, "macs", report.TotalMacs);
            json.WriteNumber("copiedElements", report.TotalCopied);
            json.WriteEndObject();
            if (report.Tuning != null)
            {
                json.WriteStartObject("tuning");
                WriteInts(json, "patch", report.Tuning.Patch.D, report.Tuning.Patch.H, report.Tuning.Patch.W);
                json.WriteNumber("runs", report.Tuning.Runs);
                json.WriteString("provider", "cpu");
                if (report.Tuning.WholeGraph is WholeGraphTiming whole)
                {
                    json.WriteStartObject("wholeGraph");
                    json.WriteNumber("tunedMilliseconds", System.Math.Round(whole.TunedMilliseconds, 3));
                    json.WriteNumber("referenceMilliseconds", System.Math.Round(whole.ReferenceMilliseconds, 3));
                    json.WriteNumber("tunedExecutedMacs", whole.TunedMacs);
                    json.WriteNumber("referenceExecutedMacs", whole.ReferenceMacs);
                    json.WriteString("kept", whole.KeptTuned ? "tuned" : "reference");
                    json.WriteString("decidedBy", whole.Tie ? "executed MACs (times within the margin)" : "time");
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("tuning");
            }
            json.WriteStartArray("layers");
            foreach (LayerReport layer in report.Layers)
            {
                json.WriteStartObject();
                json.WriteString("layer", layer.Layer);
                json.WriteString("kind", layer.Kind);
                json.WriteNumber("level", layer.Level);
                json.WriteString("lowering", layer.Lowering);
                json.WriteStartObject("channels");
                json.WriteNumber("in", layer.InLive);
                json.WriteNumber("inTotal", layer.InTotal);
                json.WriteNumber("out", layer.OutLive);
                json.WriteNumber("outTotal", layer.OutTotal);
                json.WriteEndObject();
                Triple(json, "parameters", layer.Parameters);
                json.WriteNumber("nonZeroParameters", layer.NonZeroParameters);
                Triple(json, "macs", layer.Macs);
                json.WriteNumber("copiedElements", layer.CopiedElements);
                if (layer.Timings.Count > 0)
                {
                    json.WriteStartArray("measured");
                    foreach (CandidateTiming timing in layer.Timings)
                    {
                        json.WriteStartObject();
                        json.WriteString("lowering", timing.Lowering);
                        json.WriteNumber("milliseconds", System.Math.Round(timing.Milliseconds, 3));
                        if (timing.FirstPassMilliseconds is double first) json.WriteNumber("firstPassMilliseconds", System.Math.Round(first, 3));
                        json.WriteNumber("macs", timing.Macs);
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }

        private static void Triple(Utf8JsonWriter json, string name, CountTriple counts)
        {
            json.WriteStartObject(name);
            json.WriteNumber("dense", counts.Dense);
            json.WriteNumber("active", counts.Active);
            json.WriteNumber("executed", counts.Executed);
            json.WriteEndObject();
        }

        private static void WriteInts(Utf8JsonWriter json, string name, params int[] values)
        {
            json.WriteStartArray(name);
            foreach (int value in values) json.WriteNumberValue(value);
            json.WriteEndArray();
        }
    }
}
