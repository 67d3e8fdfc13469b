using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Datasets;
using E2ENet.Data.Evaluation;
using E2ENet.Data.Inference;
using E2ENet.Data.Preprocessing;
using E2ENet.Torch;
using static TorchSharp.torch;

namespace E2ENet.Training.Runs
{
    /// <summary>
    /// The final validation of a training: every held-out case segmented at full resolution with the trained network
    /// (<see cref="NetworkPredictor"/>: nnU-Net's sliding window with the model's inference settings) and evaluated against its
    /// label (<see cref="FolderEvaluation"/>: Dice, HD95 and surface Dice per class at a 1 mm tolerance). The quickstart
    /// evaluates its held-out test cases, with the untrained and the trained network, the same way.
    /// </summary>
    public static class FinalValidation
    {
        /// <summary>The surface tolerance of the surface Dice, in mm.</summary>
        public const double Tolerance = 1.0;

        /// <summary>
        /// Segments <paramref name="cases"/> into <paramref name="predictions"/> (<c>{case}{fileEnding}</c>), copies each case's label
        /// (with every file it is made of) into <paramref name="references"/> when <paramref name="copyReferences"/> (otherwise
        /// the labels must be there already, under the same names), and evaluates the predictions against the references for
        /// every foreground class of <paramref name="spec"/>.
        /// </summary>
        /// <param name="network">The network, on <paramref name="device"/>; switched to evaluation mode.</param>
        /// <param name="spec">The model whose classes and inference settings apply.</param>
        /// <param name="plan">The preprocessing plan of the network's training data.</param>
        /// <param name="cases">The cases to segment.</param>
        /// <param name="fileEnding">The dataset's file ending (<c>.nii.gz</c>, <c>.mhd</c> ...).</param>
        /// <param name="predictions">Where the segmentations go (created).</param>
        /// <param name="references">Where the labels are, or go.</param>
        /// <param name="copyReferences">Copy the cases' labels into <paramref name="references"/>.</param>
        /// <param name="device">Where the tiles are computed (null: the CPU).</param>
        /// <param name="progress">Told <c>predicted NAME (i/n)</c> after each case.</param>
        public static EvaluationReport Run(IE2ENetNetwork network, ModelSpec spec, PreprocessingPlan plan, IReadOnlyList<DatasetCase> cases, string fileEnding,
            string predictions, string references, bool copyReferences, Device? device = null, Action<string>? progress = null)
        {
            if (network is null) throw new ArgumentNullException(nameof(network));
            if (spec is null) throw new ArgumentNullException(nameof(spec));
            Directory.CreateDirectory(predictions);
            if (copyReferences) Directory.CreateDirectory(references);
            PatchPredictor predictor = NetworkPredictor.Patches(network);
            SlidingWindowOptions window = SlidingWindowOptions.FromModel(spec, device);
            int done = 0;
            foreach (DatasetCase item in cases)
            {
                CasePredictor.PredictFiles(item.Images, Path.Combine(predictions, item.Name + fileEnding), plan, predictor, window);
                if (copyReferences && item.Label != null) CopyVolume(item.Label, Path.Combine(references, item.Name + fileEnding));
                progress?.Invoke($"predicted {item.Name} ({++done}/{cases.Count})");
            }
            return FolderEvaluation.Run(predictions, references, Tolerance, ForegroundClasses(spec));
        }

        /// <summary>
        /// The final validation of a training run: the fold's validation cases of <paramref name="datasetFolder"/> into the run's
        /// <c>validation/predictions</c> and <c>validation/references</c>, the evaluation into <c>validation/summary.json</c>, and one
        /// log line per case and per class.
        /// </summary>
        /// <exception cref="TrainingException">E2E5005 when a validation case is no longer in the dataset.</exception>
        internal static EvaluationReport OfRun(IE2ENetNetwork network, ModelSpec spec, PreprocessingPlan plan, TrainingRun run, string datasetFolder,
            IReadOnlyList<string> validation, Device device, Action<string> log)
        {
            Dataset dataset = Dataset.Open(datasetFolder);
            var cases = validation.Select(name => dataset.Find(name)
                ?? throw new TrainingException(TrainingErrors.DatasetMismatch, datasetFolder, $"validation case {name} is no longer in the dataset")).ToList();
            EvaluationReport report = Run(network, spec, plan, cases, dataset.Json.FileEnding, Path.Combine(run.ValidationFolder, "predictions"),
                Path.Combine(run.ValidationFolder, "references"), copyReferences: true, device, line => log("validation: " + line));
            TrainingRun.WriteText(Path.Combine(run.ValidationFolder, "summary.json"), DataJson.Serialize(report));
            foreach (ClassSummary summary in report.PerClass)
            {
                string label = spec.Labels.Count == spec.Classes ? spec.Labels[summary.Label] : "class " + summary.Label;
                log(string.Format(CultureInfo.InvariantCulture, "validation Dice {0}: {1} (HD95 {2}, surface Dice {3})", label,
                    Metric(summary.Dice, "0.0000", "", summary.DiceSkipped), Metric(summary.Hd95, "0.00", " mm", summary.Hd95Skipped),
                    Metric(summary.SurfaceDice, "0.0000", "", summary.SurfaceDiceSkipped)));
            }
            return report;
        }

        /// <summary>A metric for the log: its value, or why there is none (skipped in every case: the class is empty there).</summary>
        private static string Metric(double value, string format, string unit, int skipped)
            => double.IsNaN(value)
                ? string.Format(CultureInfo.InvariantCulture, "n/a: the class is empty in prediction or reference in all {0} case(s)", skipped)
                : value.ToString(format, CultureInfo.InvariantCulture) + unit;

        /// <summary>The classes evaluated: every class but the background, 1 .. classes - 1.</summary>
        public static IReadOnlyList<int> ForegroundClasses(ModelSpec spec) => Enumerable.Range(1, spec.Classes - 1).ToList();

        /// <summary>Copies a volume with every file it is made of (a detached .mhd or .nhdr header's data file beside it, under its own name).</summary>
        private static void CopyVolume(string source, string target)
        {
            string folder = Path.GetDirectoryName(target)!;
            foreach (string file in E2ENet.Data.Volumes.VolumeFiles.FilesOf(source))
            {
                File.Copy(file, file == source ? target : Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
            }
        }
    }
}
