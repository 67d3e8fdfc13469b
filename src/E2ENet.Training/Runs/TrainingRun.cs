using System.IO;

namespace E2ENet.Training.Runs
{
    /// <summary>
    /// The layout of a training run folder. Everything a user needs afterwards is in it:
    /// <code>
    ///   model.e2e            the trained model as one standalone .e2e model (every key explicit)
    ///   run.json             what was trained, on what, how (dataset, fold, seed, device, command)
    ///   plan.json            the preprocessing plan (axis order, spacing, normalization) for predict and export
    ///   train.log            the log, appended across resumes
    ///   metrics.csv          one row per epoch; evolution.csv one row per layer per evolution round
    ///   plots/               progress.png and topology.png
    ///   checkpoints/         crash-safe checkpoints (see CheckpointStore) and the 'latest' pointer
    ///   weights.pt           final weights (a plain state dict, authors' key names); weights_best.pt: best pseudo-Dice
    ///   validation/          predictions of the held-out cases and summary.json
    ///   preprocessed/        the dataset preprocessed for this model (unless --preprocessed points elsewhere)
    /// </code>
    /// </summary>
    public sealed class TrainingRun
    {
        /// <summary>Opens (or designates) a run folder.</summary>
        public TrainingRun(string folder) => Folder = Path.GetFullPath(folder);

        /// <summary>The run folder.</summary>
        public string Folder { get; }

        /// <summary>The model source.</summary>
        public string ModelFile => Path.Combine(Folder, "model.e2e");

        /// <summary>Run metadata.</summary>
        public string RunFile => Path.Combine(Folder, "run.json");

        /// <summary>The preprocessing plan of the training data.</summary>
        public string PlanFile => Path.Combine(Folder, "plan.json");

        /// <summary>The log.</summary>
        public string LogFile => Path.Combine(Folder, "train.log");

        /// <summary>Per-epoch metrics.</summary>
        public string MetricsFile => Path.Combine(Folder, "metrics.csv");

        /// <summary>Per-round, per-layer evolution statistics.</summary>
        public string EvolutionFile => Path.Combine(Folder, "evolution.csv");

        /// <summary>Plots.</summary>
        public string PlotsFolder => Path.Combine(Folder, "plots");

        /// <summary>Checkpoints.</summary>
        public string CheckpointsFolder => Path.Combine(Folder, "checkpoints");

        /// <summary>Final weights.</summary>
        public string FinalWeights => Path.Combine(Folder, "weights.pt");

        /// <summary>Weights of the epoch with the best moving-average pseudo-Dice.</summary>
        public string BestWeights => Path.Combine(Folder, "weights_best.pt");

        /// <summary>Validation predictions and their evaluation.</summary>
        public string ValidationFolder => Path.Combine(Folder, "validation");

        /// <summary>Default place of the preprocessed dataset.</summary>
        public string PreprocessedFolder => Path.Combine(Folder, "preprocessed");

        /// <summary>True when the folder holds a training (a model file or checkpoints).</summary>
        public bool HasTraining => File.Exists(ModelFile) || Directory.Exists(CheckpointsFolder);

        /// <summary>The weights to use from this run: final when the training finished, else the best, else the latest checkpoint's.</summary>
        public string? WeightsForInference()
        {
            if (File.Exists(FinalWeights)) return FinalWeights;
            if (File.Exists(BestWeights)) return BestWeights;
            var latest = new Checkpoints.CheckpointStore(CheckpointsFolder).Latest();
            return latest?.WeightsPath;
        }

        /// <summary>Writes a text file atomically (temporary file, flush, rename): the data pipeline's <see cref="E2ENet.Data.AtomicFile"/>.</summary>
        public static void WriteText(string path, string text) => E2ENet.Data.AtomicFile.WriteText(path, text);
    }
}
