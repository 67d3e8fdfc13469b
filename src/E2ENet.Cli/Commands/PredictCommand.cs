using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Host;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Data;
using E2ENet.Data.Inference;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Volumes;
using E2ENet.Onnx.Bundle;
using E2ENet.Onnx.Diagnostics;
using E2ENet.Onnx.Export;
using E2ENet.Onnx.Runtime;
using E2ENet.Torch.Network;
using E2ENet.Torch.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace E2ENet.Cli.Commands
{
    /// <summary>
    /// <c>e2enet predict (--run RUN | --bundle BUNDLE) --input DIR|FILE --output DIR [--plan plan.json] [--device cpu|cuda|auto]
    /// [--no-mirror]</c>: segments NIfTI images as nnU-Net predicts (preprocess with the training plan, sliding window with
    /// Gaussian weighting and mirroring, back to each image's grid), with the TorchSharp network of a run or with an exported
    /// bundle in ONNX Runtime, which needs nothing but the bundle (its manifest carries the model and, when exported with one,
    /// the plan). Writes OUTPUT/CASE.nii.gz label volumes on the images' own grids.
    /// </summary>
    public static class PredictCommand
    {
        /// <summary>Builds the command.</summary>
        public static Command Create(CliContext context)
        {
            var run = new Option<string?>("--run") { Description = "A training run folder: predict with its TorchSharp network (model.e2e, weights.pt)." };
            var bundle = new Option<string?>("--bundle") { Description = "An exported bundle: predict with its graph in ONNX Runtime." };
            var input = new Option<string>("--input") { Description = "A folder of CASE_0000.nii.gz images (one file per channel), or one image of a one-channel model.", Required = true };
            var output = new Option<string>("--output") { Description = "The folder to write CASE.nii.gz label volumes into.", Required = true };
            var plan = new Option<string?>("--plan") { Description = "The preprocessing plan (plan.json of 'e2enet dataset preprocess'); default: the bundle's or the run's." };
            var device = new Option<string>("--device") { Description = "cpu, cuda (an error when CUDA cannot be used), or auto (CUDA when it loads, else the CPU).", DefaultValueFactory = _ => "cpu" };
            var noMirror = new Option<bool>("--no-mirror") { Description = "Skip test-time mirroring (one pass per tile instead of one per mirroring: faster, slightly less accurate)." };
            var maxMemory = MaxMemoryOption.Create();
            var command = new Command("predict", "Segment NIfTI images with a run's TorchSharp network or an exported bundle in ONNX Runtime (nnU-Net's sliding-window inference).")
            {
                run, bundle, input, output, plan, device, noMirror, maxMemory,
            };
            command.SetAction(parse => MaxMemoryOption.Run(context, "predict", parse.GetValue(maxMemory), () => Run(context, parse.GetValue(run), parse.GetValue(bundle),
                parse.GetValue(input)!, parse.GetValue(output)!, parse.GetValue(plan), parse.GetValue(device)!, parse.GetValue(noMirror))));
            return command;
        }

        /// <summary>Runs it; exit 0 done, 1 bad content, 2 bad command line.</summary>
        public static int Run(CliContext context, string? run, string? bundlePath, string input, string output, string? plan, string deviceText, bool noMirror)
        {
            const string name = "predict";
            string? unknown = ExportArguments.UnknownOption(run, bundlePath, input, output, plan, deviceText);
            if (unknown != null) return context.UsageError(name, $"unknown option '{unknown}'");
            if ((run == null) == (bundlePath == null)) return context.UsageError(name, "give either --run RUN (TorchSharp) or --bundle BUNDLE (ONNX Runtime)");
            if (ExecutionDevices.Parse(deviceText) is not ExecutionDevice device) return context.UsageError(name, $"--device '{deviceText}' is not cpu, cuda or auto");
            if (File.Exists(output)) return context.UsageError(name, $"--output '{output}' is a file; give the folder to write the label volumes into");
            if (!File.Exists(input) && !Directory.Exists(input)) return context.UsageError(name, $"cannot read --input '{input}': no such file or folder");
            Action<string> progress = ExportArguments.Progress(context, name);
            try
            {
                PredictCases.CheckOutputFolder(input, output);
                using Predictor predictor = run != null ? FromRun(run, plan, device, progress) : FromBundle(bundlePath!, plan, device, progress);
                ModelSpec spec = predictor.Spec;
                PreprocessingPlan preprocessing = DataJson.Read<PreprocessingPlan>(predictor.PlanPath);
                if (preprocessing.Channels != spec.Input.Channels || preprocessing.Classes != spec.Classes)
                {
                    throw new E2ENetOnnxException(OnnxErrors.PlanMissing, predictor.PlanPath, FormattableString.Invariant(
                        $"is a plan for {preprocessing.Channels} channel(s) and {preprocessing.Classes} classes; model '{spec.Name}' takes {spec.Input.Channels} and predicts {spec.Classes}: give the plan of its training data with --plan"));
                }
                var cases = PredictCases.Find(input, spec.Input.Channels);
                PredictCases.CheckOutputs(input, output, cases);
                SlidingWindowOptions options = SlidingWindowOptions.FromModel(spec);
                if (noMirror) options = new SlidingWindowOptions { Patch = options.Patch, Step = options.Step, SigmaScale = options.SigmaScale, MirrorAxes = Array.Empty<int>() };
                RequireMemory(spec, preprocessing, options, cases);
                // One writer per prediction folder (released by the kernel if this process is killed).
                using FolderLock outputLock = FolderLock.Acquire(output, "e2enet predict");
                PredictCases.CheckOutputs(input, output, cases);
                progress(FormattableString.Invariant($"{spec.Name} with {predictor.Description}; patch {options.Patch.ToSizeString()}, step {options.Step}, mirroring [{string.Join(", ", options.MirrorAxes)}]; plan {predictor.PlanPath}; {cases.Count} case(s)"));
                for (int k = 0; k < cases.Count; k++)
                {
                    PredictCase item = cases[k];
                    string target = PredictCases.Target(output, item);
                    var watch = Stopwatch.StartNew();
                    progress(FormattableString.Invariant($"case {k + 1}/{cases.Count} {item.Name}"));
                    Volume labels = CasePredictor.PredictFiles(item.Images, target, preprocessing, predictor.Predict, options, new TileProgress(progress));
                    int[] present = labels.Voxels.Select(v => (int)v).Distinct().OrderBy(v => v).ToArray();
                    context.Output.WriteLine(FormattableString.Invariant(
                        $"{item.Name} -> {target} ({labels.Shape.ToSizeString()}, classes present [{string.Join(", ", present)}], {watch.Elapsed.TotalSeconds:0.0} s)"));
                }
                context.Output.WriteLine(FormattableString.Invariant($"predicted {cases.Count} case(s) into {output}"));
                return ExitCodes.Success;
            }
            catch (Exception e) when (ExportArguments.Report(context, name, e) is int code)
            {
                return code;
            }
        }

        /// <summary>
        /// Refuses, before any case is read, a case whose prediction cannot fit in memory (E2E7001 naming its first image): the
        /// estimate of <see cref="CasePredictor.MemoryBytes"/> from its headers, with the network's own on one tile.
        /// </summary>
        private static void RequireMemory(ModelSpec spec, PreprocessingPlan plan, SlidingWindowOptions options, IReadOnlyList<PredictCase> cases)
        {
            long network = MemoryEstimate.Inference(IrBuilder.Build(spec), options.Patch, 1);
            MemoryBudget budget = MemoryBudget.Current;
            foreach (PredictCase item in cases)
            {
                var infos = item.Images.Select(VolumeInfo.Read).ToList();
                if (infos.Any(i => i == null)) continue; // a format without header-only reading: its reader's own limits apply
                VolumeInfo first = infos[0]!;
                budget.Require(CasePredictor.MemoryBytes(infos!, plan, options, network), item.Images[0], FormattableString.Invariant(
                    $"predicting case '{item.Name}' ({first.Shape.W}x{first.Shape.H}x{first.Shape.D} voxels, {infos.Count} channel(s), {plan.Classes} classes, patch {options.Patch.ToSizeString()})"),
                    "crop the image to the region to segment, or use a model with a smaller patch or fewer classes");
            }
        }

        private static Predictor FromBundle(string path, string? plan, ExecutionDevice device, Action<string> progress)
        {
            E2ENetBundle bundle = E2ENetBundle.Open(path);
            string planPath = plan ?? bundle.PlanPath ?? throw new E2ENetOnnxException(OnnxErrors.PlanMissing, bundle.Folder,
                "carries no preprocessing plan (it was exported without --plan): give --plan plan.json (written by e2enet dataset preprocess for the model's training data), or export the bundle again with --plan");
            OnnxRunner runner = bundle.OpenRunner(device, progress);
            return new Predictor(bundle.Spec, planPath, runner.Predict, runner, FormattableString.Invariant(
                $"bundle {bundle.Folder} ({bundle.Manifest.Precision}, {(bundle.Manifest.Pruned ? "pruned" : "dense")}) in ONNX Runtime ({runner.Provider})"));
        }

        private static Predictor FromRun(string run, string? plan, ExecutionDevice device, Action<string> progress)
        {
            (string modelFile, string weights) = ModelSource.RunFiles(run);
            string runPlan = Path.Combine(run, BundleManifest.PlanFileName);
            string planPath = plan ?? (File.Exists(runPlan) ? runPlan : throw new E2ENetOnnxException(OnnxErrors.PlanMissing, run,
                "has no plan.json: give --plan plan.json (written by e2enet dataset preprocess for the run's training data)"));
            Device torchDevice = CPU;
            if (device != ExecutionDevice.Cpu)
            {
                if (cuda.is_available()) torchDevice = CUDA;
                else if (device == ExecutionDevice.Cuda)
                {
                    throw new E2ENetOnnxException(OnnxErrors.DeviceUnavailable, run, "TorchSharp sees no CUDA device here (this build uses the CPU libtorch, or there is no GPU); "
                        + "run with --device cpu, or --device auto to fall back");
                }
                else progress("CUDA is not usable by TorchSharp here; running on the CPU.");
            }
            CompiledModelNetwork network = CompiledModelNetwork.Load(modelFile, weights, progress);
            network.Network.to(torchDevice);
            return new Predictor(network.Network.Network.Spec, planPath, x =>
            {
                using var noGrad = no_grad();
                using Tensor onDevice = x.to(torchDevice);
                return network.Network.forward(onDevice);
            }, network, $"run {run} (TorchSharp, {torchDevice.type.ToString().ToLowerInvariant()})");
        }

        /// <summary>A loaded TorchSharp network of a run, in eval mode.</summary>
        private sealed class CompiledModelNetwork : IDisposable
        {
            private CompiledModelNetwork(E2ENetNetwork network) => Network = network;

            public E2ENetNetwork Network { get; }

            public static CompiledModelNetwork Load(string modelFile, string weights, Action<string> progress)
            {
                E2ENetNetwork network = E2ENetNetwork.FromFile(modelFile);
                try
                {
                    using LoadedWeights loaded = StateDictLoader.Load(network, weights);
                    foreach (string note in loaded.Notes) progress("note: " + note);
                    network.eval();
                    return new CompiledModelNetwork(network);
                }
                catch
                {
                    network.Dispose();
                    throw;
                }
            }

            public void Dispose() => Network.Dispose();
        }

        /// <summary>The model, its plan, and the function that predicts one batch of tiles.</summary>
        private sealed class Predictor : IDisposable
        {
            private readonly IDisposable _owner;

            public Predictor(ModelSpec spec, string planPath, PatchPredictor predict, IDisposable owner, string description)
            {
                Spec = spec;
                PlanPath = planPath;
                Predict = predict;
                _owner = owner;
                Description = description;
            }

            public ModelSpec Spec { get; }

            public string PlanPath { get; }

            public PatchPredictor Predict { get; }

            public string Description { get; }

            public void Dispose() => _owner.Dispose();
        }

        /// <summary>Plain progress lines: each stage once, then tiles at every tenth.</summary>
        private sealed class TileProgress : IProgress<DataProgress>
        {
            private readonly Action<string> _write;
            private string? _stage;
            private int _lastTenth = -1;

            public TileProgress(Action<string> write) => _write = write;

            public void Report(DataProgress value)
            {
                int tenth = value.Total > 0 ? value.Done * 10 / value.Total : 0;
                if (value.Stage == _stage && tenth == _lastTenth) return;
                if (value.Stage != _stage) _lastTenth = -1;
                _stage = value.Stage;
                _lastTenth = tenth;
                _write(string.Format(CultureInfo.InvariantCulture, "  {0} {1}/{2}", value.Stage, value.Done, value.Total));
            }
        }
    }
}
