using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Training;
using E2ENet.Torch;
using E2ENet.Torch.Precision;
using E2ENet.Torch.Serialization;
using E2ENet.Training.Losses;
using E2ENet.Training.Optimization;
using E2ENet.Data;
using E2ENet.Training.Reporting;
using E2ENet.Training.Schedules;
using E2ENet.Training.Sparse;
using static TorchSharp.torch;

namespace E2ENet.Training.Runs
{
    /// <summary>
    /// The epochs of a training (docs/method.md, "Training recipe"): each iteration a batch from the loader, deep-supervision
    /// Dice + CE, an optimizer step with the epoch's learning rate and gradient clipping, the masks applied to the weights and
    /// the optimizer state; every ΔT iterations an evolution round (prune the weakest units by L1 norm, regrow as many). After
    /// each epoch the validation patches (loss, pseudo-Dice and its moving average), metrics.csv, the plots, weights_best.pt when
    /// the average improved, and a checkpoint. A loss that is not finite stops the run with the layer that broke (E2E5008).
    /// </summary>
    internal sealed class TrainingLoop
    {
        private readonly TrainingNetwork _network;
        private readonly IParameterOptimizer _optimizer;
        private readonly RunCheckpoints _checkpoints;
        private readonly RunFolder _folder;
        private readonly TrainingProgress _progress;
        private readonly ModelSpec _spec;
        private readonly TrainingSpec _recipe;
        private readonly long _seed;
        private readonly Device _device;
        private readonly LearningRateSchedule _schedule;
        private readonly PruneSchedule _pruning;
        private readonly RegrowRule _rule;
        private readonly DeepSupervisionLoss _loss;
        private readonly IReadOnlyList<string> _foreground;
        private readonly ComputePrecision _precision;
        private DynamicLossScaler? _scaler;

        public TrainingLoop(TrainingNetwork network, IParameterOptimizer optimizer, RunCheckpoints checkpoints, RunFolder folder, TrainingProgress progress,
            ModelSpec spec, Compiler.Ir.NetworkIr ir, long seed, Device device, ComputePrecision precision = ComputePrecision.Fp32)
        {
            _precision = precision;
            _network = network;
            _optimizer = optimizer;
            _checkpoints = checkpoints;
            _folder = folder;
            _progress = progress;
            _spec = spec;
            _recipe = spec.Training;
            _seed = seed;
            _device = device;
            _schedule = new LearningRateSchedule(_recipe);
            _pruning = new PruneSchedule(spec.Evolve, _recipe.IterationsPerEpoch, _recipe.TotalIterations, spec.Fusion.IsSparse);
            _rule = spec.Evolve.Regrow;
            _loss = new DeepSupervisionLoss(ir);
            _foreground = spec.Labels.Count == spec.Classes ? spec.Labels.Skip(1).ToList() : Enumerable.Range(1, spec.Classes - 1).Select(k => "class" + k).ToList();
        }

        private IE2ENetNetwork Network => _network.Network;

        private SparseTopology Topology => _network.Topology;

        /// <summary>
        /// Trains from <paramref name="state"/> up to epoch <paramref name="stopAt"/> (or until cancelled, after the step under way),
        /// on the fold's training cases; validation patches come from its validation cases.
        /// </summary>
        public void Run(TrainerState state, int stopAt, PreprocessedDataset data, Fold fold, TrainingDataOptions trainData, int validationIterations, CancellationToken cancellation)
        {
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
            _scaler = _precision == ComputePrecision.Fp16
                ? new DynamicLossScaler(state.LossScale ?? DynamicLossScaler.InitialScale, state.LossScaleGoodSteps, state.SkippedSteps)
                : null;
            using var loader = new BatchLoader(data, fold.Train, trainData, startBatch: state.Iteration);
            for (int epoch = state.EpochsDone; epoch < stopAt; epoch++)
            {
                if (cancellation.IsCancellationRequested) break;
                var watch = Stopwatch.StartNew();
                double lr = _schedule.At(epoch);
                Network.Module.train();
                double lossSum = 0;
                int rounds = 0;
                var waiting = new Stopwatch();
                for (int i = 0; i < _recipe.IterationsPerEpoch; i++)
                {
                    if (cancellation.IsCancellationRequested) break;
                    waiting.Start();
                    TrainingBatch batch = loader.Next(cancellation);
                    waiting.Stop();
                    lossSum += Iteration(batch, lr, epoch, i, state);
                    state.Iteration++;
                    if (_pruning.IsEvolutionStep(state.Iteration))
                    {
                        Evolve(state);
                        rounds++;
                    }
                    _progress.Report(epoch, _recipe.Epochs, i + 1, _recipe.IterationsPerEpoch, lossSum / (i + 1), lr, watch.Elapsed.TotalSeconds, waiting.Elapsed.TotalSeconds);
                }
                if (cancellation.IsCancellationRequested) break;
                EndEpoch(state, epoch, lr, lossSum, rounds, watch, data, fold, validationData, validationIterations);
            }
        }

        /// <summary>One optimizer step; E2E5008 (with the layer that broke) when the loss is not finite.</summary>
        private double Iteration(TrainingBatch batch, double lr, int epoch, int i, TrainerState state)
        {
            double value;
            string? brokenLayer = null;
            try
            {
                value = Step(Network, _loss, _optimizer, Topology, batch, _device, lr, _recipe.Clip, _precision, _scaler);
            }
            catch (E2ENet.Torch.Diagnostics.E2ENetTorchException e) when (e.Id == E2ENet.Torch.Diagnostics.TorchErrors.NonFiniteOutput.Id)
            {
                value = double.NaN; // layer checks were on (E2ENET_CHECK_FINITE=1) and caught it first
                brokenLayer = e.Detail;
            }
            if (double.IsNaN(value) || double.IsInfinity(value))
            {
                using (MixedPrecision.Use(_precision)) brokenLayer ??= LocateNonFinite(Network, _loss, batch, _device);
                if (_precision == ComputePrecision.Fp16)
                {
                    brokenLayer += "; in fp16 an activation can overflow float16's range (65504), which loss scaling cannot prevent: bf16 has float32's range (--precision bf16)";
                }
                throw new TrainingException(TrainingErrors.Diverged, _folder.Run.Folder, DivergedAdvice(value, epoch, i, state.EpochsDone, _recipe, brokenLayer));
            }
            return value;
        }

        /// <summary>An evolution round at the current iteration: logged and appended to evolution.csv.</summary>
        private void Evolve(TrainerState state)
        {
            EvolutionReport report = Topology.Evolve(state.Iteration, _pruning.Rate(state.Iteration), _rule,
                Rng.Derive((ulong)_seed, "evolve/" + state.Iteration.ToString(CultureInfo.InvariantCulture)),
                gradientOf: name => _network.ByName[name].grad, stateOf: _optimizer.StateOf);
            state.EvolutionRounds++;
            _folder.AppendEvolution(report, state.EvolutionRounds == 1 && !File.Exists(_folder.Run.EvolutionFile));
            _folder.Log($"evolution round {state.EvolutionRounds} at iteration {state.Iteration}: rate {report.Rate:0.0000}, pruned and regrew {report.Pruned:N0} units ({report.RegrownJustPruned:N0} regrown where just pruned)");
        }

        /// <summary>The end of an epoch: validation patches, metrics, plots, best weights, checkpoint, the epoch's log line.</summary>
        private void EndEpoch(TrainerState state, int epoch, double lr, double lossSum, int rounds, Stopwatch watch, PreprocessedDataset data, Fold fold,
            TrainingDataOptions validationData, int validationIterations)
        {
            // Validation patches: loss and pseudo-Dice (nnU-Net's online evaluation).
            double validationLoss;
            PseudoDice dice;
            using (MixedPrecision.Use(_precision))
            {
                (validationLoss, dice) = Validate(Network, _loss, data, fold.Validation, validationData, validationIterations, epoch, _device, _spec.Classes);
            }
            double mean = dice.Mean();
            state.PseudoDiceAverage = state.PseudoDiceAverage is double previous ? 0.9 * previous + 0.1 * mean : mean;
            var shares = Topology.SourceShares();
            var metrics = new EpochMetrics
            {
                Epoch = epoch + 1,
                Iteration = state.Iteration,
                TrainLoss = lossSum / _recipe.IterationsPerEpoch,
                ValidationLoss = validationLoss,
                PseudoDice = mean,
                PseudoDiceAverage = state.PseudoDiceAverage.Value,
                PseudoDicePerClass = dice.PerClass(),
                LearningRate = lr,
                Density = Topology.Layers.Count == 0 ? 1 : (double)Topology.Layers.Sum(l => (long)l.ActiveCount) / Topology.Layers.Sum(l => (long)l.Units),
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
                TensorFileWriter.Write(_folder.Run.BestWeights, Network.Module.state_dict());
            }
            _folder.WriteMetrics(state, _foreground);
            _folder.WritePlots(state.Metrics);
            if (_scaler != null)
            {
                // The scaler's state travels with the checkpoint: a resumed run scales as this one would have.
                state.LossScale = _scaler.Scale;
                state.LossScaleGoodSteps = _scaler.GoodSteps;
                state.SkippedSteps = _scaler.Skipped;
            }
            _checkpoints.Save(state);
            _folder.Log(string.Format(CultureInfo.InvariantCulture,
                "epoch {0}/{1}: train loss {2:0.0000}, validation loss {3:0.0000}, pseudo-Dice {4:0.0000} (average {5:0.0000}{6}), per class [{7}], lr {8:0.000000}, {9:0.0} s{10}",
                epoch + 1, _recipe.Epochs, metrics.TrainLoss, validationLoss, mean, state.PseudoDiceAverage, best ? ", best" : "",
                string.Join(", ", metrics.PseudoDicePerClass.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture))), lr, metrics.Seconds,
                _scaler == null ? string.Empty : string.Format(CultureInfo.InvariantCulture, ", fp16 loss scale {0}, {1} step(s) skipped so far (gradient overflow)", _scaler.Scale, _scaler.Skipped)));
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

        /// <summary>
        /// One optimizer step. The forward pass (and so the loss's graph) runs in <paramref name="precision"/>; with a
        /// <paramref name="scaler"/> (fp16) the backward pass runs on the scaled loss, the gradients are unscaled before
        /// clipping, and a step whose gradients overflowed is skipped (the weights and the optimizer state stay as they were).
        /// Returns the (unscaled) loss; not finite: no step was taken.
        /// </summary>
        private static double Step(IE2ENetNetwork network, DeepSupervisionLoss loss, IParameterOptimizer optimizer, SparseTopology topology,
            TrainingBatch batch, Device device, double lr, double? clip, ComputePrecision precision, DynamicLossScaler? scaler)
        {
            using var scope = NewDisposeScope();
            Tensor input = batch.ImageTensor(device);
            Tensor[] targets = batch.TargetTensors(device);
            optimizer.ZeroGrad();
            Tensor value;
            using (MixedPrecision.Use(precision))
            {
                Tensor[] outputs = network.ForwardDeepSupervision(input);
                value = loss.Compute(outputs, targets);
            }
            double result = value.item<float>();
            if (!double.IsFinite(result)) return result; // no step: the weights stay as they were, for the diagnosis
            if (scaler != null)
            {
                scaler.ScaleLoss(value).backward();
                bool finite = scaler.Unscale(network.Module.parameters().Select(p => p.grad).Where(g => g is not null)!);
                scaler.Update(finite);
                if (!finite)
                {
                    optimizer.ZeroGrad();
                    return result;
                }
            }
            else
            {
                value.backward();
            }
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
    }
}
