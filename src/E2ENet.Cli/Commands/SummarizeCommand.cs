using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using E2ENet.Cli.Reporting;
using E2ENet.Data.Postprocessing;
using E2ENet.Data.Preprocessing;
using E2ENet.Training.Summaries;

namespace E2ENet.Cli.Commands
{
    /// <summary>
    /// <c>e2enet summarize RUN... [--json] [--decision FILE] [--workers N]</c>: the cross-validation table of finished runs
    /// (Dice and HD95 per class and their mean, per fold and over every fold's validation cases), the best configuration when
    /// several models were trained, and the postprocessing decided by nnU-Net's rule on the best one's validation predictions,
    /// written atomically to a decision file that <c>predict --postprocess FILE</c> applies.
    /// </summary>
    public static class SummarizeCommand
    {
        /// <summary>The decision file's name when <c>--decision</c> is not given (in the first run's parent folder).</summary>
        public const string DefaultDecisionFile = "postprocessing.json";

        /// <summary>Builds the command.</summary>
        public static Command Create(CliContext context)
        {
            var runs = new Argument<string[]>("runs") { Description = "Finished run folders: the folds of one or more models (configurations).", Arity = ArgumentArity.OneOrMore };
            var json = new Option<bool>("--json") { Description = "Print the summary as JSON." };
            var decision = new Option<string?>("--decision") { Description = "Where to write the postprocessing decision (default: postprocessing.json beside the first run)." };
            var workers = new Option<int>("--workers") { Description = "Cases evaluated side by side while deciding the postprocessing (0: one per core).", DefaultValueFactory = _ => 0 };
            var command = new Command("summarize", "Cross-validation results of finished runs: Dice and HD95 per fold, the best configuration, and the postprocessing decision (nnU-Net's rule).")
            {
                runs, json, decision, workers,
            };
            command.SetAction(parse => Run(context, parse.GetValue(runs)!, parse.GetValue(json), parse.GetValue(decision), parse.GetValue(workers)));
            return command;
        }

        /// <summary>Runs it; exit 0 done, 1 runs that cannot be summarized, 2 bad command line.</summary>
        public static int Run(CliContext context, string[] runs, bool json, string? decisionFile, int workers)
        {
            string? unknown = CliApp.UnknownOption(runs.Append(decisionFile ?? string.Empty));
            if (unknown != null) return context.UsageError("summarize", $"unknown option '{unknown}'");
            if (workers < 0) return context.UsageError("summarize", "--workers must be 0 (one per core) or more");
            string? missing = runs.FirstOrDefault(r => !Directory.Exists(r));
            if (missing != null) return context.UsageError("summarize", $"'{missing}' is not a folder; give the run folders written by e2enet train");
            string target = decisionFile ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(runs[0]).TrimEnd('/')) ?? ".", DefaultDecisionFile);
            return CliErrors.Guard(context, () =>
            {
                CrossValidationSummary summary = CrossValidationSummary.Create(runs, workers, new CliProgress(context));
                PostprocessingFile.Write(target, summary.Postprocessing, summary.Evidence);
                if (json)
                {
                    var document = JsonSerializer.SerializeToNode(summary, DataJson.Options)!.AsObject();
                    document["decisionFile"] = target;
                    context.Output.WriteLine(document.ToJsonString(DataJson.Options));
                    return ExitCodes.Success;
                }
                context.Output.Write(Text(summary, target));
                return ExitCodes.Success;
            });
        }

        /// <summary>The plain-text report.</summary>
        public static string Text(CrossValidationSummary summary, string decisionFile)
        {
            var text = new StringBuilder();
            foreach (ConfigurationSummary configuration in summary.Configurations)
            {
                text.Append(FormattableString.Invariant($"configuration {configuration.Name}: {configuration.Folds.Count} validated fold(s), {configuration.Pooled.Cases} validation case(s)\n"));
                if (configuration.Folds.Count > 0)
                {
                    var headers = new[] { "fold", ">cases" }
                        .Concat(summary.Labels.Skip(1).SelectMany(l => new[] { ">" + l + " Dice", ">" + l + " HD95" }))
                        .Concat(new[] { ">mean Dice", ">mean HD95", "run" }).ToArray();
                    var table = new TextTable(headers);
                    foreach (FoldScore fold in configuration.Folds) table.Add(Row(fold, fold.Run));
                    table.Separator();
                    table.Add(Row(configuration.Pooled, string.Empty));
                    text.Append(table.ToString("  "));
                }
                foreach (string run in configuration.AllFoldRuns) text.Append("  trained on every case (--fold all), nothing to validate: ").Append(run).Append('\n');
            }
            ConfigurationSummary best = summary.Configurations.First(c => c.Name == summary.Best);
            text.Append(summary.Configurations.Count(c => c.Folds.Count > 0) > 1
                ? FormattableString.Invariant($"best configuration: {best.Name} (mean foreground Dice {Number(best.Pooled.MeanDice, 4)} over {best.Pooled.Cases} validation cases)\n")
                : FormattableString.Invariant($"one configuration: {best.Name} (mean foreground Dice {Number(best.Pooled.MeanDice, 4)} over {best.Pooled.Cases} validation cases)\n"));
            text.Append(FormattableString.Invariant($"postprocessing, decided on the {summary.Evidence.Cases} validation cases of {best.Name} (nnU-Net's rule: kept only where the mean Dice rises):\n"));
            foreach (PostprocessingStep step in summary.Evidence.Steps)
            {
                string what = step.Step == "largest-foreground" ? "largest component of the foreground" : "largest component of " + summary.Labels[step.Classes[0]];
                string measure = step.Step == "largest-foreground" ? "mean foreground Dice" : "Dice";
                text.Append(FormattableString.Invariant($"  {what}: {(step.Kept ? "kept" : "not kept")} ({measure} {Number(step.DiceBefore, 4)} -> {Number(step.DiceAfter, 4)}: {step.Reason})\n"));
            }
            text.Append("decision: ").Append(summary.Postprocessing.Describe(summary.Labels)).Append(", written to ").Append(decisionFile)
                .Append("; apply it with: e2enet predict ... --postprocess ").Append(decisionFile).Append('\n');
            foreach (string note in summary.Notes) text.Append("note: ").Append(note).Append('\n');
            return text.ToString();
        }

        private static string[] Row(FoldScore score, string run)
            => new[] { score.Fold, score.Cases.ToString(CultureInfo.InvariantCulture) }
                .Concat(score.Classes.SelectMany(c => new[] { Number(c.Dice, 4), Number(c.Hd95, 2) }))
                .Concat(new[] { Number(score.MeanDice, 4), Number(score.MeanHd95, 2), run }).ToArray();

        private static string Number(double value, int decimals) => DatasetCommand.Number(value, decimals);
    }
}
