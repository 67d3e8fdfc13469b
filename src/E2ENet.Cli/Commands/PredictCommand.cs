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
using E2ENet.Data.Postprocessing;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Volumes;
using E2ENet.Onnx.Bundle;
using E2ENet.Onnx.Diagnostics;
using E2ENet.Onnx.Export;
using E2ENet.Onnx.Runtime;
using E2ENet.Torch;
using E2ENet.Torch.Network;
using E2ENet.Torch.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace E2ENet.Cli.Commands
{
    /// <summary>
    /// <c>e2enet predict (--run RUN | --bundle BUNDLE)... --input DIR|FILE --output DIR [--checkpoint final|best] [--plan plan.json]
    /// [--device cpu|cuda|auto] [--no-mirror] [--save-probabilities] [--postprocess largest-component|largest-foreground|FILE.json]</c>:
    /// segments images as nnU-Net predicts (preprocess with the training plan, sliding window with Gaussian weighting and
    /// mirroring, back to each image's grid), with the TorchSharp network of a run or with an exported bundle in ONNX Runtime,
    /// which needs nothing but the bundle (its manifest carries the model and, when exported with one, the plan). Several
    /// <c>--run</c> and <c>--bundle</c> make an ensemble: the mean of their softmax probabilities, tile by tile. Writes
    /// OUTPUT/CASE + the input's extension (label volumes on the images' own grids), and OUTPUT/CASE.npz with the probabilities.
    /// </summary>
    public static class PredictCommand
    {
        /// <summary>Builds the command.</summary>
        public static Command Create(CliContext context)
        {
            var run = new Option<string[]>("--run") { Description = "A training run folder: predict with its TorchSharp network (model.e2e, weights.pt). Repeat for an ensemble." };
            var bundle = new Option<string[]>("--bundle") { Description = "An exported bundle: predict with its graph in ONNX Runtime. Repeat for an ensemble." };
            var input = new Option<string>("--input") { Description = "A folder of CASE_0000.nii.gz images (one file per channel), or one image of a one-channel model.", Required = true };
            var output = new Option<string>("--output") { Description = "The folder to write CASE.nii.gz label volumes into.", Required = true };
            var checkpoint = new Option<string>("--checkpoint") { Description = "Which weights of a run: final (weights.pt) or best (weights_best.pt, the best moving-average pseudo-Dice).", DefaultValueFactory = _ => "final" };
            var plan = new Option<string?>("--plan") { Description = "The preprocessing plan (plan.json of 'e2enet dataset preprocess'); default: the bundle's or the run's." };
            var device = new Option<string>("--device") { Description = "cpu, cuda (an error when CUDA cannot be used), or auto (CUDA when it loads, else the CPU).", DefaultValueFactory = _ => "cpu" };
            var noMirror = new Option<bool>("--no-mirror") { Description = "Skip test-time mirroring (one pass per tile instead of one per mirroring: faster, slightly less accurate)." };
            var probabilities = new Option<bool>("--save-probabilities") { Description = "Also write OUTPUT/CASE.npz: the (averaged) class probabilities, float32 (classes, D, H, W), as nnU-Net's --save_probabilities." };
            var postprocess = new Option<string?>("--postprocess") { Description = "largest-component (per class), largest-foreground (the foreground as a whole), or the decision file of 'e2enet summarize'." };
            var maxMemory = MaxMemoryOption.Create();
            var precision = PrecisionOption.Create("for --run members (a bundle's precision is fixed at export: --fp16); default fp32.");
            var command = new Command("predict", "Segment images with runs' TorchSharp networks or exported bundles in ONNX Runtime (nnU-Net's sliding-window inference; several make an ensemble).")
            {
                run, bundle, input, output, checkpoint, plan, device, noMirror, probabilities, postprocess, maxMemory, precision,
            };
            command.SetAction(parse => MaxMemoryOption.Run(context, "predict", parse.GetValue(maxMemory), () =>
            {
                if (!PrecisionOption.TryParse(context, "predict", parse.GetValue(precision), out var chosen, out int exit)) return exit;
                if (chosen != null && (parse.GetValue(run) ?? Array.Empty<string>()).Length == 0)
                {
                    return context.UsageError("predict", "--precision applies to --run members (TorchSharp); a bundle runs in the precision it was exported in (export --fp16)");
                }
                return PrecisionOption.Run(chosen, () => Run(context, new PredictRequest
            {
                Runs = parse.GetValue(run) ?? Array.Empty<string>(),
                Bundles = parse.GetValue(bundle) ?? Array.Empty<string>(),
                Input = parse.GetValue(input)!,
                Output = parse.GetValue(output)!,
                Checkpoint = parse.GetValue(checkpoint)!,
                CheckpointGiven = parse.GetResult(checkpoint) is { Implicit: false },
                Plan = parse.GetValue(plan),
                Device = parse.GetValue(device)!,
                NoMirror = parse.GetValue(noMirror),
                SaveProbabilities = parse.GetValue(probabilities),
                Postprocess = parse.GetValue(postprocess),
            }));
            }));
            return command;
        }

        /// <summary>Runs it (one run or bundle, without the options added since); exit 0 done, 1 bad content, 2 bad command line.</summary>
        public static int Run(CliContext context, string? run, string? bundlePath, string input, string output, string? plan, string deviceText, bool noMirror)
            => Run(context, new PredictRequest
            {
                Runs = run == null ? Array.Empty<string>() : new[] { run },
                Bundles = bundlePath == null ? Array.Empty<string>() : new[] { bundlePath },
                Input = input,
                Output = output,
                Plan = plan,
                Device = deviceText,
                NoMirror = noMirror,
            });

        /// <summary>Runs it; exit 0 done, 1 bad content, 2 bad command line.</summary>
        public static int Run(CliContext context, PredictRequest request)
        {
            const string name = "predict";
            string input = request.Input, output = request.Output;
            string? unknown = ExportArguments.UnknownOption(request.Runs.Concat(request.Bundles).Append(input).Append(output).Append(request.Plan).Append(request.Device)
                .Append(request.Checkpoint).Append(request.Postprocess).ToArray());
            if (unknown != null) return context.UsageError(name, $"unknown option '{unknown}'");
            if (request.Runs.Count + request.Bundles.Count == 0) return context.UsageError(name, "give --run RUN (TorchSharp) or --bundle BUNDLE (ONNX Runtime); several make an ensemble");
            if (request.Checkpoint != "final" && request.Checkpoint != "best") return context.UsageError(name, $"--checkpoint '{request.Checkpoint}' is not final or best");
            if (request.CheckpointGiven && request.Runs.Count == 0) return context.UsageError(name, "--checkpoint chooses the weights of a --run; a bundle holds the weights it was exported with");
            if (ExecutionDevices.Parse(request.Device) is not ExecutionDevice device) return context.UsageError(name, $"--device '{request.Device}' is not cpu, cuda or auto");
            if (File.Exists(output)) return context.UsageError(name, $"--output '{output}' is a file; give the folder to write the label volumes into");
            if (!File.Exists(input) && !Directory.Exists(input)) return context.UsageError(name, $"cannot read --input '{input}': no such file or folder");
            var duplicate = request.Runs.Concat(request.Bundles).GroupBy(p => Path.GetFullPath(p).TrimEnd('/'), StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate != null) return context.UsageError(name, $"'{duplicate.First()}' is given twice; an ensemble averages different members");
            Action<string> progress = ExportArguments.Progress(context, name);
            var members = new List<PredictMember>();
            try
            {
                PredictCases.CheckOutputFolder(input, output);
                foreach (string run in request.Runs) members.Add(FromRun(run, request.Plan, device, request.Checkpoint == "best", progress));
                foreach (string bundlePath in request.Bundles) members.Add(FromBundle(bundlePath, request.Plan, device, progress));
                PredictMember first = members[0];
                ModelSpec spec = first.Spec;
                PreprocessingPlan preprocessing = first.Plan;
                foreach (PredictMember member in members)
                {
                    if (member.Plan.Channels != member.Spec.Input.Channels || member.Plan.Classes != member.Spec.Classes)
                    {
                        throw new E2ENetOnnxException(OnnxErrors.PlanMissing, member.PlanPath, FormattableString.Invariant(
                            $"is a plan for {member.Plan.Channels} channel(s) and {member.Plan.Classes} classes; model '{member.Spec.Name}' takes {member.Spec.Input.Channels} and predicts {member.Spec.Classes}: give the plan of its training data with --plan"));
                    }
                }
                PredictEnsemble.RequireAgreement(members);
                PostprocessingDecision? postprocessing = PredictEnsemble.Postprocessing(request.Postprocess, preprocessing.Labels, out string? usage);
                if (usage != null) return context.UsageError(name, usage);
                var cases = PredictCases.Find(input, spec.Input.Channels);
                PredictCases.CheckOutputs(input, output, cases, request.SaveProbabilities);
                SlidingWindowOptions options = SlidingWindowOptions.FromModel(spec);
                var ensemble = members.Select(m => new EnsembleMember(m.Predict, request.NoMirror ? Array.Empty<int>() : m.Spec.Inference.MirrorAxes)).ToList();
                RequireMemory(members, preprocessing, options, cases, postprocessing is { IsNone: false });
                // One writer per prediction folder (released by the kernel if this process is killed).
                using FolderLock outputLock = FolderLock.Acquire(output, "e2enet predict");
                PredictCases.CheckOutputs(input, output, cases, request.SaveProbabilities);
                foreach (PredictMember member in members)
                {
                    progress(FormattableString.Invariant($"{member.Spec.Name} with {member.Description}; mirroring [{string.Join(", ", request.NoMirror ? Array.Empty<int>() : member.Spec.Inference.MirrorAxes)}]; plan {member.PlanPath}"));
                }
                string ensembleNote = members.Count > 1 ? FormattableString.Invariant($"ensemble of {members.Count}: the mean of their probabilities; ") : string.Empty;
                string postprocessingNote = postprocessing == null ? "none" : postprocessing.Describe(preprocessing.Labels);
                progress(FormattableString.Invariant($"{ensembleNote}patch {options.Patch.ToSizeString()}, step {options.Step}; postprocessing {postprocessingNote}; {cases.Count} case(s)"));
                for (int k = 0; k < cases.Count; k++)
                {
                    PredictCase item = cases[k];
                    string target = PredictCases.Target(output, item);
                    string? probabilityFile = request.SaveProbabilities ? ProbabilityFile.PathFor(target) : null;
                    var watch = Stopwatch.StartNew();
                    progress(FormattableString.Invariant($"case {k + 1}/{cases.Count} {item.Name}"));
                    Volume labels = CasePredictor.PredictFiles(item.Images, target, preprocessing, ensemble, options,
                        new CaseOutputs { ProbabilitiesFile = probabilityFile, Postprocessing = postprocessing }, new TileProgress(progress));
                    int[] present = labels.Voxels.Select(v => (int)v).Distinct().OrderBy(v => v).ToArray();
                    context.Output.WriteLine(FormattableString.Invariant(
                        $"{item.Name} -> {target}{(probabilityFile != null ? " + " + probabilityFile : string.Empty)} ({labels.Shape.ToSizeString()}, classes present [{string.Join(", ", present)}], {watch.Elapsed.TotalSeconds:0.0} s)"));
                }
                context.Output.WriteLine(FormattableString.Invariant($"predicted {cases.Count} case(s) into {output}{(members.Count > 1 ? $" with an ensemble of {members.Count}" : string.Empty)}"));
                return ExitCodes.Success;
            }
            catch (Exception e) when (ExportArguments.Report(context, name, e) is int code)
            {
                return code;
            }
            finally
            {
                foreach (PredictMember member in members) member.Dispose();
            }
        }

        /// <summary>
        /// Refuses, before any case is read, a case whose prediction cannot fit in memory (E2E7001 naming its first image): the
        /// estimate of <c>CasePredictor.MemoryBytes</c> from its headers, with every member's network on one tile (all are loaded).
        /// </summary>
        private static void RequireMemory(IReadOnlyList<PredictMember> members, PreprocessingPlan plan, SlidingWindowOptions options, IReadOnlyList<PredictCase> cases, bool postprocess)
        {
            long network = members.Sum(m => MemoryEstimate.Inference(IrBuilder.Build(m.Spec), options.Patch, 1));
            MemoryBudget budget = MemoryBudget.Current;
            foreach (PredictCase item in cases)
            {
                var infos = item.Images.Select(VolumeInfo.Read).ToList();
                if (infos.Any(i => i == null)) continue; // a format without header-only reading: its reader's own limits apply
                VolumeInfo first = infos[0]!;
                budget.Require(CasePredictor.MemoryBytes(infos!, plan, options, network, postprocess), item.Images[0], FormattableString.Invariant(
                    $"predicting case '{item.Name}' ({first.Shape.W}x{first.Shape.H}x{first.Shape.D} voxels, {infos.Count} channel(s), {plan.Classes} classes, patch {options.Patch.ToSizeString()}, {members.Count} network(s))"),
                    "crop the image to the region to segment, or use a model with a smaller patch or fewer classes");
            }
        }

        private static PredictMember FromBundle(string path, string? plan, ExecutionDevice device, Action<string> progress)
        {
            E2ENetBundle bundle = E2ENetBundle.Open(path);
            string planPath = plan ?? bundle.PlanPath ?? throw new E2ENetOnnxException(OnnxErrors.PlanMissing, bundle.Folder,
                "carries no preprocessing plan (it was exported without --plan): give --plan plan.json (written by e2enet dataset preprocess for the model's training data), or export the bundle again with --plan");
            OnnxRunner runner = bundle.OpenRunner(device, progress);
            return new PredictMember(path, bundle.Spec, planPath, runner.Predict, runner, FormattableString.Invariant(
                $"bundle {bundle.Folder} ({bundle.Manifest.Precision}, {(bundle.Manifest.Pruned ? "pruned" : "dense")}) in ONNX Runtime ({runner.Provider})"));
        }

        private static PredictMember FromRun(string run, string? plan, ExecutionDevice device, bool best, Action<string> progress)
        {
            (string modelFile, string weights) = best ? BestWeights(run) : ModelSource.RunFiles(run);
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
            network.Network.Module.to(torchDevice);
            return new PredictMember(run, network.Network.Network.Spec, planPath, x =>
            {
                using var noGrad = no_grad();
                using Tensor onDevice = x.to(torchDevice);
                return network.Network.forward(onDevice);
            }, network, $"run {run}, {(best ? "weights_best.pt" : "weights.pt")} (TorchSharp, {torchDevice.type.ToString().ToLowerInvariant()})");
        }

        /// <summary>A run's model and best weights (weights_best.pt, written at the epoch of the best moving-average pseudo-Dice).</summary>
        private static (string Model, string Weights) BestWeights(string run)
        {
            if (!Directory.Exists(run)) ModelSource.RunFiles(run); // the located error for a missing folder or a file
            string model = Path.Combine(run, ModelSource.RunModelFile), weights = Path.Combine(run, "weights_best.pt");
            if (!File.Exists(model) || !File.Exists(weights))
            {
                throw new E2ENetOnnxException(OnnxErrors.RunFolderInvalid, run, "has no " + (File.Exists(model) ? "weights_best.pt" : ModelSource.RunModelFile)
                    + " (a run writes weights_best.pt at the end of its first epoch): wait for it, or predict with --checkpoint final");
            }
            return (model, weights);
        }

        /// <summary>A loaded TorchSharp network of a run, in eval mode.</summary>
        private sealed class CompiledModelNetwork : IDisposable
        {
            private CompiledModelNetwork(IE2ENetNetwork network) => Network = network;

            public IE2ENetNetwork Network { get; }

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
