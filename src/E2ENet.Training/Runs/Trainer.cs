using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using E2ENet.Compiler.Host;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Evaluation;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Training;
using E2ENet.Torch;
using E2ENet.Torch.Serialization;
using E2ENet.Torch.Precision;
using E2ENet.Training.Optimization;
using E2ENet.Training.Reporting;
using TorchSharp;
using static TorchSharp.torch;

namespace E2ENet.Training.Runs
{
    /// <summary>What a finished (or stopped) <see cref="Trainer.Run"/> produced.</summary>
    public sealed record TrainingResult(string RunFolder, int EpochsDone, bool Finished, IReadOnlyList<EpochMetrics> Metrics, EvaluationReport? Validation);

    /// <summary>
    /// Trains an E2ENet with Dynamic Sparse Feature Fusion on a dataset (docs/method.md, "Training recipe": nnU-Net v1's): deep-supervision
    /// Dice + CE, SGD with Nesterov momentum and poly learning rate, gradient clipping, the data pipeline's sampling and
    /// augmentation; masks applied to weights and momentum after every step; the topology evolved every ΔT iterations.
    /// Crash-safe and exactly resumable: a checkpoint after every epoch holds the weights, masks, optimizer state, sampler
    /// position and metrics. The network is the run-time network of the model, or a given one (a generated class,
    /// <see cref="TrainerOptions.Network"/>).
    /// <para>
    /// The parts, in the order a run uses them: <see cref="TrainingModel"/> (which model, seed and fold), <see cref="RunFolder"/>
    /// (the run's files and log), the data (preprocessing and the fold's split, here), <see cref="TrainingNetwork"/> (the network
    /// at its seed, its parameters and masks), <see cref="RunCheckpoints"/> (start, resume, checkpoints), <see cref="TrainingLoop"/>
    /// (the epochs) and <see cref="FinalValidation"/>.
    /// </para>
    /// </summary>
    public sealed class Trainer
    {
        private readonly TrainerOptions _options;
        private readonly TrainingRun _run;
        private readonly RunFolder _folder;

        /// <summary>Creates a trainer.</summary>
        public Trainer(TrainerOptions options)
        {
            _options = options;
            _run = new TrainingRun(options.Output);
            _folder = new RunFolder(_run, options);
        }

        /// <summary>Runs (or resumes) the training; returns what it did.</summary>
        /// <exception cref="TrainingException">A problem the user can fix (E2E5xxx).</exception>
        public TrainingResult Run(CancellationToken cancellation = default)
        {
            // One writer per run folder: an OS lock held for this process's life (released by the kernel even on kill -9).
            // An existing folder is locked before anything of it is read; a new one once the model is known to compile, and
            // it is checked again under the lock, so two trainings started at once cannot both pass the "no training here" check.
            bool existed = Directory.Exists(_run.Folder);
            FolderLock? runLock = existed ? LockRun() : null;
            try
            {
                TrainingModel model = TrainingModel.Resolve(_options, _run, _folder.Log);
                RequireMemory(model);
                if (runLock == null)
                {
                    runLock = LockRun();
                    if (!_options.Resume && _run.HasTraining)
                    {
                        throw new TrainingException(TrainingErrors.RunExists, _run.Folder, "this folder already holds a training; continue it with --resume, or choose another --out");
                    }
                }
                return RunLocked(model, cancellation);
            }
            finally
            {
                runLock?.Dispose();
            }
        }

        /// <summary>
        /// The network a training of <paramref name="ir"/> at <paramref name="seed"/> starts from, before its first step: built
        /// at the seed (<paramref name="network"/>, or the run-time network) with the initial random masks of a sparse model.
        /// The quickstart measures the untrained network with it.
        /// </summary>
        public static IE2ENetNetwork InitialNetwork(NetworkIr ir, long seed, NetworkFactory? network = null)
        {
            if (ir is null) throw new ArgumentNullException(nameof(ir));
            TrainingNetwork built = TrainingNetwork.Create(network, ir, seed, CPU);
            built.InitializeTopology(ir.Spec, seed);
            return built.Network;
        }

        /// <summary>The device named by <c>--device</c> (cpu or cuda); E2E5006 when CUDA is asked for but TorchSharp has none.</summary>
        public static Device ResolveDevice(string name)
        {
            switch (name)
            {
                case "cpu":
                    return CPU;
                case "cuda":
                    if (!cuda.is_available())
                    {
                        throw new TrainingException(TrainingErrors.DeviceUnavailable, null,
                            "--device cuda: no CUDA device is available to TorchSharp here (this build uses the CPU libtorch unless built with -p:E2ENetTorchDevice=cuda, or run against a CUDA libtorch); use --device cpu");
                    }
                    return CUDA;
                default:
                    throw new TrainingException(TrainingErrors.BadOption, null, $"--device {name}: use cpu or cuda");
            }
        }

        private FolderLock LockRun()
            => FolderLock.Acquire(_run.Folder, _options.Resume ? "e2enet train --resume" : "e2enet train");

        private TrainingResult RunLocked(TrainingModel model, CancellationToken cancellation)
        {
            ModelSpec spec = model.Spec;
            NetworkIr ir = model.Network;
            TrainingSpec recipe = spec.Training;
            Device device = ResolveDevice(_options.Device);
            CheckOptions();

            Directory.CreateDirectory(_run.Folder);
            _folder.Log($"model {spec.Name}: {ir.Totals.DenseParameters:N0} parameters, {ir.Totals.ActiveParameters:N0} active at sparsity {spec.Fusion.Sparsity.ToString(CultureInfo.InvariantCulture)} (unit {spec.Fusion.Unit.ToString().ToLowerInvariant()})");
            if (!_options.Resume) TrainingRun.WriteText(_run.ModelFile, spec.CanonicalSource);
            if (!_options.Resume || !File.Exists(_run.RunFile)) _folder.WriteRunFile(spec, device, model.Seed, model.Fold);
            LogDevice(device);

            // Data: preprocess (cached), split, loaders.
            string preprocessedFolder = _options.Preprocessed ?? _run.PreprocessedFolder;
            _folder.Log($"preprocessing {_options.Dataset} into {preprocessedFolder} (cached: a second run reuses it)");
            PreprocessingResult prepared = Preprocessor.Run(_options.Dataset, preprocessedFolder, new PreprocessOptions
            {
                Plan = PlanOptions.FromModel(spec),
                Workers = _options.Workers,
                Progress = _folder.Progress("preprocess"),
                Cancellation = cancellation,
            });
            using PreprocessedDataset data = PreprocessedDataset.Open(prepared.Folder);
            // The plan travels with the run: predict --run and export --run read it to preprocess new images the same way.
            TrainingRun.WriteText(_run.PlanFile, File.ReadAllText(Path.Combine(prepared.Folder, "plan.json")));
            var cases = data.Cases.Select(c => c.Name).ToList();
            Fold fold = FoldSelection.Select(cases, recipe.Folds, Path.Combine(prepared.Folder, "splits_final.json"), model.Seed, model.Fold, _options.Dataset);
            _folder.Log(model.Fold == FoldSelection.All
                ? $"fold all: {fold.Train.Count} training cases, nothing held out (the pseudo-Dice is measured on training cases; no final validation)"
                : $"fold {model.Fold}: {fold.Train.Count} training cases, {fold.Validation.Count} validation cases ({string.Join(", ", fold.Validation)})");

            // Network, topology, optimizer; a new run's state or the latest checkpoint's.
            using TrainingNetwork network = TrainingNetwork.Create(_options.Network, ir, model.Seed, device, _folder.Log);
            IParameterOptimizer optimizer = network.CreateOptimizer(recipe);
            var checkpoints = new RunCheckpoints(_folder, network, optimizer, ir, model.Seed, model.Fold);
            TrainerState state;
            bool restored = _options.Resume && checkpoints.Store.Latest() != null;
            if (restored)
            {
                state = checkpoints.Restore();
            }
            else
            {
                if (_options.Resume) _folder.Log("no epoch finished before the run stopped: starting from the beginning");
                state = checkpoints.Start();
                if (_options.InitWeights != null) _folder.Log(InitialWeights.Apply(network.Network, ir, network.Topology, _options.InitWeights, _options.InitWeightsSkipHeads));
            }

            ComputePrecision precision = ResolvePrecision(state, restored, device, recipe);

            TrainingDataOptions trainData = TrainingDataOptions.FromModel(spec, ir, model.Seed, _options.Workers);
            int validationIterations = _options.ValidationIterations ?? Math.Max(1, Math.Min(50, recipe.IterationsPerEpoch / 5));
            int stopAt = _options.StopAfterEpochs.HasValue ? Math.Min(recipe.Epochs, state.EpochsDone + _options.StopAfterEpochs.Value) : recipe.Epochs;
            new TrainingLoop(network, optimizer, checkpoints, _folder, new TrainingProgress(_options.Log, _options.Interactive), spec, ir, model.Seed, device, precision)
                .Run(state, stopAt, data, fold, trainData, validationIterations, cancellation);

            bool finished = state.EpochsDone >= recipe.Epochs;
            EvaluationReport? validation = null;
            if (finished)
            {
                TensorFileWriter.Write(_run.FinalWeights, network.Network.Module.state_dict());
                _folder.Log($"training finished after {state.EpochsDone} epochs; final weights: {_run.FinalWeights}; best (epoch {state.BestEpoch}): {_run.BestWeights}");
                if (_options.FinalValidation && model.Fold != FoldSelection.All)
                {
                    using (MixedPrecision.Use(precision))
                    {
                        validation = FinalValidation.OfRun(network.Network, spec, prepared.Plan, _run, _options.Dataset, fold.Validation, device, _folder.Log);
                    }
                }
            }
            else
            {
                _folder.Log($"stopped after epoch {state.EpochsDone} of {recipe.Epochs}; continue with: e2enet train {_options.Dataset} --out {_options.Output} --resume");
            }
            _folder.FlushLog();
            return new TrainingResult(_run.Folder, state.EpochsDone, finished, state.Metrics, validation);
        }

        /// <summary>
        /// The precision of the run: a new run's <c>--precision</c>, or by default fp16 on CUDA when training.mixed_precision is
        /// on (nnU-Net's choice) and fp32 otherwise; a resumed run keeps the precision it started with (E2E5003 when
        /// <c>--precision</c> names another). Recorded in the trainer's state with the fp16 loss scale.
        /// </summary>
        private ComputePrecision ResolvePrecision(TrainerState state, bool restored, Device device, TrainingSpec recipe)
        {
            ComputePrecision precision;
            if (restored)
            {
                if (!MixedPrecision.TryParse(state.Precision, out precision))
                {
                    throw new TrainingException(TrainingErrors.BadCheckpoint, _run.CheckpointsFolder, $"the checkpoint's precision '{state.Precision}' is not fp32, bf16 or fp16: the folder was altered");
                }
                if (_options.Precision is ComputePrecision asked && asked != precision)
                {
                    throw new TrainingException(TrainingErrors.ModelMismatch, _run.Folder,
                        $"this run trains in {MixedPrecision.Name(precision)}; resuming in {MixedPrecision.Name(asked)} would not continue it exactly: drop --precision, or train into another --out");
                }
            }
            else
            {
                precision = _options.Precision ?? (device.type == DeviceType.CUDA && recipe.MixedPrecision ? ComputePrecision.Fp16 : ComputePrecision.Fp32);
                state.Precision = MixedPrecision.Name(precision);
                state.LossScale = precision == ComputePrecision.Fp16 ? DynamicLossScaler.InitialScale : null;
                state.LossScaleGoodSteps = 0;
                state.SkippedSteps = 0;
            }
            _folder.Log(precision switch
            {
                ComputePrecision.Fp32 => "precision fp32",
                ComputePrecision.Bf16 => "precision bf16: convolutions in bfloat16; norms, losses, optimizer and master weights in float32",
                _ => $"precision fp16: convolutions in float16 with dynamic loss scaling (scale {state.LossScale?.ToString(CultureInfo.InvariantCulture)}); norms, losses, optimizer and master weights in float32",
            });
            return precision;
        }

        private void LogDevice(Device device)
        {
            if (device.type == DeviceType.CUDA)
            {
                // As nnU-Net: cuDNN picks the fastest convolution algorithms for the (fixed) patch shape.
                _folder.Log(E2ENet.Torch.Devices.CudnnBenchmark.TrySet(true)
                    ? "cuDNN benchmark mode on (as nnU-Net)"
                    : "note: this libtorch does not export cuDNN's benchmark switch: cuDNN uses its default algorithm choice");
            }
        }

        /// <summary>
        /// Refuses a training that cannot fit before anything is preprocessed or built (E2E7001): the IR's estimate of a training
        /// step (activations autograd keeps, weights, gradients, optimizer state) plus the batches the loader holds.
        /// </summary>
        private void RequireMemory(TrainingModel model)
        {
            ModelSpec spec = model.Spec;
            long step = MemoryEstimate.TrainingStep(model.Network);
            long data = TrainingDataOptions.FromModel(spec, model.Network, model.Seed, _options.Workers).MemoryBytes(spec.Input.Channels);
            MemoryBudget.Current.Require(MemoryEstimate.Clamp((double)step + data), _options.ModelFile ?? _run.ModelFile, string.Format(CultureInfo.InvariantCulture,
                "training '{0}' (a step at patch {1}, batch {2}: {3}, as e2enet check reports; batches in flight with {4} worker(s): {5})",
                spec.Name, spec.Input.Patch.ToSizeString(), spec.Training.Batch, ByteSize.Format(step), _options.Workers, ByteSize.Format(data)),
                "a smaller patch (--set input.patch=[...]) or batch (--set training.batch=1), or a narrower model");
        }

        private void CheckOptions()
        {
            if (_options.ValidationIterations is int v && v < 1)
            {
                throw new TrainingException(TrainingErrors.BadOption, null, "--validation-iterations must be at least 1");
            }
            if (_options.StopAfterEpochs is int s && s < 1)
            {
                throw new TrainingException(TrainingErrors.BadOption, null, "--stop-after must be at least 1 epoch");
            }
            if (_options.InitWeights != null && _options.Resume)
            {
                throw new TrainingException(TrainingErrors.BadOption, null, "--init-weights starts a run from other weights; --resume continues this run from its own checkpoint: drop --init-weights");
            }
            if (_options.InitWeightsSkipHeads && _options.InitWeights == null)
            {
                throw new TrainingException(TrainingErrors.BadOption, null, "--init-weights-skip-heads needs --init-weights W");
            }
        }
    }
}
