using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Torch;
using E2ENet.Torch.Diagnostics;
using E2ENet.Training.Optimization;
using E2ENet.Data;
using E2ENet.Training.Sparse;
using TorchSharp;
using static TorchSharp.torch;

namespace E2ENet.Training.Runs
{
    /// <summary>
    /// The network a training trains, built as every training builds it at its seed: TorchSharp's generator seeded, the network
    /// constructed (the given one, a generated class, or the run-time network of the IR) and checked to have the IR's
    /// parameters (E2E5012), moved to the device, its layers named for the finite checks; its parameters by name and its
    /// sparse topology over the IR's sparse tensors (masks chosen by <see cref="InitializeTopology"/>, a checkpoint, or the
    /// initial weights). Disposing it disposes the network.
    /// </summary>
    internal sealed class TrainingNetwork : IDisposable
    {
        private TrainingNetwork(IE2ENetNetwork network, List<(string Name, Tensor Parameter)> parameters, SparseTopology topology)
        {
            Network = network;
            Parameters = parameters;
            ByName = parameters.ToDictionary(p => p.Name, p => p.Parameter);
            Topology = topology;
        }

        /// <summary>The network.</summary>
        public IE2ENetNetwork Network { get; }

        /// <summary>Its parameters in state-dict order.</summary>
        public List<(string Name, Tensor Parameter)> Parameters { get; }

        /// <summary>Its parameters by state-dict name.</summary>
        public Dictionary<string, Tensor> ByName { get; }

        /// <summary>The masks of its sparse tensors.</summary>
        public SparseTopology Topology { get; }

        /// <summary>Builds the network of <paramref name="ir"/> at <paramref name="seed"/> on <paramref name="device"/>.</summary>
        /// <param name="factory">The network to build (a generated class); null: the run-time network of <paramref name="ir"/>.</param>
        /// <param name="ir">The model trained; the network must have its parameters (E2E5012).</param>
        /// <param name="seed">The run's seed.</param>
        /// <param name="device">Where it trains.</param>
        /// <param name="log">Told which network was built.</param>
        public static TrainingNetwork Create(NetworkFactory? factory, NetworkIr ir, long seed, Device device, Action<string>? log = null)
        {
            IE2ENetNetwork network = (factory ?? NetworkFactory.RunTime(ir)).Create(seed);
            try
            {
                TrainingModel.RequireFits(network.Module.named_parameters().Select(p => (p.name, p.parameter.shape)), ir,
                    "the network " + network.GetType().Name + " (model " + network.ModelName + ")");
                network.Module.to(device);
                FiniteChecks.Register(network.Module);
                log?.Invoke(factory == null ? "network: built at run time from the model's IR" : "network: " + network.GetType().FullName + " (given)");
                var parameters = network.Module.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToList();
                return new TrainingNetwork(network, parameters, SparseTopology.Create(ir, parameters.ToDictionary(p => p.Item1, p => p.Item2)));
            }
            catch
            {
                network.Dispose();
                throw;
            }
        }

        /// <summary>A new run's masks: chosen at random from the seed (<c>fusion.init uniform</c>); nothing for dense fusion.</summary>
        public void InitializeTopology(ModelSpec spec, long seed)
        {
            if (spec.Fusion.IsSparse) Topology.InitializeRandom(Rng.Derive((ulong)seed, "topology"));
        }

        /// <summary>The optimizer of the recipe (SGD with Nesterov momentum by default, or AdamW) over the parameters.</summary>
        public IParameterOptimizer CreateOptimizer(TrainingSpec recipe) => recipe.Optimizer.Kind == OptimizerKind.AdamW
            ? new AdamWOptimizer(Parameters, recipe.Optimizer.Beta1, recipe.Optimizer.Beta2, recipe.Optimizer.Eps, recipe.Optimizer.WeightDecay)
            : new SgdOptimizer(Parameters, recipe.Optimizer.Momentum, recipe.Optimizer.Nesterov, recipe.Optimizer.WeightDecay);

        /// <inheritdoc />
        public void Dispose() => Network.Dispose();
    }
}
