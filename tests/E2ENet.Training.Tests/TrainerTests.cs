using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Torch.Serialization;
using E2ENet.Training.Checkpoints;
using E2ENet.Training.Runs;
using static TorchSharp.torch;

namespace E2ENet.Training.Tests
{
    /// <summary>The trainer on a small synthetic dataset: it runs, checkpoints, resumes exactly, and refuses what it must.</summary>
    [Collection(SeededTrainingCollection.Name)]
    public class TrainerTests
    {
        /// <summary>The options of the trainer tests: seed 7, one validation batch, one worker, no final validation.</summary>
        internal static TrainerOptions Options(string dataset, string? model, string run, bool resume = false, int? stopAfter = null, string[]? overrides = null)
            => new TrainerOptions
            {
                Dataset = dataset,
                ModelFile = model,
                Output = run,
                Resume = resume,
                StopAfterEpochs = stopAfter,
                ValidationIterations = 1,
                Workers = 1,
                FinalValidation = false,
                Overrides = overrides ?? Array.Empty<string>(),
                Seed = 7,
            };

        private static Dictionary<string, Tensor> Weights(string path) => TensorFile.ReadAll(path);

        [Fact]
        public void A_run_trains_checkpoints_and_writes_its_outputs()
        {
            string root = TrainingFixtures.TempFolder("train");
            string dataset = TrainingFixtures.SyntheticDataset(Path.Combine(root, "data"));
            string model = TrainingFixtures.Model(root);
            string run = Path.Combine(root, "run");
            TrainingResult result = new Trainer(Options(dataset, model, run)).Run();
            Assert.True(result.Finished);
            Assert.Equal(3, result.EpochsDone);
            var layout = new TrainingRun(run);
            foreach (string file in new[] { layout.ModelFile, layout.RunFile, layout.LogFile, layout.MetricsFile, layout.EvolutionFile, layout.FinalWeights, layout.BestWeights,
                Path.Combine(layout.PlotsFolder, "progress.png"), Path.Combine(layout.PlotsFolder, "topology.png") })
            {
                Assert.True(File.Exists(file), file);
            }
            Assert.Equal(4, File.ReadAllLines(layout.MetricsFile).Length); // header + 3 epochs
            Assert.Equal("epoch-0003", new CheckpointStore(layout.CheckpointsFolder).Latest()!.Name);
            // Evolution every 2 iterations over 9: rounds at 2, 4, 6, 8, each listing every sparse layer.
            var rounds = File.ReadAllLines(layout.EvolutionFile).Skip(1).Select(l => l.Split(',')[0]).Distinct().ToList();
            Assert.Equal(new[] { "2", "4", "6", "8" }, rounds);
            // The final weights keep the configured sparsity exactly: the model file's masks, read back from zero kernels.
            var ir = E2ENet.Torch.Network.ModelLoader.Load(layout.ModelFile).Network!;
            var weights = Weights(layout.FinalWeights);
            foreach (var parameter in ir.SparseParameters)
            {
                Tensor w = weights[parameter.Name];
                long activeKernels = (w.abs().sum(new long[] { 2, 3, 4 }) > 0).sum().item<long>();
                Assert.True(activeKernels <= parameter.Mask!.Kept, parameter.Name);
            }
        }

        [Fact]
        public void A_run_whose_plots_cannot_be_written_warns_once_and_still_finishes()
        {
            string root = TrainingFixtures.TempFolder("noplots");
            string dataset = TrainingFixtures.SyntheticDataset(Path.Combine(root, "data"));
            string model = TrainingFixtures.Model(root);
            string run = Path.Combine(root, "run");
            Directory.CreateDirectory(run);
            File.WriteAllText(Path.Combine(run, "plots"), "a file where the plots folder should be"); // rendering fails like a machine without fonts
            var log = new StringWriter();
            TrainingResult result = new Trainer(new TrainerOptions
            {
                Dataset = dataset, ModelFile = model, Output = run, ValidationIterations = 1, Workers = 1, FinalValidation = false, Seed = 7, Log = log,
            }).Run();
            Assert.True(result.Finished);
            Assert.True(File.Exists(new TrainingRun(run).FinalWeights));
            Assert.Equal(4, File.ReadAllLines(new TrainingRun(run).MetricsFile).Length);
            Assert.Single(log.ToString().Split('\n'), line => line.StartsWith("warning: the PNG plots cannot be rendered here", StringComparison.Ordinal));
        }

        [Fact]
        public void Resuming_a_stopped_run_gives_exactly_the_weights_of_an_uninterrupted_run()
        {
            string root = TrainingFixtures.TempFolder("resume");
            string dataset = TrainingFixtures.SyntheticDataset(Path.Combine(root, "data"));
            string model = TrainingFixtures.Model(root);
            string straight = Path.Combine(root, "straight");
            string interrupted = Path.Combine(root, "interrupted");
            new Trainer(Options(dataset, model, straight)).Run();

            TrainingResult first = new Trainer(Options(dataset, model, interrupted, stopAfter: 1)).Run();
            Assert.False(first.Finished);
            Assert.Equal(1, first.EpochsDone);
            TrainingResult second = new Trainer(Options(dataset, null!, interrupted, resume: true, stopAfter: 1)).Run();
            Assert.Equal(2, second.EpochsDone);
            TrainingResult third = new Trainer(Options(dataset, model, interrupted, resume: true)).Run();
            Assert.True(third.Finished);

            var a = Weights(Path.Combine(straight, "weights.pt"));
            var b = Weights(Path.Combine(interrupted, "weights.pt"));
            Assert.Equal(a.Keys, b.Keys);
            foreach (string key in a.Keys)
            {
                Assert.True(a[key].eq(b[key]).all().item<bool>(), key + " differs after resume");
            }
            Assert.Equal(File.ReadAllText(Path.Combine(straight, "evolution.csv")), File.ReadAllText(Path.Combine(interrupted, "evolution.csv")));
            var straightMetrics = File.ReadAllLines(Path.Combine(straight, "metrics.csv")).Select(l => string.Join(",", l.Split(',').SkipLast(1)));
            var resumedMetrics = File.ReadAllLines(Path.Combine(interrupted, "metrics.csv")).Select(l => string.Join(",", l.Split(',').SkipLast(1)));
            Assert.Equal(straightMetrics, resumedMetrics); // every column but the seconds
        }

        [Fact]
        public void Masks_are_saved_in_checkpoints_and_the_saved_state_is_complete()
        {
            string root = TrainingFixtures.TempFolder("masks");
            string dataset = TrainingFixtures.SyntheticDataset(Path.Combine(root, "data"));
            string model = TrainingFixtures.Model(root);
            string run = Path.Combine(root, "run");
            new Trainer(Options(dataset, model, run, stopAfter: 1)).Run();
            Checkpoint checkpoint = new CheckpointStore(Path.Combine(run, "checkpoints")).Latest()!;
            var tensors = TensorFile.ReadAll(checkpoint.TensorsPath);
            var ir = E2ENet.Torch.Network.ModelLoader.Load(Path.Combine(run, "model.e2e")).Network!;
            foreach (var parameter in ir.SparseParameters)
            {
                Tensor mask = tensors["mask." + parameter.Name];
                Assert.Equal(parameter.Mask!.Kept, (long)mask.sum().item<float>());
                Assert.True(tensors.ContainsKey("optimizer.momentum." + parameter.Name));
            }
            Assert.Contains("\"Iteration\": 3", File.ReadAllText(checkpoint.StatePath));
        }

        [Fact]
        public void Mistakes_get_their_errors()
        {
            string root = TrainingFixtures.TempFolder("errors");
            string dataset = TrainingFixtures.SyntheticDataset(Path.Combine(root, "data"), cases: 4);
            string model = TrainingFixtures.Model(root);
            string run = Path.Combine(root, "run");
            Assert.Equal(TrainingErrors.NothingToResume.Id, Assert.Throws<TrainingException>(() => new Trainer(Options(dataset, model, run, resume: true)).Run()).Id);
            new Trainer(Options(dataset, model, run, stopAfter: 1)).Run();
            Assert.Equal(TrainingErrors.RunExists.Id, Assert.Throws<TrainingException>(() => new Trainer(Options(dataset, model, run)).Run()).Id);
            Assert.Equal(TrainingErrors.ModelMismatch.Id, Assert.Throws<TrainingException>(() =>
                new Trainer(Options(dataset, model, run, resume: true, overrides: new[] { "fusion.sparsity=0.3" })).Run()).Id);
            var badFold = new TrainerOptions { Dataset = dataset, ModelFile = model, Output = Path.Combine(root, "fold"), Fold = 5, Workers = 1 };
            Assert.Equal(TrainingErrors.BadOption.Id, Assert.Throws<TrainingException>(() => new Trainer(badFold).Run()).Id);
            var wrongClasses = Assert.ThrowsAny<Exception>(() => new Trainer(Options(dataset, model, Path.Combine(root, "classes"), overrides: new[] { "classes=5", "labels=none" })).Run());
            Assert.Contains("E4116", wrongClasses.Message);
        }
    }
}
