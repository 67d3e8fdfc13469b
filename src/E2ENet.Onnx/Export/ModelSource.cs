using System;
using System.Collections.Generic;
using System.IO;
using E2ENet.Compiler;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Diagnostics;
using E2ENet.Onnx.Weights;
using E2ENet.Torch;
using E2ENet.Torch.Network;
using E2ENet.Torch.Weights;

namespace E2ENet.Onnx.Export
{
    /// <summary>
    /// A model ready to export: its spec and IR, the TorchSharp network holding its weights (what the export is checked
    /// against; a generated class or the run-time network, <see cref="IE2ENetNetwork"/>) and the same weights as arrays (what
    /// the graph is emitted from). Everything is read from the network's IR (<see cref="IE2ENetNetwork.Network"/>).
    /// </summary>
    public sealed class ModelSource : IDisposable
    {
        /// <summary>The file a run folder's model is in.</summary>
        public const string RunModelFile = "model.e2e";

        /// <summary>The file a run folder's final weights are in.</summary>
        public const string RunWeightsFile = "weights.pt";

        private readonly bool _ownsNetwork;

        private ModelSource(ModelSpec spec, NetworkIr ir, IE2ENetNetwork network, ModelWeights weights, string? weightsPath, IReadOnlyList<string> notes, bool ownsNetwork = true)
        {
            _ownsNetwork = ownsNetwork;
            Spec = spec;
            Network = ir;
            Torch = network;
            Weights = weights;
            WeightsPath = weightsPath;
            Notes = notes;
        }

        /// <summary>The model.</summary>
        public ModelSpec Spec { get; }

        /// <summary>Its IR at its patch.</summary>
        public NetworkIr Network { get; }

        /// <summary>The TorchSharp network with the weights (in evaluation mode).</summary>
        public IE2ENetNetwork Torch { get; }

        /// <summary>The weights as arrays.</summary>
        public ModelWeights Weights { get; }

        /// <summary>The weight file, or null for random weights.</summary>
        public string? WeightsPath { get; }

        /// <summary>What the weight loader noted (e.g. layers with fewer active kernels than their mask keeps).</summary>
        public IReadOnlyList<string> Notes { get; }

        /// <summary>The run folder's model file and weights, checked to exist.</summary>
        /// <exception cref="E2ENetOnnxException">E2E6001 when the folder or one of its files is missing.</exception>
        public static (string Model, string Weights) RunFiles(string run)
        {
            if (!Directory.Exists(run))
            {
                throw new E2ENetOnnxException(OnnxErrors.RunFolderInvalid, run, File.Exists(run)
                    ? "is a file; --run takes a training run folder (holding model.e2e and weights.pt)"
                    : "no such folder; --run takes a training run folder written by e2enet train");
            }
            string model = Path.Combine(run, RunModelFile);
            string weights = Path.Combine(run, RunWeightsFile);
            var missing = new List<string>();
            if (!File.Exists(model)) missing.Add(RunModelFile);
            if (!File.Exists(weights)) missing.Add(RunWeightsFile);
            if (missing.Count > 0)
            {
                throw new E2ENetOnnxException(OnnxErrors.RunFolderInvalid, run, "has no " + string.Join(" and no ", missing)
                    + " (a finished run holds both; a run still training has only checkpoints): wait for the run to finish, or give --model and --weights");
            }
            return (model, weights);
        }

        /// <summary>Loads a model and its weights (validated strictly against the model).</summary>
        /// <exception cref="E2ENet.Torch.Diagnostics.E2ENetTorchException">The model has errors or the weights do not fit it (E2E3xxx).</exception>
        public static ModelSource Load(string modelFile, string? modelName, IReadOnlyList<string> overrides, string weightsPath)
        {
            CompiledModel model = ModelLoader.Load(modelFile, modelName, overrides);
            E2ENetNetwork network = E2ENetNetwork.Create(model.Network!);
            try
            {
                using LoadedWeights loaded = StateDictLoader.Load(network, weightsPath);
                network.eval();
                return new ModelSource(model.Spec!, model.Network!, network, ModelWeights.From(network, model.Network!), weightsPath, loaded.Notes);
            }
            catch
            {
                network.Dispose();
                throw;
            }
        }

        /// <summary>
        /// A network already in memory, generated (<c>new SpleenNet()</c>) or built at run time, with the weights it holds now
        /// (trained, or loaded with <see cref="StateDictLoader"/>): the export reads its IR and copies its parameters; the network
        /// is switched to evaluation mode and stays the caller's (disposing this source leaves it alone).
        /// </summary>
        /// <param name="network">The network; any device (its parameters are copied to the CPU, the check runs where it is).</param>
        /// <param name="weightsPath">The file its weights came from, for messages and the manifest; null when none.</param>
        public static ModelSource FromNetwork(IE2ENetNetwork network, string? weightsPath = null)
        {
            if (network is null) throw new ArgumentNullException(nameof(network));
            NetworkIr ir = network.Network;
            network.Module.eval();
            return new ModelSource(ir.Spec, ir, network, ModelWeights.From(network.Module, ir), weightsPath, Array.Empty<string>(), ownsNetwork: false);
        }

        /// <summary>A model with random weights in its sparse structure (benchmarks, tests); see <see cref="RandomSparseWeights"/>.</summary>
        public static ModelSource Random(ModelSpec spec, int seed, bool randomizeAffine = true)
        {
            NetworkIr ir = IrBuilder.Build(spec);
            var network = (E2ENetNetwork)NetworkFactory.RunTime(ir).Create(seed);
            RandomSparseWeights.Apply(network, ir, seed, randomizeAffine);
            network.eval();
            return new ModelSource(spec, ir, network, ModelWeights.From(network, ir), null, Array.Empty<string>());
        }

        /// <summary>Compiles one model of a file (errors as E2E3001/E2E3002).</summary>
        public static ModelSpec Compile(string modelFile, string? modelName, IReadOnlyList<string> overrides) => ModelLoader.Load(modelFile, modelName, overrides).Spec!;

        /// <inheritdoc />
        public void Dispose()
        {
            if (_ownsNetwork) Torch.Dispose();
        }
    }
}
