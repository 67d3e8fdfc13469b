using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using E2ENet.Cli.Reporting;
using E2ENet.Compiler;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Data;
using E2ENet.Data.Datasets;
using E2ENet.Data.Evaluation;
using E2ENet.Data.Preprocessing;
using E2ENet.Onnx.Export;
using E2ENet.Torch;
using E2ENet.Torch.Network;
using E2ENet.Torch.Weights;
using E2ENet.Training.Runs;

namespace E2ENet.Cli.Commands
{
    /// <summary>The steps of <c>e2enet quickstart</c> after the model check, on the Colin27 demo.</summary>
    internal sealed class QuickstartDemo
    {
        private const long Seed = 12345;
        private readonly CliContext _context;
        private readonly string _root;
        private readonly int? _epochs;
        private readonly int? _iterations;
        private EvaluationReport? _untrained;
        private EvaluationReport? _trained;
        private ExportResult? _export;
        private TimeSpan _trainingTime;

        public QuickstartDemo(CliContext context, string root, int? epochs, int? iterations)
        {
            _context = context;
            _root = root;
            _epochs = epochs;
            _iterations = iterations;
            Directory.CreateDirectory(root);
            ModelFile = Path.Combine(root, "colin27.e2e");
            File.WriteAllText(ModelFile, EmbeddedModel());
            ModelName = "Colin27Demo";
        }

        public string ModelFile { get; }

        public string ModelName { get; }

        private string DatasetFolder => Path.Combine(_root, "dataset");

        private string RunFolder => Path.Combine(_root, "run");

        private string PredictionsFolder => Path.Combine(_root, "predictions");

        private string BundleFolder => Path.Combine(_root, "bundle");

        /// <summary>Makes the demo dataset unless a complete one is there; installs mricron-data when it can.</summary>
        public bool EnsureDataset()
        {
            if (File.Exists(Path.Combine(DatasetFolder, "dataset.json")) && Dataset.Scan(DatasetFolder).Problems.Count == 0)
            {
                _context.Output.WriteLine($"  reusing {DatasetFolder}");
                return true;
            }
            var options = new DemoDatasetOptions { Overwrite = true };
            if (!File.Exists(Path.Combine(options.TemplatesFolder, "ch2.nii.gz")) && !InstallTemplates(options.TemplatesFolder)) return false;
            IReadOnlyList<string> names = DemoDataset.Make(DatasetFolder, options, new Progress<DataProgress>(p => _context.Error.WriteLine($"  make-demo {p.Done}/{p.Total} {p.Item}")));
            _context.Output.WriteLine($"  {names.Count} cases ({options.TrainingCases} to train and validate on, {options.TestCases} held out) in {DatasetFolder}");
            _context.Output.WriteLine($"  classes: {string.Join(", ", DemoDataset.Labels.Skip(1))}; about {options.Spacing.ToString(CultureInfo.InvariantCulture)} mm voxels");
            return true;
        }

        private bool InstallTemplates(string templates)
        {
            string[] command = { "apt-get", "install", "-y", "--no-install-recommends", "mricron-data" };
            bool root = Environment.UserName == "root" || RunQuiet("id", "-u")?.Trim() == "0";
            bool sudo = !root && RunQuiet("sudo", "-n", "true") != null;
            if (!File.Exists("/usr/bin/apt-get") || (!root && !sudo))
            {
                _context.Error.WriteLine("e2enet quickstart: error E2E4001: the demo is built from Debian's mricron-data (the Colin27 T1 head and the AAL atlas), which is not installed, "
                    + "and this user cannot install packages. Install it, then run the quickstart again:");
                _context.Error.WriteLine("  sudo apt-get install mricron-data");
                return false;
            }
            _context.Output.WriteLine("  installing Debian's mricron-data (the Colin27 T1 head and the AAL atlas): " + (sudo ? "sudo " : "") + string.Join(" ", command));
            bool Install() => Run(sudo ? new[] { "sudo", "-n" }.Concat(command).ToArray() : command);
            if (!Install())
            {
                Run(sudo ? new[] { "sudo", "-n", "apt-get", "update" } : new[] { "apt-get", "update" });
                if (!Install() || !File.Exists(Path.Combine(templates, "ch2.nii.gz")))
                {
                    _context.Error.WriteLine("e2enet quickstart: error E2E4001: could not install mricron-data; install it by hand (sudo apt-get install mricron-data) and run the quickstart again");
                    return false;
                }
            }
            return true;
        }

        /// <summary>Trains the demo model (resumes an interrupted training; reuses a finished one).</summary>
        public void Train()
        {
            var run = new TrainingRun(RunFolder);
            if (File.Exists(run.FinalWeights))
            {
                _context.Output.WriteLine($"  reusing the finished training in {RunFolder} (delete it to train again)");
                return;
            }
            var watch = Stopwatch.StartNew();
            var trainer = new Trainer(new TrainerOptions
            {
                Dataset = DatasetFolder,
                ModelFile = run.HasTraining ? null : ModelFile,
                Output = RunFolder,
                Resume = run.HasTraining,
                Epochs = run.HasTraining ? null : _epochs,
                Iterations = run.HasTraining ? null : _iterations,
                Seed = Seed,
                Log = _context.Error,
                Interactive = ReferenceEquals(_context.Error, Console.Error) && !Console.IsErrorRedirected,
            });
            TrainingResult result = trainer.Run();
            _trainingTime = watch.Elapsed;
            _context.Output.WriteLine($"  trained {result.EpochsDone} epochs in {_trainingTime.TotalMinutes:0.0} min; run folder {RunFolder}");
        }

        /// <summary>
        /// Predicts the held-out cases with the untrained and the trained network, and evaluates both, as a training's final
        /// validation does (<see cref="FinalValidation"/>).
        /// </summary>
        public void Evaluate()
        {
            var run = new TrainingRun(RunFolder);
            CompiledModel model = ModelLoader.Load(run.ModelFile);
            NetworkIr ir = model.Network!;
            ModelSpec spec = model.Spec!;
            PreprocessingPlan plan = DataJson.Read<PreprocessingPlan>(run.PlanFile);
            Dataset dataset = Dataset.Open(DatasetFolder);
            string references = Path.Combine(DatasetFolder, "labelsTs");
            IReadOnlyList<int> labels = FinalValidation.ForegroundClasses(spec);
            EvaluationReport Predict(IE2ENetNetwork network, string folder)
                => FinalValidation.Run(network, spec, plan, dataset.Test, dataset.Json.FileEnding, Path.Combine(PredictionsFolder, folder), references, copyReferences: false);

            // The untrained network: what training starts from (same seed, same initial masks).
            using (IE2ENetNetwork untrained = Trainer.InitialNetwork(ir, Seed))
            {
                _untrained = Predict(untrained, "untrained");
            }
            using (E2ENetNetwork trained = E2ENetNetwork.Create(ir))
            {
                using (StateDictLoader.Load(trained, run.FinalWeights))
                {
                }
                _trained = Predict(trained, "trained");
            }

            var table = new TextTable("class", ">Dice untrained", ">Dice trained", ">HD95 trained (mm)", ">surface Dice trained");
            for (int i = 0; i < labels.Count; i++)
            {
                ClassSummary before = _untrained.PerClass[i], after = _trained.PerClass[i];
                table.Add(spec.Labels.Count > labels[i] ? spec.Labels[labels[i]] : "class " + labels[i], F(before.Dice), F(after.Dice), F(after.Hd95, "0.0"), F(after.SurfaceDice));
            }
            table.Separator();
            table.Add("mean", F(Mean(_untrained)), F(Mean(_trained)), "", "");
            _context.Output.Write(table.ToString("  "));
            _context.Output.WriteLine($"  predictions: {PredictionsFolder}; the run's own validation: {Path.Combine(RunFolder, "validation")}");
        }

        /// <summary>Exports the trained run to an ONNX bundle (pruned, checked).</summary>
        public void Export()
        {
            _export = OnnxExporter.Export(new ExportRequest { Run = RunFolder, Out = BundleFolder, Force = true }, line => _context.Error.WriteLine("  " + line));
            var parameters = _export.Report.TotalParameters;
            var macs = _export.Report.TotalMacs;
            _context.Output.WriteLine($"  bundle: {_export.Bundle}");
            _context.Output.WriteLine($"  parameters dense / active / executed: {ModelReport.Number(parameters.Dense)} / {ModelReport.Number(parameters.Active)} / {ModelReport.Number(parameters.Executed)}");
            _context.Output.WriteLine($"  MACs at the patch, dense / active / executed: {ModelReport.Number(macs.Dense)} / {ModelReport.Number(macs.Active)} / {ModelReport.Number(macs.Executed)}");
        }

        /// <summary>What was done and where things are.</summary>
        public void Summary()
        {
            var run = new TrainingRun(RunFolder);
            NetworkIr ir = ModelLoader.Load(run.ModelFile).Network!;
            _context.Output.WriteLine("Summary");
            _context.Output.WriteLine($"  model {ModelName}: {ModelReport.Number(ir.Totals.DenseParameters)} parameters, {ModelReport.Number(ir.Totals.ActiveParameters)} active at sparsity "
                + ir.Spec.Fusion.Sparsity.ToString(CultureInfo.InvariantCulture) + $" ({ir.Spec.Fusion.Unit.ToSymbol()} units)");
            if (_trained != null && _untrained != null)
            {
                _context.Output.WriteLine($"  held-out mean Dice: {F(Mean(_untrained))} untrained -> {F(Mean(_trained))} trained");
            }
            _context.Output.WriteLine($"  plots: {Path.Combine(run.PlotsFolder, "progress.png")}, {Path.Combine(run.PlotsFolder, "topology.png")}");
            _context.Output.WriteLine($"  metrics: {run.MetricsFile}; evolution rounds: {run.EvolutionFile}; weights: {run.FinalWeights}");
            if (_export != null) _context.Output.WriteLine($"  ONNX bundle: {_export.Bundle} (report.json states parameters and MACs dense / active / executed)");
            _context.Output.WriteLine("Next: train on your own dataset with 'e2enet train <dataset> --model models/amos-ct.e2e:AmosCt --out runs/amos' (see docs/training.md).");
        }

        private static double Mean(EvaluationReport report)
        {
            var values = report.PerClass.Select(c => c.Dice).Where(d => !double.IsNaN(d)).ToList();
            return values.Count == 0 ? 0 : values.Average();
        }

        private static string F(double value, string format = "0.000") => double.IsNaN(value) ? "n/a" : value.ToString(format, CultureInfo.InvariantCulture);

        private static string EmbeddedModel()
        {
            Assembly assembly = typeof(QuickstartDemo).Assembly;
            using Stream stream = assembly.GetManifestResourceStream(QuickstartCommand.DemoModel)
                ?? throw new InvalidOperationException("the demo model is not embedded in the tool: " + QuickstartCommand.DemoModel);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }

        private bool Run(params string[] command)
        {
            try
            {
                var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (string arg in command.Skip(1)) info.ArgumentList.Add(arg);
                info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
                using var process = Process.Start(info)!;
                string stdout = process.StandardOutput.ReadToEnd();
                string stderr = process.StandardError.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode != 0) _context.Error.WriteLine("  " + string.Join(" ", command) + ": " + stderr.Trim().Split('\n').LastOrDefault());
                return process.ExitCode == 0;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return false;
            }
        }

        private static string? RunQuiet(params string[] command)
        {
            try
            {
                var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (string arg in command.Skip(1)) info.ArgumentList.Add(arg);
                using var process = Process.Start(info)!;
                string stdout = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                return process.ExitCode == 0 ? stdout : null;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return null;
            }
        }
    }
}
