using System;
using System.Globalization;
using System.Linq;
using System.Text;

namespace E2ENet.Onnx.Reporting
{
    /// <summary>The pruning report as a plain-text table (what <c>e2enet export</c> prints).</summary>
    public static class ReportText
    {
        /// <summary>The table: one row per layer, then totals and the honest summary.</summary>
        public static string Format(PruningReport report)
        {
            var text = new StringBuilder();
            text.AppendLine(string.Format(CultureInfo.InvariantCulture, "Pruning report: {0} at {1}, {2}, {3} (sparsity {4} per {5})",
                report.Model, report.Patch.ToSizeString(), report.Precision, report.Pruned ? "pruned" : "dense export", Number(report.Sparsity), report.Unit));
            string header = string.Format(CultureInfo.InvariantCulture, "{0,-32} {1,-15} {2,9} {3,9} | {4,10} {5,10} {6,10} | {7,9} {8,9} {9,9} | {10,9}",
                "layer", "lowering", "in", "out", "params", "active", "executed", "GMACs", "active", "executed", "Mcopies");
            text.AppendLine(header);
            text.AppendLine(new string('-', header.Length));
            foreach (LayerReport layer in report.Layers)
            {
                text.AppendLine(string.Format(CultureInfo.InvariantCulture, "{0,-32} {1,-15} {2,9} {3,9} | {4,10} {5,10} {6,10} | {7,9} {8,9} {9,9} | {10,9}",
                    layer.Layer, layer.Lowering, layer.InLive + "/" + layer.InTotal, layer.OutLive + "/" + layer.OutTotal,
                    layer.Parameters.Dense, layer.Parameters.Active, layer.Parameters.Executed,
                    Giga(layer.Macs.Dense), Giga(layer.Macs.Active), Giga(layer.Macs.Executed), Mega(layer.CopiedElements)));
            }
            text.AppendLine(new string('-', header.Length));
            CountTriple parameters = report.TotalParameters, macs = report.TotalMacs;
            text.AppendLine(string.Format(CultureInfo.InvariantCulture, "{0,-32} {1,-15} {2,9} {3,9} | {4,10} {5,10} {6,10} | {7,9} {8,9} {9,9} | {10,9}",
                "total", string.Empty, string.Empty, string.Empty, parameters.Dense, parameters.Active, parameters.Executed,
                Giga(macs.Dense), Giga(macs.Active), Giga(macs.Executed), Mega(report.TotalCopied)));
            text.AppendLine(string.Format(CultureInfo.InvariantCulture,
                "Executed: {0} parameters ({1} of them non-zero) = {2} of dense; {3} GMACs = {4} of dense, against {5} counting only active kernels (the paper's count).",
                parameters.Executed, report.TotalNonZero, Percent(parameters.Executed, parameters.Dense), Giga(macs.Executed), Percent(macs.Executed, macs.Dense), Percent(macs.Active, macs.Dense)));
            if (report.Tuning != null && report.Tuning.Layers.Count > 0)
            {
                text.AppendLine(string.Format(CultureInfo.InvariantCulture, "Per-layer measurement at {0} (at least {1} timed runs per candidate) chose: {2}.",
                    report.Tuning.Patch.ToSizeString(), report.Tuning.Runs,
                    string.Join(", ", report.Tuning.Layers.GroupBy(l => l.Chosen.ToString()).OrderByDescending(g => g.Count()).Select(g => g.Count() + " x " + g.Key))));
                if (report.Tuning.WholeGraph is Tuning.WholeGraphTiming whole)
                {
                    text.AppendLine(string.Format(CultureInfo.InvariantCulture, "Whole graph: tuned {0:0.0} ms, reference lowering {1:0.0} ms: {2}.", whole.TunedMilliseconds, whole.ReferenceMilliseconds,
                        whole.Tie
                            ? string.Format(CultureInfo.InvariantCulture, "within {0:0%} of each other, so the one executing fewer MACs is exported ({1})",
                                Tuning.WholeGraphComparison.Margin, whole.KeptTuned ? "the tuned lowerings" : "the reference lowering")
                            : whole.KeptTuned ? "the tuned lowerings are exported" : "the reference lowering is exported (the per-layer gains did not carry over to the whole graph)"));
                }
            }
            return text.ToString();
        }

        private static string Giga(long value) => (value / 1e9).ToString("0.000", CultureInfo.InvariantCulture);

        private static string Mega(long value) => (value / 1e6).ToString("0.0", CultureInfo.InvariantCulture);

        private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

        private static string Percent(long part, long whole) => whole == 0 ? "-" : (100.0 * part / whole).ToString("0.0", CultureInfo.InvariantCulture) + "%";
    }
}
