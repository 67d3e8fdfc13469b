using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using E2ENet.Data.Evaluation;
using E2ENet.Data.Postprocessing;
using E2ENet.Training.Runs;

namespace E2ENet.Training.Summaries
{
    /// <summary>Mean Dice and HD95 of one class over some validation cases (NaN where no case counts).</summary>
    public sealed record ClassScore(int Class, string Label, double Dice, double Hd95);

    /// <summary>One row of a configuration's table: a fold's validation, or every fold's cases pooled (<see cref="Fold"/> "all folds").</summary>
    public sealed record FoldScore(string Fold, string Run, int Cases, IReadOnlyList<ClassScore> Classes, double MeanDice, double MeanHd95);

    /// <summary>
    /// One configuration (the runs sharing one <c>model.e2e</c>): a row per validated fold, the pooled row nnU-Net ranks on (every
    /// validation case of every fold), and the runs trained on every case (<c>--fold all</c>), which have no validation.
    /// </summary>
    public sealed record ConfigurationSummary(string Name, string Model, IReadOnlyList<string> Runs, IReadOnlyList<FoldScore> Folds, FoldScore Pooled,
        IReadOnlyList<string> AllFoldRuns);

    /// <summary>
    /// The cross-validation summary of <c>e2enet summarize</c>: every configuration's table, the best configuration (nnU-Net's
    /// <c>find_best_configuration</c>: the highest mean foreground Dice over the pooled validation cases), and the postprocessing
    /// decided on the best configuration's validation predictions (<see cref="PostprocessingPlanner"/>).
    /// </summary>
    public sealed record CrossValidationSummary(IReadOnlyList<string> Labels, IReadOnlyList<ConfigurationSummary> Configurations, string Best,
        PostprocessingDecision Postprocessing, PostprocessingEvidence Evidence, IReadOnlyList<string> Notes)
    {
        /// <summary>Summarizes run folders.</summary>
        /// <exception cref="TrainingException">E2E5009 for a folder that is not a finished run; E2E5011 when the runs cannot be compared.</exception>
        public static CrossValidationSummary Create(IReadOnlyList<string> runFolders, int workers = 0, IProgress<E2ENet.Data.DataProgress>? progress = null)
        {
            if (runFolders.Count == 0) throw new ArgumentException("give at least one run", nameof(runFolders));
            var runs = runFolders.Select(RunResult.Read).ToList();
            RunResult first = runs[0];
            RunResult? otherLabels = runs.FirstOrDefault(r => !r.Labels.SequenceEqual(first.Labels, StringComparer.Ordinal));
            if (otherLabels != null)
            {
                throw new TrainingException(TrainingErrors.SummaryMismatch, otherLabels.Folder, $"predicts the labels [{string.Join(", ", otherLabels.Labels)}], "
                    + $"but {first.Folder} predicts [{string.Join(", ", first.Labels)}]: summarize the runs of one dataset together");
            }
            var notes = new List<string>();
            if (runs.Select(r => r.Dataset).Distinct(StringComparer.Ordinal).Count() > 1)
                notes.Add("the runs were trained on different dataset folders (" + string.Join(", ", runs.Select(r => r.Dataset).Distinct(StringComparer.Ordinal)) + ")");

            var configurations = new List<ConfigurationSummary>();
            var groups = runs.GroupBy(r => r.ModelSource, StringComparer.Ordinal).ToList();
            foreach (var group in groups)
            {
                var members = group.ToList();
                string name = members[0].Model;
                int sameName = groups.TakeWhile(g => g.Key != group.Key).Count(g => g.First().Model == name);
                if (sameName > 0) name += " (" + (sameName + 1).ToString(CultureInfo.InvariantCulture) + ")";
                var twice = members.Where(r => r.Fold != FoldSelection.All).GroupBy(r => r.Fold).FirstOrDefault(g => g.Count() > 1);
                if (twice != null)
                {
                    throw new TrainingException(TrainingErrors.SummaryMismatch, twice.ElementAt(1).Folder, $"is fold {twice.Key} of configuration {name} again (as {twice.First().Folder}): "
                        + "a cross-validation has one run per fold; leave one out, or give them other models");
                }
                var validated = members.Where(r => r.Validation != null).OrderBy(r => r.Fold).ToList();
                var folds = validated.Select(r => Score(FoldSelection.Text(r.Fold), r.Folder, r.Validation!.Cases, first.Labels)).ToList();
                FoldScore pooled = Score("all folds", string.Join(", ", validated.Select(r => r.Folder)), validated.SelectMany(r => r.Validation!.Cases).ToList(), first.Labels);
                configurations.Add(new ConfigurationSummary(name, members[0].Model, members.Select(r => r.Folder).ToList(), folds, pooled,
                    members.Where(r => r.Fold == FoldSelection.All).Select(r => r.Folder).ToList()));
            }
            var ranked = configurations.Where(c => c.Folds.Count > 0).ToList();
            if (ranked.Count == 0)
            {
                throw new TrainingException(TrainingErrors.SummaryMismatch, first.Folder, "no run was validated (runs trained with --fold all hold nothing out): "
                    + "give the runs of the cross-validation folds (--fold 0, 1, ...)");
            }
            if (ranked.Select(c => string.Join(",", c.Folds.Select(f => f.Fold))).Distinct(StringComparer.Ordinal).Count() > 1)
                notes.Add("the configurations were validated on different folds, so their pooled Dice are not over the same cases");
            ConfigurationSummary best = ranked.OrderByDescending(c => double.IsNaN(c.Pooled.MeanDice) ? double.NegativeInfinity : c.Pooled.MeanDice).First();
            var bestRuns = runs.Where(r => best.Runs.Contains(r.Folder) && r.Validation != null).ToList();
            var (decision, evidence) = PostprocessingPlanner.Decide(bestRuns.SelectMany(r => r.ValidationPairs).ToList(), first.Labels,
                bestRuns.Select(r => r.Folder).ToList(), workers, progress);
            return new CrossValidationSummary(first.Labels, configurations, best.Name, decision, evidence, notes);
        }

        /// <summary>Per class, the mean over cases skipping undefined values (nnU-Net's nanmean); the mean over classes likewise.</summary>
        private static FoldScore Score(string fold, string run, IReadOnlyList<CaseEvaluation> cases, IReadOnlyList<string> labels)
        {
            var classes = new List<ClassScore>();
            for (int c = 1; c < labels.Count; c++)
            {
                var metrics = cases.Select(e => e.Classes.FirstOrDefault(m => m.Label == c)).Where(m => m != null).Select(m => m!).ToList();
                classes.Add(new ClassScore(c, labels[c], NanMean(metrics.Select(m => m.Dice)), NanMean(metrics.Select(m => m.Hd95))));
            }
            return new FoldScore(fold, run, cases.Count, classes, NanMean(classes.Select(s => s.Dice)), NanMean(classes.Select(s => s.Hd95)));
        }

        private static double NanMean(IEnumerable<double> values)
        {
            var defined = values.Where(v => !double.IsNaN(v)).ToList();
            return defined.Count > 0 ? defined.Average() : double.NaN;
        }
    }
}
