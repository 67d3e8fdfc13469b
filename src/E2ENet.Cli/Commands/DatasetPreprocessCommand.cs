using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using E2ENet.Cli.Reporting;
using E2ENet.Compiler;
using E2ENet.Data;
using E2ENet.Data.Preprocessing;

namespace E2ENet.Cli.Commands
{
    /// <summary><c>e2enet dataset preprocess DIR [--out DIR] [--model FILE.e2e[:Model]] [--set k=v]... [--workers N]</c>.</summary>
    public static class DatasetPreprocessCommand
    {
        /// <summary>Builds the command.</summary>
        public static Command Create(CliContext context)
        {
            var folder = new Argument<string>("folder") { Description = "The dataset folder." };
            var output = new Option<string?>("--out") { Description = "Where the preprocessed data goes (default: FOLDER/preprocessed/MODEL, or FOLDER/preprocessed/default)." };
            var model = new Option<string?>("--model") { Description = "A model, FILE.e2e or FILE.e2e:Model: its patch, channels, classes, input.spacing and normalization shape the plan." };
            var set = new Option<string[]>("--set") { Description = "Override a key of the model (repeatable).", AllowMultipleArgumentsPerToken = false };
            var workers = new Option<int>("--workers") { Description = "Cases processed at once (default: one per core)." };
            var command = new Command("preprocess", "Fingerprint, plan and preprocess the training cases as nnU-Net does (cached: a second run redoes only what changed).")
            {
                folder, output, model, set, workers,
            };
            command.SetAction(parse => Run(context, parse.GetValue(folder)!, parse.GetValue(output), parse.GetValue(model), parse.GetValue(set) ?? Array.Empty<string>(), parse.GetValue(workers)));
            return command;
        }

        /// <summary>Runs the preprocessing.</summary>
        public static int Run(CliContext context, string folder, string? output, string? modelArgument, string[] overrides, int workers)
        {
            if (workers < 0) return context.UsageError("dataset preprocess", "--workers must be 0 (automatic) or more");
            var planOptions = new PlanOptions();
            if (modelArgument != null)
            {
                int colon = modelArgument.LastIndexOf(':');
                string file = colon > 0 && !modelArgument.EndsWith(".e2e", StringComparison.Ordinal) ? modelArgument.Substring(0, colon) : modelArgument;
                string? name = colon > 0 && !modelArgument.EndsWith(".e2e", StringComparison.Ordinal) ? modelArgument.Substring(colon + 1) : null;
                if (!File.Exists(file)) return context.UsageError("dataset preprocess", $"cannot read '{file}': no such file");
                E2ECompilation compilation = E2ECompilation.FromFiles(new[] { file }, overrides);
                CompiledModel? compiled = name != null ? compilation.Find(name) : compilation.Models.FirstOrDefault(m => m.File.Path == file);
                if (compiled == null) return context.UsageError("dataset preprocess", name != null ? $"no model '{name}' in {file}" : $"{file} declares no model");
                if (compiled.Spec == null)
                {
                    foreach (var diagnostic in compiled.Diagnostics) context.Error.WriteLine(diagnostic);
                    return ExitCodes.Errors;
                }
                planOptions = PlanOptions.FromModel(compiled.Spec);
            }
            string target = output ?? Path.Combine(folder, "preprocessed", planOptions.Model ?? "default");
            try
            {
                PreprocessingResult result = Preprocessor.Run(folder, target, new PreprocessOptions { Plan = planOptions, Workers = workers, Progress = new CliProgress(context) });
                Report(context, result);
                return ExitCodes.Success;
            }
            catch (DataException e) { return DatasetCommand.Fail(context, e); }
        }

        private static void Report(CliContext context, PreprocessingResult result)
        {
            PreprocessingPlan plan = result.Plan;
            var o = context.Output;
            o.WriteLine($"preprocessed {plan.Dataset} into {result.Folder}: {result.Computed.Count} case(s) computed, {result.Cached.Count} reused from the cache{(result.FingerprintCached ? ", fingerprint reused" : "")}");
            var table = new TextTable("setting", "value");
            table.Add("axis order (D, H, W) <- file axes (k, j, i)", "[" + string.Join(", ", plan.TransposeForward.Select(a => "kji"[a])) + "]");
            table.Add("median spacing (D, H, W)", Volumes(plan.MedianSpacing) + " mm");
            table.Add("target spacing (D, H, W)", Volumes(plan.TargetSpacing) + " mm" + (plan.IsAnisotropic ? " (anisotropic)" : ""));
            table.Add("median shape after resampling", string.Join("x", plan.MedianShape));
            for (int c = 0; c < plan.Channels; c++)
                table.Add($"channel {c} ({plan.ChannelNames[c]})", plan.Normalization[c].ToString().ToLowerInvariant() + (plan.UseNonzeroMaskForNormalization[c] ? " inside the non-zero mask" : "")
                    + (plan.CtStatistics[c] is IntensityStatistics s ? $" (clip {DatasetCommand.Number(s.Percentile005)}..{DatasetCommand.Number(s.Percentile995)}, mean {DatasetCommand.Number(s.Mean)}, sd {DatasetCommand.Number(s.StandardDeviation)})" : ""));
            table.Add("classes", string.Join(", ", plan.Labels));
            if (plan.Patch != null) table.Add("patch (model " + plan.Model + ")", string.Join("x", plan.Patch));
            o.Write(table.ToString("  "));
            foreach (string note in plan.Notes) o.WriteLine("note: " + note);
        }

        private static string Volumes(double[] values) => "[" + string.Join(", ", values.Select(v => DatasetCommand.Number(v, 4))) + "]";
    }
}
