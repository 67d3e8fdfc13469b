using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Torch.Weights;
using E2ENet.Training.Checkpoints;
using E2ENet.Training.Optimization;
using static TorchSharp.torch;

namespace E2ENet.Training.Runs
{
    /// <summary>
    /// Where a training starts and how it keeps going: a new run's state and masks, the state restored from the latest
    /// checkpoint on resume (weights, masks, optimizer state, trainer state; checked to belong to this model, seed and fold),
    /// and a checkpoint after every epoch (<see cref="CheckpointStore"/>, crash-safe).
    /// </summary>
    internal sealed class RunCheckpoints
    {
        private readonly RunFolder _folder;
        private readonly TrainingNetwork _network;
        private readonly IParameterOptimizer _optimizer;
        private readonly NetworkIr _ir;
        private readonly long _seed;
        private readonly int _fold;

        public RunCheckpoints(RunFolder folder, TrainingNetwork network, IParameterOptimizer optimizer, NetworkIr ir, long seed, int fold)
        {
            _folder = folder;
            _network = network;
            _optimizer = optimizer;
            _ir = ir;
            _seed = seed;
            _fold = fold;
            Store = new CheckpointStore(folder.Run.CheckpointsFolder);
        }

        /// <summary>The run's checkpoints.</summary>
        public CheckpointStore Store { get; }

        private ModelSpec Spec => _ir.Spec;

        /// <summary>A new run: the initial masks, no evolution rows yet, an empty state.</summary>
        public TrainerState Start()
        {
            _network.InitializeTopology(Spec, _seed);
            if (File.Exists(_folder.Run.EvolutionFile)) File.Delete(_folder.Run.EvolutionFile);
            var topology = _network.Topology;
            _folder.Log($"started: {topology.Layers.Count} sparse layers, {topology.Layers.Sum(l => (long)l.ActiveCount):N0} of {topology.Layers.Sum(l => (long)l.Units):N0} units active");
            return new TrainerState { Model = Spec.Name, Seed = _seed, Fold = _fold };
        }

        /// <summary>The latest checkpoint's state, weights, masks and optimizer state; evolution rows after it are dropped.</summary>
        /// <exception cref="TrainingException">E2E5002 when there is no complete checkpoint; E2E5004 when it cannot be read or belongs to another run.</exception>
        public TrainerState Restore()
        {
            Checkpoint checkpoint = Store.Latest() ?? throw new TrainingException(TrainingErrors.NothingToResume, _folder.Run.CheckpointsFolder,
                "no complete checkpoint to resume from (the first epoch never finished); start again without --resume into a new --out");
            TrainerState state;
            try
            {
                state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(checkpoint.StatePath), RunFolder.Json)
                    ?? throw new JsonException("empty state");
                using (StateDictLoader.Load(_network.Network.Module, _ir, checkpoint.WeightsPath))
                {
                }
                Dictionary<string, Tensor> tensors = E2ENet.Torch.Serialization.TensorFile.ReadAll(checkpoint.TensorsPath);
                var masks = tensors.Where(t => t.Key.StartsWith("mask.", StringComparison.Ordinal)).ToDictionary(t => t.Key.Substring(5), t => t.Value);
                _network.Topology.ImportMasks(masks);
                Device device = _network.Network.Module.parameters().First().device;
                _optimizer.ImportState(tensors.Where(t => t.Key.StartsWith("optimizer.", StringComparison.Ordinal))
                    .ToDictionary(t => t.Key.Substring("optimizer.".Length), t => t.Value.to(device)));
                _optimizer.Steps = state.Iteration;
                foreach (Tensor t in tensors.Values) t.Dispose();
            }
            catch (Exception e) when (e is JsonException || e is IOException || e is InvalidOperationException || e is E2ENet.Torch.Diagnostics.E2ENetTorchException)
            {
                throw new TrainingException(TrainingErrors.BadCheckpoint, checkpoint.Folder, "cannot resume from this checkpoint: " + e.Message, e);
            }
            if (state.Model != Spec.Name || state.Seed != _seed || state.Fold != _fold)
            {
                throw new TrainingException(TrainingErrors.BadCheckpoint, checkpoint.Folder,
                    $"the checkpoint belongs to model {state.Model}, seed {state.Seed}, fold {state.Fold}, but run.json says {Spec.Name}, seed {_seed}, fold {_fold}; the run folder was altered");
            }
            _folder.TruncateEvolution(state.Iteration);
            _folder.Log($"resumed from {checkpoint.Name}: epoch {state.EpochsDone}, iteration {state.Iteration}, {state.EvolutionRounds} evolution rounds done");
            return state;
        }

        /// <summary>The checkpoint of the epoch just finished: weights, masks, optimizer state and <paramref name="state"/>.</summary>
        public void Save(TrainerState state)
        {
            var tensors = new List<KeyValuePair<string, Tensor>>();
            tensors.AddRange(_network.Topology.ExportMasks().Select(m => new KeyValuePair<string, Tensor>("mask." + m.Key, m.Value)));
            tensors.AddRange(_optimizer.ExportState().Select(s => new KeyValuePair<string, Tensor>("optimizer." + s.Key, s.Value)));
            Store.Save(CheckpointStore.EpochName(state.EpochsDone), _network.Network.Module.state_dict(), tensors, JsonSerializer.Serialize(state, RunFolder.Json));
        }
    }
}
