using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using E2ENet.Compiler;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Torch;
using E2ENet.Torch.Network;
using E2ENet.Torch.Serialization;

namespace E2ENet.Training.Runs
{
    /// <summary>
    /// Which model a training trains, with which seed and fold: a new run's model file (or given network, a generated class) with
    /// its overrides; a resumed run's own model.e2e, seed and fold (run.json), checked against what the command line gives
    /// again (E2E5003).
    /// </summary>
    internal sealed class TrainingModel
    {
        private TrainingModel(CompiledModel model, long seed, int fold)
        {
            Model = model;
            Seed = seed;
            Fold = fold;
        }

        /// <summary>The compiled model (it has a spec and an IR).</summary>
        public CompiledModel Model { get; }

        /// <summary>The model's spec: the network, the recipe, the inference settings.</summary>
        public ModelSpec Spec => Model.Spec!;

        /// <summary>The model's IR.</summary>
        public NetworkIr Network => Model.Network!;

        /// <summary>The seed of every random choice.</summary>
        public long Seed { get; }

        /// <summary>The fold (or <see cref="FoldSelection.All"/>).</summary>
        public int Fold { get; }

        /// <summary>Resolves the model of <paramref name="options"/> for the run folder <paramref name="run"/>.</summary>
        /// <exception cref="TrainingException">E2E5001..E2E5003, E2E5007, E2E5009, E2E5012, or the model's own errors (E2E3001, E2E3002).</exception>
        public static TrainingModel Resolve(TrainerOptions options, TrainingRun run, Action<string> log)
        {
            var overrides = new List<string>(options.Overrides);
            if (options.Epochs is int epochs) overrides.Add("training.epochs=" + epochs.ToString(CultureInfo.InvariantCulture));
            if (options.Iterations is int iterations) overrides.Add("training.iterations=" + iterations.ToString(CultureInfo.InvariantCulture));
            if (options.Network != null && options.ModelFile != null)
            {
                throw new TrainingException(TrainingErrors.BadOption, options.ModelFile, "give the model to train once: a model file or a network (a generated class), not both");
            }
            if (options.Resume)
            {
                if (!File.Exists(run.ModelFile))
                {
                    throw new TrainingException(TrainingErrors.NothingToResume, run.Folder, "there is no training to resume here (no model.e2e); start one without --resume");
                }
                (long seed, int fold) = ReadRunIdentity(run, options.Seed, options.Fold, log);
                CompiledModel saved = LoadModel(run.ModelFile, null, Array.Empty<string>());
                if (options.Network != null || options.ModelFile != null || overrides.Count > 0)
                {
                    // The run's model.e2e is authoritative; a model or overrides given again must describe the same network and recipe.
                    CompiledModel requested = options.Network != null ? LoadNetworkModel(options.Network, overrides)
                        : options.ModelFile != null ? LoadModel(options.ModelFile, options.ModelName, overrides)
                        : LoadModel(run.ModelFile, null, overrides);
                    if (requested.Spec!.CanonicalSource.Replace("model " + requested.Name + " ", "model " + saved.Name + " ") != saved.Spec!.CanonicalSource)
                    {
                        throw new TrainingException(TrainingErrors.ModelMismatch, run.ModelFile,
                            "the run was trained with other settings than this command line gives (model, --set, --epochs or --iterations); "
                            + "resume with just --resume (the run's model.e2e is used), or train into another --out");
                    }
                }
                return new TrainingModel(saved, seed, fold);
            }
            if (options.ModelFile == null && options.Network == null) throw new TrainingException(TrainingErrors.BadOption, null, "give the model to train: --model file.e2e[:Model]");
            if (run.HasTraining)
            {
                throw new TrainingException(TrainingErrors.RunExists, run.Folder, "this folder already holds a training; continue it with --resume, or choose another --out");
            }
            CompiledModel model = options.Network != null ? LoadNetworkModel(options.Network, overrides) : LoadModel(options.ModelFile!, options.ModelName, overrides);
            return new TrainingModel(model, options.Seed, options.Fold);
        }

        /// <summary>
        /// E2E5012 unless <paramref name="parameters"/> are the IR's, by name and shape, in order: the network given to train (a
        /// generated class) must have the layers of the model trained; overrides may change everything else.
        /// </summary>
        public static void RequireFits(IEnumerable<(string Name, long[] Shape)> parameters, NetworkIr ir, string network)
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
                throw new TrainingException(e.Error, e.File, e.Detail, e);
            }
            RequireFits(network.Network.Parameters.Select(p => (p.Name, p.Shape.ToArray())), model.Network!, "the network of model " + spec.Name);
            return model;
        }

        /// <summary>A resumed run keeps the seed and fold it started with (run.json), whatever this command line says.</summary>
        private static (long Seed, int Fold) ReadRunIdentity(TrainingRun run, long givenSeed, int givenFold, Action<string> log)
        {
            if (!File.Exists(run.RunFile)) return (givenSeed, givenFold);
            try
            {
                using JsonDocument document = JsonDocument.Parse(File.ReadAllText(run.RunFile));
                long seed = document.RootElement.GetProperty("seed").GetInt64();
                int fold = FoldSelection.FromJson(document.RootElement.GetProperty("fold"));
                if (seed != givenSeed || fold != givenFold) log($"resuming with the run's own seed {seed} and fold {FoldSelection.Text(fold)}");
                return (seed, fold);
            }
            catch (Exception e) when (e is JsonException || e is KeyNotFoundException || e is InvalidOperationException || e is IOException)
            {
                throw new TrainingException(TrainingErrors.BadRun, run.RunFile, "cannot read the run's seed and fold: " + e.Message);
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
                throw new TrainingException(e.Error, e.File, e.Detail, e);
            }
        }
    }
}
