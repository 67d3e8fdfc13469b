using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using E2ENet.Compiler;
using E2ENet.Compiler.Host;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Datasets;
using E2ENet.Data.Evaluation;
using E2ENet.Data.Inference;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Training;
using E2ENet.Torch;
using E2ENet.Torch.Diagnostics;
using E2ENet.Torch.Network;
using E2ENet.Torch.Serialization;
using E2ENet.Torch.Weights;
using E2ENet.Training.Checkpoints;
using E2ENet.Training.Losses;
using E2ENet.Training.Optimization;
using E2ENet.Training.Randomness;
using E2ENet.Training.Reporting;
using E2ENet.Training.Schedules;
using E2ENet.Training.Sparse;
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
    /// position and metrics.
    /// </summary>
    public sealed class Trainer
    {
        private static readonly JsonSerializerOptions Json = DataJson.WithUndefinedAsNull(new JsonSerializerOptions { WriteIndented = true });

        private bool _plotsFailed;
        private readonly TrainerOptions _options;
        private readonly TrainingRun _run;
        private readonly StringBuilder _pendingLog = new StringBuilder();
        private long _seed;
        private int _fold;

        /// <summary>Creates a trainer.</summary>
        public Trainer(TrainerOptions options)
        {
            _options = options;
            _run = new TrainingRun(options.Output);
            _seed = options.Seed;
            _fold = options.Fold;
        }

        /// <summary>Runs (or resumes) the training; returns what it did.</summary>
        /// <exception cref="TrainingException">A problem the user can fix (E2E5xxx).</exception>
        public TrainingResult Run(System.Threading.CancellationToken cancellation = default)
        {
            // One writer per run folder: an OS lock held for this process's life (released by the kernel even on kill -9).
            // An existing folder is locked before anything of it is read; a new one once the model is known to compile, and
            // it is checked again under the lock, so two trainings started at once cannot both pass the "no training here" check.
            bool existed = Directory.Exists(_run.Folder);
            FolderLock? runLock = existed ? LockRun() : null;
            try
            {
                CompiledModel model = ResolveModel();
                RequireMemory(model.Spec!, model.Network!);
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

        private FolderLock LockRun()
            => FolderLock.Acquire(_run.Folder, _options.Resume ? "e2enet train --resume" : "e2enet train");

        private TrainingResult RunLocked(CompiledModel model, System.Threading.CancellationToken cancellation)
        {
            ModelSpec spec = model.Spec!;
            NetworkIr ir = model.Network!;
            TrainingSpec recipe = spec.Training;
            Device device = ResolveDevice(_options.Device);
            CheckOptions(recipe);

            Directory.CreateDirectory(_run.Folder);
            Log($"model {spec.Name}: {ir.Totals.DenseParameters:N0} parameters, {ir.Totals.ActiveParameters:N0} active at sparsity {spec.Fusion.Sparsity.ToString(CultureInfo.InvariantCulture)} (unit {spec.Fusion.Unit.ToString().ToLowerInvariant()})");
            if (!_options.Resume) TrainingRun.WriteText(_run.ModelFile, spec.CanonicalSource);
            if (!_options.Resume || !File.Exists(_run.RunFile)) WriteRunFile(spec, device);
            if (device.type == DeviceType.CUDA && recipe.MixedPrecision)
            {
                Log("note: training.mixed_precision is on, but TorchSharp 0.107 has no autocast: this run trains in fp32 on CUDA (see docs/training.md)");
            }
            if (device.type == DeviceType.CUDA)
            {
                // As nnU-Net: cuDNN picks the fastest convolution algorithms for the (fixed) patch shape.
                Log(E2ENet.Torch.Devices.CudnnBenchmark.TrySet(true)
                    ? "cuDNN benchmark mode on (as nnU-Net)"
                    : "note: this libtorch does not export cuDNN's benchmark switch: cuDNN uses its default algorithm choice");
            }

            // Data: preprocess (cached), split, loaders.
            string preprocessedFolder = _options.Preprocessed ?? _run.PreprocessedFolder;
            Log($"preprocessing {_options.Dataset} into {preprocessedFolder} (cached: a second run reuses it)");
            PreprocessingResult prepared = Preprocessor.Run(_options.Dataset, preprocessedFolder, new PreprocessOptions
            {
                Plan = PlanOptions.FromModel(spec),
                Workers = _options.Workers,
                Progress = new PreprocessProgress(this, "preprocess"),
                Cancellation = cancellation,
            });
            using PreprocessedDataset data = PreprocessedDataset.Open(prepared.Folder);
            // The plan travels with the run: predict --run and export --run read it to preprocess new images the same way.
            TrainingRun.WriteText(_run.PlanFile, File.ReadAllText(Path.Combine(prepared.Folder, "plan.json")));
            var cases = data.Cases.Select(c => c.Name).ToList();
            Fold fold = FoldSelection.Select(cases, recipe.Folds, Path.Combine(prepared.Folder, "splits_final.json"), _seed, _fold, _options.Dataset);
            Log(_fold == FoldSelection.All
                ? $"fold all: {fold.Train.Count} training cases, nothing held out (the pseudo-Dice is measured on training cases; no final validation)"
                : $"fold {_fold}: {fold.Train.Count} training cases, {fold.Validation.Count} validation cases ({string.Join(", ", fold.Validation)})");

            // Network, topology, optimizer.
            manual_seed(_seed);
            using IE2ENetNetwork network = (_options.Network ?? NetworkFactory.RunTime(ir)).Create();
            RequireFits(network.Module.named_parameters().Select(p => (p.name, p.parameter.shape)), ir, NetworkText(network));
            network.Module.to(device);
            FiniteChecks.Register(network.Module);
            Log(_options.Network == null ? "network: built at run time from the model's IR" : "network: " + network.GetType().FullName + " (given)");
            var parameters = network.Module.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToList();
            var byName = parameters.ToDictionary(p => p.Item1, p => p.Item2);
            SparseTopology topology = SparseTopology.Create(ir, byName);
            IParameterOptimizer optimizer = recipe.Optimizer.Kind == "adamw"
                ? new AdamWOptimizer(parameters, recipe.Optimizer.Beta1, recipe.Optimizer.Beta2, recipe.Optimizer.Eps, recipe.Optimizer.WeightDecay)
                : new SgdOptimizer(parameters, recipe.Optimizer.Momentum, recipe.Optimizer.Nesterov, recipe.Optimizer.WeightDecay);
            var store = new CheckpointStore(_run.CheckpointsFolder);
            TrainerState state;
            if (_options.Resume && store.Latest() != null)
            {
                state = Restore(store, network, ir, topology, optimizer, spec);
            }
            else
            {
                if (_options.Resume) Log("no epoch finished before the run stopped: starting from the beginning");
                state = Start(topology, spec);
                if (_options.InitWeights != null) Log(InitialWeights.Apply(network, ir, topology, _options.InitWeights, _options.InitWeightsSkipHeads));
            }

            var schedule = new LearningRateSchedule(recipe);
            var pruning = new PruneSchedule(spec.Evolve, recipe.IterationsPerEpoch, recipe.TotalIterations, spec.Fusion.IsSparse);
            var rule = spec.Evolve.Regrow == "gradient" ? RegrowRule.Gradient : RegrowRule.Random;
            var loss = new DeepSupervisionLoss(ir);
            TrainingDataOptions trainData = TrainingDataOptions.FromModel(spec, ir, _seed, _options.Workers);
            TrainingDataOptions validationData = new TrainingDataOptions
            {
                Patch = trainData.Patch,
                Batch = trainData.Batch,
                Oversample = trainData.Oversample,
                Augment = TrainingDataOptions.None,
                TargetSizes = trainData.TargetSizes,
                Seed = _seed + 1,
                Workers = 1,
            };
            int validationIterations = _options.ValidationIterations ?? Math.Max(1, Math.Min(50, recipe.IterationsPerEpoch / 5));
            List<string> foreground = spec.Labels.Count == spec.Classes ? spec.Labels.Skip(1).ToList() : Enumerable.Range(1, spec.Classes - 1).Select(k => "class" + k).ToList();

            int stopAt = _options.StopAfterEpochs.HasValue ? Math.Min(recipe.Epochs, state.EpochsDone + _options.StopAfterEpochs.Value) : recipe.Epochs;
            using (var loader = new BatchLoader(data, fold.Train, trainData, startBatch: state.Iteration))
            {
                for (int epoch = state.EpochsDone; epoch < stopAt; epoch++)
                {
                    if (cancellation.IsCancellationRequested) break;
                    var watch = Stopwatch.StartNew();
                    double lr = schedule.At(epoch);
                    network.Module.train();
                    double lossSum = 0;
                    int rounds = 0;
                    var waiting = new Stopwatch();
                    for (int i = 0; i < recipe.IterationsPerEpoch; i++)
                    {
                        if (cancellation.IsCancellationRequested) break;
                        waiting.Start();
                        TrainingBatch batch = loader.Next(cancellation);
                        waiting.Stop();
                        double value;
                        string? brokenLayer = null;
                        try
                        {
                            value = Step(network, loss, optimizer, topology, batch, device, lr, recipe.Clip);
                        }
                        catch (E2ENet.Torch.Diagnostics.E2ENetTorchException e) when (e.Id == E2ENet.Torch.Diagnostics.TorchErrors.NonFiniteOutput.Id)
                        {
                            value = double.NaN; // layer checks were on (E2ENET_CHECK_FINITE=1) and caught it first
                            brokenLayer = e.Detail;
                        }
                        if (double.IsNaN(value) || double.IsInfinity(value))
                        {
                            brokenLayer ??= LocateNonFinite(network, loss, batch, device);
                            throw new TrainingException(TrainingErrors.Diverged, _run.Folder, DivergedAdvice(value, epoch, i, state.EpochsDone, recipe, brokenLayer));
                        }
                        lossSum += value;
                        state.Iteration++;
                        if (pruning.IsEvolutionStep(state.Iteration))
                        {
                            EvolutionReport report = topology.Evolve(state.Iteration, pruning.Rate(state.Iteration), rule,
                                SeededRandom.Derive((ulong)_seed, "evolve/" + state.Iteration.ToString(CultureInfo.InvariantCulture)),
                                gradientOf: name => byName[name].grad, stateOf: optimizer.StateOf);
                            rounds++;
                            state.EvolutionRounds++;
                            AppendEvolution(report, state.EvolutionRounds == 1 && !File.Exists(_run.EvolutionFile));
                            Log($"evolution round {state.EvolutionRounds} at iteration {state.Iteration}: rate {report.Rate:0.0000}, pruned and regrew {report.Pruned:N0} units ({report.RegrownJustPruned:N0} regrown where just pruned)");
                        }
                        Progress(epoch, recipe.Epochs, i + 1, recipe.IterationsPerEpoch, lossSum / (i + 1), lr, watch.Elapsed.TotalSeconds, waiting.Elapsed.TotalSeconds);
                    }
                    if (cancellation.IsCancellationRequested) break;

                    // Validation patches: loss and pseudo-Dice (nnU-Net's online evaluation).
                    var (validationLoss, dice) = Validate(network, loss, data, fold.Validation, validationData, validationIterations, epoch, device, spec.Classes);
                    double mean = dice.Mean();
                    state.PseudoDiceAverage = state.PseudoDiceAverage is double previous ? 0.9 * previous + 0.1 * mean : mean;
                    var shares = topology.SourceShares();
                    var metrics = new EpochMetrics
                    {
                        Epoch = epoch + 1,
                        Iteration = state.Iteration,
                        TrainLoss = lossSum / recipe.IterationsPerEpoch,
                        ValidationLoss = validationLoss,
                        PseudoDice = mean,
                        PseudoDiceAverage = state.PseudoDiceAverage.Value,
                        PseudoDicePerClass = dice.PerClass(),
                        LearningRate = lr,
                        Density = topology.Layers.Count == 0 ? 1 : (double)topology.Layers.Sum(l => (long)l.ActiveCount) / topology.Layers.Sum(l => (long)l.Units),
                        EvolutionRounds = rounds,
                        SourceDensities = shares.Where(s => s.Units > 0).ToDictionary(s => s.Source, s => s.Density),
                        Seconds = watch.Elapsed.TotalSeconds,
                    };
                    state.Metrics.Add(metrics);
                    state.EpochsDone = epoch + 1;
                    bool best = state.BestPseudoDiceAverage is not double b || state.PseudoDiceAverage > b;
                    if (best)
                    {
                        state.BestPseudoDiceAverage = state.PseudoDiceAverage;
                        state.BestEpoch = epoch + 1;
                        TensorFileWriter.Write(_run.BestWeights, network.Module.state_dict());
                    }
                    WriteMetrics(state, foreground);
                    WritePlots(state.Metrics);
                    SaveCheckpoint(store, network, topology, optimizer, state);
                    Log(string.Format(CultureInfo.InvariantCulture,
                        "epoch {0}/{1}: train loss {2:0.0000}, validation loss {3:0.0000}, pseudo-Dice {4:0.0000} (average {5:0.0000}{6}), per class [{7}], lr {8:0.000000}, {9:0.0} s",
                        epoch + 1, recipe.Epochs, metrics.TrainLoss, validationLoss, mean, state.PseudoDiceAverage, best ? ", best" : "",
                        string.Join(", ", metrics.PseudoDicePerClass.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture))), lr, metrics.Seconds));
                }
            }

            bool finished = state.EpochsDone >= recipe.Epochs;
            EvaluationReport? validation = null;
            if (finished)
            {
                TensorFileWriter.Write(_run.FinalWeights, network.Module.state_dict());
                Log($"training finished after {state.EpochsDone} epochs; final weights: {_run.FinalWeights}; best (epoch {state.BestEpoch}): {_run.BestWeights}");
                if (_options.FinalValidation && _fold != FoldSelection.All)
                {
                    validation = FinalValidation(network, spec, prepared.Plan, fold.Validation, device);
                }
            }
            else
            {
                Log($"stopped after epoch {state.EpochsDone} of {recipe.Epochs}; continue with: e2enet train {_options.Dataset} --out {_options.Output} --resume");
            }
            FlushLog();
            return new TrainingResult(_run.Folder, state.EpochsDone, finished, state.Metrics, validation);
        }

        /// <summary>
        /// What can actually be done after the loss diverged. Resuming would replay the same batches with the same settings (and
        /// --resume refuses changed settings, E2E5003), so the way on is a new run with a smaller step; what this run keeps is said.
        /// </summary>
        internal static string DivergedAdvice(double value, int epoch, int iteration, int epochsDone, TrainingSpec recipe, string? cause = null)
        {
            string lr = recipe.LearningRate.ToString(CultureInfo.InvariantCulture);
            string lower = (recipe.LearningRate / 10).ToString(CultureInfo.InvariantCulture);
            string clip = recipe.Clip is double norm
                ? $"or a smaller clipping norm (--set training.clip={(norm / 2).ToString(CultureInfo.InvariantCulture)}; now {norm.ToString(CultureInfo.InvariantCulture)})"
                : "or gradient clipping (--set training.clip=12)";
            string kept = epochsDone > 0
                ? $"; this run keeps its checkpoint of epoch {epochsDone} and weights_best.pt, but resuming it would diverge again with the same settings"
                : "; no epoch of this run finished, so nothing of it is worth keeping";
            return $"the loss became {value.ToString(CultureInfo.InvariantCulture)} at epoch {epoch + 1}, iteration {iteration + 1}{(cause == null ? string.Empty : " (" + cause + ")")}; train again into a new --out "
                + $"with a lower learning rate (--set training.lr={lower}; now {lr}) {clip}{kept}";
        }

        private static double Step(IE2ENetNetwork network, DeepSupervisionLoss loss, IParameterOptimizer optimizer, SparseTopology topology,
            TrainingBatch batch, Device device, double lr, double? clip)
        {
            using var scope = NewDisposeScope();
            Tensor input = batch.ImageTensor(device);
            Tensor[] targets = batch.TargetTensors(device);
            optimizer.ZeroGrad();
            Tensor[] outputs = network.ForwardDeepSupervision(input);
            Tensor value = loss.Compute(outputs, targets);
            double result = value.item<float>();
            if (!double.IsFinite(result)) return result; // no step: the weights stay as they were, for the diagnosis
            value.backward();
            if (clip is double norm)
            {
                nn.utils.clip_grad_norm_(network.Module.parameters(), norm, 2.0);
            }
            optimizer.Step(lr);
            topology.ApplyToWeights();
            topology.ApplyTo(optimizer.StateOf);
            return result;
        }

        /// <summary>
        /// Runs the batch whose loss was not finite again, with every layer checking its output (E2E3010), and says which layer
        /// first produced NaN or infinity, or that the network's outputs were finite and the loss was not.
        /// </summary>
        private static string LocateNonFinite(IE2ENetNetwork network, DeepSupervisionLoss loss, TrainingBatch batch, Device device)
        {
            using var scope = NewDisposeScope();
            using var checks = E2ENet.Torch.Diagnostics.FiniteChecks.Enable();
            using var noGrad = no_grad();
            try
            {
                Tensor input = batch.ImageTensor(device);
                if (!input.isfinite().all().item<bool>()) return "the input batch holds NaN or infinity: check the preprocessed data";
                Tensor[] outputs = network.ForwardDeepSupervision(input);
                return "the network's outputs were finite; the loss was not: check the labels against the model's classes";
            }
            catch (E2ENet.Torch.Diagnostics.E2ENetTorchException e) when (e.Id == E2ENet.Torch.Diagnostics.TorchErrors.NonFiniteOutput.Id)
            {
                return e.Detail;
            }
        }

        private static (double Loss, PseudoDice Dice) Validate(IE2ENetNetwork network, DeepSupervisionLoss loss, PreprocessedDataset data,
            IReadOnlyList<string> cases, TrainingDataOptions options, int iterations, int epoch, Device device, int classes)
        {
            var dice = new PseudoDice(classes);
            double sum = 0;
            network.Module.eval();
            using (no_grad())
            {
                for (int i = 0; i < iterations; i++)
                {
                    using var scope = NewDisposeScope();
                    TrainingBatch batch = BatchLoader.Build(data, cases, options, (long)epoch * iterations + i);
                    Tensor[] outputs = network.ForwardDeepSupervision(batch.ImageTensor(device));
                    Tensor[] targets = batch.TargetTensors(device);
                    sum += loss.Compute(outputs, targets).item<float>();
                    dice.Add(outputs[0], targets[0]);
                }
            }
            network.Module.train();
            return (sum / iterations, dice);
        }

        private EvaluationReport FinalValidation(IE2ENetNetwork network, ModelSpec spec, PreprocessingPlan plan, IReadOnlyList<string> cases, Device device)
        {
            Dataset dataset = Dataset.Open(_options.Dataset);
            string predictions = Path.Combine(_run.ValidationFolder, "predictions");
            string references = Path.Combine(_run.ValidationFolder, "references");
            Directory.CreateDirectory(predictions);
            Directory.CreateDirectory(references);
            network.Module.eval();
            PatchPredictor predictor = input =>
            {
                using (no_grad()) return network.forward(input);
            };
            SlidingWindowOptions window = SlidingWindowOptions.FromModel(spec, device);
            int done = 0;
            foreach (string name in cases)
            {
                DatasetCase item = dataset.Find(name) ?? throw new TrainingException(TrainingErrors.DatasetMismatch, _options.Dataset, $"validation case {name} is no longer in the dataset");
                string ending = dataset.Json.FileEnding;
                CasePredictor.PredictFiles(item.Images, Path.Combine(predictions, name + ending), plan, predictor, window);
                if (item.Label != null) CopyVolume(item.Label, Path.Combine(references, name + ending));
                Log($"validation: predicted {name} ({++done}/{cases.Count})");
            }
            var labels = Enumerable.Range(1, spec.Classes - 1).ToList();
            EvaluationReport report = FolderEvaluation.Run(predictions, references, 1.0, labels);
            TrainingRun.WriteText(Path.Combine(_run.ValidationFolder, "summary.json"), DataJson.Serialize(report));
            foreach (ClassSummary summary in report.PerClass)
            {
                string label = spec.Labels.Count == spec.Classes ? spec.Labels[summary.Label] : "class " + summary.Label;
                Log(string.Format(CultureInfo.InvariantCulture, "validation Dice {0}: {1:0.0000} (HD95 {2:0.00} mm, surface Dice {3:0.0000})", label, summary.Dice, summary.Hd95, summary.SurfaceDice));
            }
            return report;
        }

        /// <summary>Copies a volume with every file it is made of (a detached .mhd or .nhdr header's data file beside it, under its own name).</summary>
        private static void CopyVolume(string source, string target)
        {
            string folder = Path.GetDirectoryName(target)!;
            foreach (string file in E2ENet.Data.Volumes.VolumeFiles.FilesOf(source))
            {
                File.Copy(file, file == source ? target : Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
            }
        }

        private CompiledModel ResolveModel()
        {
            var overrides = new List<string>(_options.Overrides);
            if (_options.Epochs is int epochs) overrides.Add("training.epochs=" + epochs.ToString(CultureInfo.InvariantCulture));
            if (_options.Iterations is int iterations) overrides.Add("training.iterations=" + iterations.ToString(CultureInfo.InvariantCulture));
            if (_options.Network != null && _options.ModelFile != null)
            {
                throw new TrainingException(TrainingErrors.BadOption, _options.ModelFile, "give the model to train once: a model file or a network (a generated class), not both");
            }
            if (_options.Resume)
            {
                if (!File.Exists(_run.ModelFile))
                {
                    throw new TrainingException(TrainingErrors.NothingToResume, _run.Folder, "there is no training to resume here (no model.e2e); start one without --resume");
                }
                ReadRunIdentity();
                CompiledModel saved = LoadModel(_run.ModelFile, null, Array.Empty<string>());
                if (_options.Network != null || _options.ModelFile != null || overrides.Count > 0)
                {
                    // The run's model.e2e is authoritative; a model or overrides given again must describe the same network and recipe.
                    CompiledModel requested = _options.Network != null ? LoadNetworkModel(_options.Network, overrides)
                        : _options.ModelFile != null ? LoadModel(_options.ModelFile, _options.ModelName, overrides)
                        : LoadModel(_run.ModelFile, null, overrides);
                    if (requested.Spec!.CanonicalSource.Replace("model " + requested.Name + " ", "model " + saved.Name + " ") != saved.Spec!.CanonicalSource)
                    {
                        throw new TrainingException(TrainingErrors.ModelMismatch, _run.ModelFile,
                            "the run was trained with other settings than this command line gives (model, --set, --epochs or --iterations); "
                            + "resume with just --resume (the run's model.e2e is used), or train into another --out");
                    }
                }
                return saved;
            }
            if (_options.ModelFile == null && _options.Network == null) throw new TrainingException(TrainingErrors.BadOption, null, "give the model to train: --model file.e2e[:Model]");
            if (_run.HasTraining)
            {
                throw new TrainingException(TrainingErrors.RunExists, _run.Folder, "this folder already holds a training; continue it with --resume, or choose another --out");
            }
            return _options.Network != null ? LoadNetworkModel(_options.Network, overrides) : LoadModel(_options.ModelFile!, _options.ModelName, overrides);
        }

        /// <summary>The model of a given network (a generated class): its source with the overrides, refused when they change its layers.</summary>
        private static CompiledModel LoadNetworkModel(NetworkFactory network, IReadOnlyList<string> overrides)
        {
            ModelSpec spec = network.Network.Spec;
            CompiledModel model;
            try
            {
                model = ModelLoader.LoadSource(spec.CanonicalSource, spec.SourcePath, spec.Name, overrides);
            }
            catch (E2ENet.Torch.Diagnostics.E2ENetTorchException e)
            {
                throw new TrainingException(e.Id, e.File, e.Detail, e);
            }
            RequireFits(network.Network.Parameters.Select(p => (p.Name, p.Shape.ToArray())), model.Network!, "the network of model " + spec.Name);
            return model;
        }

        /// <summary>
        /// E2E5012 unless <paramref name="parameters"/> are the IR's, by name and shape, in order: the network given to train (a
        /// generated class) must have the layers of the model trained; overrides may change everything else.
        /// </summary>
        private static void RequireFits(IEnumerable<(string Name, long[] Shape)> parameters, NetworkIr ir, string network)
        {
            var actual = parameters.Select(p => p.Name + " " + TensorInfo.FormatShape(p.Shape)).ToList();
            var expected = ir.Parameters.Select(p => p.Name + " " + TensorInfo.FormatShape(p.Shape.ToArray())).ToList();
            int first = Enumerable.Range(0, Math.Min(actual.Count, expected.Count)).FirstOrDefault(i => actual[i] != expected[i], -1);
            if (first < 0 && actual.Count == expected.Count) return;
            string difference = first >= 0 ? $"its parameter {first} is {actual[first]}, the model's {expected[first]}"
                : $"it has {actual.Count} parameters, the model {expected.Count}";
            throw new TrainingException(TrainingErrors.NetworkMismatch, ir.Spec.SourcePath,
                $"{network} does not have the layers of model {ir.Spec.Name} ({difference}); --set may change the recipe, the patch, the sparsity and the inference settings of a given network, not its layers: regenerate the class from the changed .e2e file, or train the model file itself");
        }

        private static string NetworkText(IE2ENetNetwork network) => "the network " + network.GetType().Name + " (model " + network.ModelName + ")";

        /// <summary>A resumed run keeps the seed and fold it started with (run.json), whatever this command line says.</summary>
        private void ReadRunIdentity()
        {
            if (!File.Exists(_run.RunFile)) return;
            try
            {
                using JsonDocument run = JsonDocument.Parse(File.ReadAllText(_run.RunFile));
                long seed = run.RootElement.GetProperty("seed").GetInt64();
                int fold = FoldSelection.FromJson(run.RootElement.GetProperty("fold"));
                if (seed != _seed || fold != _fold) Log($"resuming with the run's own seed {seed} and fold {FoldSelection.Text(fold)}");
                _seed = seed;
                _fold = fold;
            }
            catch (Exception e) when (e is JsonException || e is KeyNotFoundException || e is InvalidOperationException || e is IOException)
            {
                throw new TrainingException(TrainingErrors.BadRun, _run.RunFile, "cannot read the run's seed and fold: " + e.Message);
            }
        }

        private static CompiledModel LoadModel(string file, string? name, IReadOnlyList<string> overrides)
        {
            try
            {
                return ModelLoader.Load(file, name, overrides);
            }
            catch (E2ENet.Torch.Diagnostics.E2ENetTorchException e)
            {
                throw new TrainingException(e.Id, e.File, e.Detail, e);
            }
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

        /// <summary>
        /// Refuses a training that cannot fit before anything is preprocessed or built (E2E7001): the IR's estimate of a training
        /// step (activations autograd keeps, weights, gradients, optimizer state) plus the batches the loader holds.
        /// </summary>
        private void RequireMemory(ModelSpec spec, NetworkIr ir)
        {
            long step = MemoryEstimate.TrainingStep(ir);
            long data = TrainingDataOptions.FromModel(spec, ir, _seed, _options.Workers).MemoryBytes(spec.Input.Channels);
            MemoryBudget.Current.Require(MemoryEstimate.Clamp((double)step + data), _options.ModelFile ?? _run.ModelFile, string.Format(CultureInfo.InvariantCulture,
                "training '{0}' (a step at patch {1}, batch {2}: {3}, as e2enet check reports; batches in flight with {4} worker(s): {5})",
                spec.Name, spec.Input.Patch.ToSizeString(), spec.Training.Batch, ByteSize.Format(step), _options.Workers, ByteSize.Format(data)),
                "a smaller patch (--set input.patch=[...]) or batch (--set training.batch=1), or a narrower model");
        }

        private void CheckOptions(TrainingSpec recipe)
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
            _ = recipe;
        }

        private TrainerState Start(SparseTopology topology, ModelSpec spec)
        {
            if (spec.Fusion.IsSparse) topology.InitializeRandom(SeededRandom.Derive((ulong)_seed, "topology"));
            if (File.Exists(_run.EvolutionFile)) File.Delete(_run.EvolutionFile);
            Log($"started: {topology.Layers.Count} sparse layers, {topology.Layers.Sum(l => (long)l.ActiveCount):N0} of {topology.Layers.Sum(l => (long)l.Units):N0} units active");
            return new TrainerState { Model = spec.Name, Seed = _seed, Fold = _fold };
        }

        private TrainerState Restore(CheckpointStore store, IE2ENetNetwork network, NetworkIr ir, SparseTopology topology, IParameterOptimizer optimizer, ModelSpec spec)
        {
            Checkpoint checkpoint = store.Latest() ?? throw new TrainingException(TrainingErrors.NothingToResume, _run.CheckpointsFolder,
                "no complete checkpoint to resume from (the first epoch never finished); start again without --resume into a new --out");
            TrainerState state;
            try
            {
                state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(checkpoint.StatePath), Json)
                    ?? throw new JsonException("empty state");
                using (StateDictLoader.Load(network.Module, ir, checkpoint.WeightsPath))
                {
                }
                Dictionary<string, Tensor> tensors = TensorFile.ReadAll(checkpoint.TensorsPath);
                var masks = tensors.Where(t => t.Key.StartsWith("mask.", StringComparison.Ordinal)).ToDictionary(t => t.Key.Substring(5), t => t.Value);
                topology.ImportMasks(masks);
                Device device = network.Module.parameters().First().device;
                optimizer.ImportState(tensors.Where(t => t.Key.StartsWith("optimizer.", StringComparison.Ordinal))
                    .ToDictionary(t => t.Key.Substring("optimizer.".Length), t => t.Value.to(device)));
                optimizer.Steps = state.Iteration;
                foreach (Tensor t in tensors.Values) t.Dispose();
            }
            catch (Exception e) when (e is JsonException || e is IOException || e is InvalidOperationException || e is E2ENet.Torch.Diagnostics.E2ENetTorchException)
            {
                throw new TrainingException(TrainingErrors.BadCheckpoint, checkpoint.Folder, "cannot resume from this checkpoint: " + e.Message, e);
            }
            if (state.Model != spec.Name || state.Seed != _seed || state.Fold != _fold)
            {
                throw new TrainingException(TrainingErrors.BadCheckpoint, checkpoint.Folder,
                    $"the checkpoint belongs to model {state.Model}, seed {state.Seed}, fold {state.Fold}, but run.json says {spec.Name}, seed {_seed}, fold {_fold}; the run folder was altered");
            }
            TruncateEvolution(state.Iteration);
            Log($"resumed from {checkpoint.Name}: epoch {state.EpochsDone}, iteration {state.Iteration}, {state.EvolutionRounds} evolution rounds done");
            return state;
        }

        private void SaveCheckpoint(CheckpointStore store, IE2ENetNetwork network, SparseTopology topology, IParameterOptimizer optimizer, TrainerState state)
        {
            var tensors = new List<KeyValuePair<string, Tensor>>();
            tensors.AddRange(topology.ExportMasks().Select(m => new KeyValuePair<string, Tensor>("mask." + m.Key, m.Value)));
            tensors.AddRange(optimizer.ExportState().Select(s => new KeyValuePair<string, Tensor>("optimizer." + s.Key, s.Value)));
            store.Save(CheckpointStore.EpochName(state.EpochsDone), network.Module.state_dict(), tensors, JsonSerializer.Serialize(state, Json));
        }

        private void WriteRunFile(ModelSpec spec, Device device)
        {
            var run = new
            {
                model = spec.Name,
                modelFile = _options.ModelFile,
                overrides = _options.Overrides,
                dataset = Path.GetFullPath(_options.Dataset),
                fold = FoldSelection.Json(_fold),
                seed = _seed,
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

        private void WriteMetrics(TrainerState state, IReadOnlyList<string> foreground)
        {
            var csv = new StringBuilder(EpochMetrics.CsvHeader(foreground)).Append('\n');
            foreach (EpochMetrics metrics in state.Metrics) csv.Append(metrics.ToCsv()).Append('\n');
            TrainingRun.WriteText(_run.MetricsFile, csv.ToString());
        }

        private void AppendEvolution(EvolutionReport report, bool header)
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
        private void TruncateEvolution(long iteration)
        {
            if (!File.Exists(_run.EvolutionFile)) return;
            var lines = File.ReadAllLines(_run.EvolutionFile);
            var kept = lines.Where((line, i) => i == 0 || long.Parse(line.Substring(0, line.IndexOf(',')), CultureInfo.InvariantCulture) <= iteration).ToList();
            TrainingRun.WriteText(_run.EvolutionFile, string.Join("\n", kept) + (kept.Count > 0 ? "\n" : ""));
        }

        private DateTime _lastProgress = DateTime.MinValue;

        private void Progress(int epoch, int epochs, int iteration, int iterations, double meanLoss, double lr, double seconds, double waitingForData)
        {
            double perIteration = seconds / iteration;
            double remaining = perIteration * ((long)(epochs - epoch - 1) * iterations + (iterations - iteration));
            string line = string.Format(CultureInfo.InvariantCulture, "epoch {0}/{1} iteration {2}/{3}: loss {4:0.0000}, lr {5:0.000000}, {6:0.000} s/it ({7:0}% waiting for data), ETA {8}",
                epoch + 1, epochs, iteration, iterations, meanLoss, lr, perIteration, 100 * waitingForData / Math.Max(1e-9, seconds),
                TimeSpan.FromSeconds(Math.Round(remaining)).ToString("c", CultureInfo.InvariantCulture));
            if (_options.Interactive)
            {
                _options.Log.Write("\r" + line.PadRight(100));
                if (iteration == iterations) _options.Log.Write("\r" + new string(' ', 100) + "\r");
                return;
            }
            // Plain lines: about ten per epoch, at most one every two seconds.
            int every = Math.Max(1, iterations / 10);
            if ((iteration % every == 0 || iteration == iterations) && (DateTime.UtcNow - _lastProgress).TotalSeconds >= 2 || iteration == iterations)
            {
                _lastProgress = DateTime.UtcNow;
                _options.Log.WriteLine(line);
            }
        }

        /// <summary>Writes a line to the log (thread-safe: preprocessing reports progress from its workers).</summary>
        /// <summary>
        /// The PNG curves are for people, not for the run: a machine without the renderer's native library or fonts gets one
        /// warning and a training that goes on (metrics.csv has the same numbers).
        /// </summary>
        private void WritePlots(IReadOnlyList<EpochMetrics> metrics)
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

        internal void Log(string message)
        {
            string stamped = DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " " + message;
            lock (_pendingLog)
            {
                _options.Log.WriteLine(message);
                _pendingLog.Append(stamped).Append('\n');
                if (Directory.Exists(_run.Folder)) FlushLog();
            }
        }

        private void FlushLog()
        {
            lock (_pendingLog)
            {
                if (_pendingLog.Length == 0 || !Directory.Exists(_run.Folder)) return;
                File.AppendAllText(_run.LogFile, _pendingLog.ToString());
                _pendingLog.Clear();
            }
        }

        private sealed class PreprocessProgress : IProgress<E2ENet.Data.DataProgress>
        {
            private readonly Trainer _trainer;
            private readonly string _stage;

            public PreprocessProgress(Trainer trainer, string stage)
            {
                _trainer = trainer;
                _stage = stage;
            }

            public void Report(E2ENet.Data.DataProgress value)
                => _trainer.Log($"{_stage}: {value.Stage} {value.Done}/{value.Total}{(value.Item != null ? " " + value.Item : "")}{(value.Note != null ? " (" + value.Note + ")" : "")}");
        }
    }
}
