using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Preprocessing;
using E2ENet.Training.Reporting;
using E2ENet.Training.Sparse;
using static TorchSharp.torch;

namespace E2ENet.Training.Runs
{
    /// <summary>
    /// Writes a training's run folder (<see cref="TrainingRun"/> is its layout): the log (every line also to the options' log
    /// writer; lines before the folder exists wait for it), the model and run.json, metrics.csv after every epoch, evolution.csv
    /// after every evolution round, and the PNG plots. Everything but the appended log and evolution rows is written atomically.
    /// </summary>
    internal sealed class RunFolder
    {
        /// <summary>state.json and run.json: indented, undefined numbers as null.</summary>
        public static readonly JsonSerializerOptions Json = DataJson.WithUndefinedAsNull(new JsonSerializerOptions { WriteIndented = true });

        private readonly TrainingRun _run;
        private readonly TrainerOptions _options;
        private readonly StringBuilder _pendingLog = new StringBuilder();
        private bool _plotsFailed;

        public RunFolder(TrainingRun run, TrainerOptions options)
        {
            _run = run;
            _options = options;
        }

        /// <summary>The layout.</summary>
        public TrainingRun Run => _run;

        /// <summary>Writes a line to the log (thread-safe: preprocessing reports progress from its workers).</summary>
        public void Log(string message)
        {
            string stamped = DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " " + message;
            lock (_pendingLog)
            {
                _options.Log.WriteLine(message);
                _pendingLog.Append(stamped).Append('\n');
                if (Directory.Exists(_run.Folder)) FlushLog();
            }
        }

        /// <summary>Appends the lines logged before the folder existed.</summary>
        public void FlushLog()
        {
            lock (_pendingLog)
            {
                if (_pendingLog.Length == 0 || !Directory.Exists(_run.Folder)) return;
                File.AppendAllText(_run.LogFile, _pendingLog.ToString());
                _pendingLog.Clear();
            }
        }

        /// <summary>run.json: what was trained, on what, how.</summary>
        public void WriteRunFile(ModelSpec spec, Device device, long seed, int fold)
        {
            var run = new
            {
                model = spec.Name,
                modelFile = _options.ModelFile,
                overrides = _options.Overrides,
                dataset = Path.GetFullPath(_options.Dataset),
                fold = FoldSelection.Json(fold),
                seed,
                initWeights = _options.InitWeights == null ? null : Path.GetFullPath(_options.InitWeights),
                initWeightsSkipHeads = _options.InitWeightsSkipHeads,
                device = device.type.ToString().ToLowerInvariant(),
                epochs = spec.Training.Epochs,
                iterationsPerEpoch = spec.Training.IterationsPerEpoch,
                started = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture),
                tool = typeof(Trainer).Assembly.GetName().Version?.ToString(),
                machine = Environment.MachineName,
                processors = Environment.ProcessorCount,
            };
            TrainingRun.WriteText(_run.RunFile, JsonSerializer.Serialize(run, Json));
        }

        /// <summary>metrics.csv: one row per epoch so far.</summary>
        public void WriteMetrics(TrainerState state, IReadOnlyList<string> foreground)
        {
            var csv = new StringBuilder(EpochMetrics.CsvHeader(foreground)).Append('\n');
            foreach (EpochMetrics metrics in state.Metrics) csv.Append(metrics.ToCsv()).Append('\n');
            TrainingRun.WriteText(_run.MetricsFile, csv.ToString());
        }

        /// <summary>evolution.csv: one row per layer of an evolution round, after the header when <paramref name="header"/>.</summary>
        public void AppendEvolution(EvolutionReport report, bool header)
        {
            var lines = new StringBuilder();
            if (header) lines.Append("iteration,rate,layer,active,pruned,regrown,regrown_just_pruned\n");
            foreach (LayerEvolution layer in report.Layers)
            {
                lines.Append(report.Iteration.ToString(CultureInfo.InvariantCulture)).Append(',').Append(report.Rate.ToString("R", CultureInfo.InvariantCulture)).Append(',')
                    .Append(layer.Layer).Append(',').Append(layer.Active).Append(',').Append(layer.Pruned).Append(',').Append(layer.Regrown).Append(',')
                    .Append(layer.RegrownJustPruned).Append('\n');
            }
            File.AppendAllText(_run.EvolutionFile, lines.ToString());
        }

        /// <summary>Drops evolution rows after the checkpoint's iteration (a resumed run redoes them).</summary>
        public void TruncateEvolution(long iteration)
        {
            if (!File.Exists(_run.EvolutionFile)) return;
            var lines = File.ReadAllLines(_run.EvolutionFile);
            var kept = lines.Where((line, i) => i == 0 || long.Parse(line.Substring(0, line.IndexOf(',')), CultureInfo.InvariantCulture) <= iteration).ToList();
            TrainingRun.WriteText(_run.EvolutionFile, string.Join("\n", kept) + (kept.Count > 0 ? "\n" : ""));
        }

        /// <summary>
        /// The PNG curves are for people, not for the run: a machine without the renderer's native library or fonts gets one
        /// warning and a training that goes on (metrics.csv has the same numbers).
        /// </summary>
        public void WritePlots(IReadOnlyList<EpochMetrics> metrics)
        {
            if (_plotsFailed) return;
            try
            {
                TrainingPlots.WriteProgress(_run.PlotsFolder, metrics);
                TrainingPlots.WriteTopology(_run.PlotsFolder, metrics);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _plotsFailed = true;
                Log($"warning: the PNG plots cannot be rendered here ({e.GetType().Name}: {e.Message.Split('\n')[0]}); training goes on without them, metrics.csv has the numbers (Debian: apt-get install fonts-dejavu-core)");
            }
        }

        /// <summary>Preprocessing progress as log lines.</summary>
        public IProgress<E2ENet.Data.DataProgress> Progress(string stage) => new StageProgress(this, stage);

        private sealed class StageProgress : IProgress<E2ENet.Data.DataProgress>
        {
            private readonly RunFolder _folder;
            private readonly string _stage;

            public StageProgress(RunFolder folder, string stage)
            {
                _folder = folder;
                _stage = stage;
            }

            public void Report(E2ENet.Data.DataProgress value)
                => _folder.Log($"{_stage}: {value.Stage} {value.Done}/{value.Total}{(value.Item != null ? " " + value.Item : "")}{(value.Note != null ? " (" + value.Note + ")" : "")}");
        }
    }
}
