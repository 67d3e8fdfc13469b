using System;
using System.CommandLine;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using E2ENet.Cli.Reporting;
using E2ENet.Data;
using E2ENet.Data.Evaluation;
using E2ENet.Data.Preprocessing;

namespace E2ENet.Cli.Commands
{
    /// <summary><c>e2enet evaluate --pred DIR --ref DIR [--json] [--tolerance MM] [--labels 1,2,3] [--workers N]</c>.</summary>
    public static class EvaluateCommand
    {
        /// <summary>Builds the command.</summary>
        public static Command Create(CliContext context)
        {
            var prediction = new Option<string>("--pred") { Description = "Folder of predicted label maps (.nii/.nii.gz).", Required = true };
            var reference = new Option<string>("--ref") { Description = "Folder of reference label maps with the same file names.", Required = true };
            var json = new Option<bool>("--json") { Description = "Print the full report (every case and class) as JSON on standard output." };
            var tolerance = new Option<double>("--tolerance") { Description = "Surface Dice tolerance in mm (default 1).", DefaultValueFactory = _ => 1.0 };
            var labels = new Option<string?>("--labels") { Description = "Labels to evaluate, e.g. 1,2,3 (default: every non-zero value found)." };
            var workers = new Option<int>("--workers") { Description = "Cases evaluated at once (default: one per core)." };
            var command = new Command("evaluate", "Dice, HD95 and surface Dice per class and mean, of predictions against references (true voxel spacing).")
            {
                prediction, reference, json, tolerance, labels, workers,
            };
            command.SetAction(parse => Run(context, parse.GetValue(prediction)!, parse.GetValue(reference)!, parse.GetValue(json), parse.GetValue(tolerance), parse.GetValue(labels), parse.GetValue(workers)));
            return command;
        }

        /// <summary>Runs the evaluation.</summary>
        public static int Run(CliContext context, string predictions, string references, bool json, double tolerance, string? labelText, int workers)
        {
            if (!(tolerance >= 0) || double.IsInfinity(tolerance)) return context.UsageError("evaluate", "--tolerance must be a distance in mm, 0 or more");
            if (workers < 0) return context.UsageError("evaluate", "--workers must be 0 (automatic) or more");
            List<int>? labels = null;
            if (labelText != null)
            {
                labels = new List<int>();
                foreach (string part in labelText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int label) || label < 1)
                        return context.UsageError("evaluate", $"--labels: '{part}' is not a label value 1, 2, ...");
                    labels.Add(label);
                }
                if (labels.Count == 0) return context.UsageError("evaluate", "--labels names no label");
            }
            EvaluationReport report;
            try { report = FolderEvaluation.Run(predictions, references, tolerance, labels, workers, new CliProgress(context)); }
            catch (DataException e) { return DatasetCommand.Fail(context, e); }

            if (json)
            {
                context.Output.WriteLine(JsonSerializer.Serialize(report, DataJson.Options));
                return ExitCodes.Success;
            }
            string t = DatasetCommand.Number(tolerance, 3);
            var table = new TextTable(">label", ">Dice", ">cases", ">HD95 (mm)", ">cases", $">surface Dice @{t} mm", ">cases");
            foreach (ClassSummary c in report.PerClass)
                table.Add(c.Label.ToString(CultureInfo.InvariantCulture), N(c.Dice, 4), Count(c.DiceCases, report), N(c.Hd95, 2), Count(c.Hd95Cases, report), N(c.SurfaceDice, 4), Count(c.SurfaceDiceCases, report));
            table.Separator();
            table.Add("mean", N(report.MeanDice, 4), "", N(report.MeanHd95, 2), "", N(report.MeanSurfaceDice, 4), "");
            context.Output.WriteLine($"{report.Cases.Count} case(s), {report.Labels.Count} label(s); means skip undefined values (see docs/data.md):");
            context.Output.Write(table.ToString("  "));
            return ExitCodes.Success;
        }

        private static string N(double value, int decimals) => DatasetCommand.Number(value, decimals);

        private static string Count(int counted, EvaluationReport report) => $"{counted}/{report.Cases.Count}";
    }
}
