using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using E2ENet.Compiler.Host;
using E2ENet.Data;
using E2ENet.Data.Evaluation;
using E2ENet.Data.Preprocessing;
using E2ENet.Training.Runs;

namespace E2ENet.Training.Summaries
{
    /// <summary>
    /// What <c>summarize</c> reads of one finished run folder: its model (<c>model.e2e</c>: runs with the same file are one
    /// configuration), its fold (<c>run.json</c>), its labels (<c>plan.json</c>), and its final validation
    /// (<c>validation/summary.json</c> with the predictions and references it evaluated) unless it was a <c>--fold all</c> run.
    /// </summary>
    public sealed class RunResult
    {
        private RunResult(string folder, string model, string modelSource, int fold, string dataset, IReadOnlyList<string> labels, EvaluationReport? validation)
        {
            Folder = folder;
            Model = model;
            ModelSource = modelSource;
            Fold = fold;
            Dataset = dataset;
            Labels = labels;
            Validation = validation;
        }

        /// <summary>The run folder as given.</summary>
        public string Folder { get; }

        /// <summary>The model's name.</summary>
        public string Model { get; }

        /// <summary>The run's <c>model.e2e</c> (standalone, every key explicit): the configuration.</summary>
        public string ModelSource { get; }

        /// <summary>The fold, or <see cref="FoldSelection.All"/>.</summary>
        public int Fold { get; }

        /// <summary>The dataset folder it trained on.</summary>
        public string Dataset { get; }

        /// <summary>The label names, background first.</summary>
        public IReadOnlyList<string> Labels { get; }

        /// <summary>The final validation (null for a <c>--fold all</c> run).</summary>
        public EvaluationReport? Validation { get; }

        /// <summary>The validation cases as (prediction, reference) files in this run folder.</summary>
        public IReadOnlyList<(string Prediction, string Reference)> ValidationPairs
            => Validation == null ? Array.Empty<(string, string)>() : Validation.Cases.Select(c => (
                Path.Combine(Folder, "validation", "predictions", Path.GetFileName(c.Prediction)),
                Path.Combine(Folder, "validation", "references", Path.GetFileName(c.Reference)))).ToList();

        /// <summary>Reads a run folder.</summary>
        /// <exception cref="TrainingException">E2E5009 for a folder that is not a finished run; E2E5011 for a cross-validation run without its validation results.</exception>
        public static RunResult Read(string folder)
        {
            var run = new TrainingRun(folder);
            if (!Directory.Exists(folder)) throw new TrainingException(TrainingErrors.BadRun, folder, "no such folder; give the run folders written by e2enet train");
            foreach (string file in new[] { run.RunFile, run.ModelFile, run.PlanFile })
            {
                if (!File.Exists(file)) throw new TrainingException(TrainingErrors.BadRun, folder, $"has no {Path.GetFileName(file)}: it is not a run folder written by e2enet train");
            }
            string model;
            int fold;
            string dataset;
            try
            {
                using JsonDocument document = JsonDocument.Parse(RegularFile.ReadAllText(run.RunFile, 1 << 20));
                model = document.RootElement.GetProperty("model").GetString() ?? throw new JsonException("'model' is null");
                fold = FoldSelection.FromJson(document.RootElement.GetProperty("fold"));
                dataset = document.RootElement.TryGetProperty("dataset", out JsonElement d) ? d.GetString() ?? string.Empty : string.Empty;
            }
            catch (Exception e) when (e is JsonException || e is KeyNotFoundException || e is InvalidOperationException || e is IOException)
            {
                throw new TrainingException(TrainingErrors.BadRun, run.RunFile, "cannot read the run's model and fold: " + e.Message, e);
            }
            string source;
            PreprocessingPlan plan;
            try
            {
                source = RegularFile.ReadAllText(run.ModelFile, 1 << 20);
                plan = DataJson.Read<PreprocessingPlan>(run.PlanFile);
            }
            catch (Exception e) when (e is IOException || e is DataException)
            {
                throw new TrainingException(TrainingErrors.BadRun, folder, "cannot read its model.e2e or plan.json: " + e.Message, e);
            }
            EvaluationReport? validation = null;
            if (fold != FoldSelection.All)
            {
                string summary = Path.Combine(run.ValidationFolder, "summary.json");
                if (!File.Exists(summary))
                {
                    throw new TrainingException(TrainingErrors.SummaryMismatch, folder, $"fold {fold} has no validation/summary.json: the run has not finished, or was trained with --no-final-validation; "
                        + "finish it (e2enet train ... --resume), or leave it out");
                }
                try
                {
                    validation = DataJson.Read<EvaluationReport>(summary);
                }
                catch (DataException e)
                {
                    throw new TrainingException(TrainingErrors.BadRun, summary, "cannot read the validation results: " + e.Detail, e);
                }
            }
            return new RunResult(folder, model, source, fold, dataset, plan.Labels, validation);
        }
    }
}
