using System;
using System.IO;
using System.Linq;
using E2ENet.Cli;
using E2ENet.Data;
using E2ENet.Torch.Network;
using E2ENet.Torch.Serialization;
using E2ENet.Training.Runs;
using E2ENet.Training.Sparse;
using static TorchSharp.torch;

namespace E2ENet.Training.Tests
{
    /// <summary><c>train --fold all</c> (every case trains, nothing is validated) and <c>train --init-weights</c> (strict, lenient about heads only when asked).</summary>
    [Collection(WorkflowCollection.Name)]
    public class FoldAllAndInitWeightsTests
    {
        private readonly WorkflowFixture _runs;

        public FoldAllAndInitWeightsTests(WorkflowFixture runs) => _runs = runs;

        private static (int Exit, string Output, string Error) Cli(params string[] args)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int exit = CliApp.Run(args, output, error);
            return (exit, output.ToString(), error.ToString());
        }

        [Fact]
        public void Fold_all_trains_on_every_case_and_holds_nothing_out()
        {
            var run = new TrainingRun(_runs.FoldAll);
            Assert.Contains("\"fold\": \"all\"", File.ReadAllText(run.RunFile));
            string log = File.ReadAllText(run.LogFile);
            Assert.Contains("fold all: 5 training cases, nothing held out", log);
            Assert.True(File.Exists(run.FinalWeights));
            Assert.False(Directory.Exists(run.ValidationFolder));

            // Through the command line, stopped and resumed: the run keeps fold all.
            string resumed = _runs.Folder("foldall-resumed");
            var (exit, output, error) = Cli("train", _runs.Dataset, "--model", _runs.Model, "--out", resumed, "--fold", "all", "--epochs", "2", "--iterations", "1",
                "--validation-iterations", "1", "--workers", "1", "--preprocessed", _runs.Folder("preprocessed"), "--stop-after", "1");
            Assert.True(exit == 0, output + error);
            (exit, output, error) = Cli("train", _runs.Dataset, "--out", resumed, "--resume", "--workers", "1", "--preprocessed", _runs.Folder("preprocessed"));
            Assert.True(exit == 0, output + error);
            Assert.Contains("trained 2 epochs", output);
            Assert.Contains("fold all: 5 training cases", error);

            (exit, _, error) = Cli("train", _runs.Dataset, "--model", _runs.Model, "--out", _runs.Folder("bad-fold"), "--fold", "every");
            Assert.Equal(2, exit);
            Assert.Contains("--fold 'every' is not a fold number (0, 1, ...) or 'all'", error);
        }

        private static (E2ENetNetwork Network, SparseTopology Topology) Network(string modelFile, params string[] overrides)
        {
            var ir = ModelLoader.Load(modelFile, null, overrides).Network!;
            var network = E2ENetNetwork.Create(ir);
            var topology = SparseTopology.Create(ir, network.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter));
            topology.InitializeRandom(Rng.Derive(99, "topology"));
            return (network, topology);
        }

        [Fact]
        public void Initial_weights_load_strictly_and_their_masks_follow_them()
        {
            string weights = new TrainingRun(_runs.Fold0).FinalWeights;
            var (network, topology) = Network(new TrainingRun(_runs.Fold0).ModelFile);
            using (network)
            {
                string line = InitialWeights.Apply(network, network.Network, topology, weights, skipHeads: false);
                int count = network.named_parameters().Count();
                Assert.Contains(FormattableString.Invariant($"{count} of {count} tensors loaded"), line);
                var file = TensorFile.ReadAll(weights);
                foreach (var (name, parameter) in network.named_parameters())
                    Assert.True(parameter.detach().eq(file[name]).all().item<bool>(), name + " was not loaded exactly (its mask must keep the file's units)");
            }
        }

        [Fact]
        public void Heads_of_another_label_set_are_refused_unless_skipped_and_other_shapes_always()
        {
            string weights = new TrainingRun(_runs.Fold0).FinalWeights;
            string modelFile = new TrainingRun(_runs.Fold0).ModelFile;
            var (fourClasses, topology) = Network(modelFile, "classes=4", "labels=[background, blob, small_blob, cyst]");
            using (fourClasses)
            {
                var error = Assert.Throws<TrainingException>(() => InitialWeights.Apply(fourClasses, fourClasses.Network, topology, weights, skipHeads: false));
                Assert.Equal(TrainingErrors.InitWeightsMismatch.Id, error.Id);
                Assert.Equal(weights, error.File);
                Assert.Contains("seg_outputs.0.weight: file [3, ", error.Message);
                Assert.Contains("add --init-weights-skip-heads", error.Message);

                var headBefore = fourClasses.named_parameters().Single(p => p.name == "seg_outputs.0.weight").parameter.detach().clone();
                string line = InitialWeights.Apply(fourClasses, fourClasses.Network, topology, weights, skipHeads: true);
                Assert.Contains("the heads, seg_outputs.*, start from their random initialisation", line);
                var file = TensorFile.ReadAll(weights);
                foreach (var (name, parameter) in fourClasses.named_parameters())
                {
                    if (name.StartsWith("seg_outputs.", StringComparison.Ordinal)) continue;
                    Assert.True(parameter.detach().eq(file[name]).all().item<bool>(), name);
                }
                Assert.True(fourClasses.named_parameters().Single(p => p.name == "seg_outputs.0.weight").parameter.detach().eq(headBefore).all().item<bool>());
            }
            var (wider, widerTopology) = Network(modelFile, "widths.base=8");
            using (wider)
            {
                var error = Assert.Throws<TrainingException>(() => InitialWeights.Apply(wider, wider.Network, widerTopology, weights, skipHeads: true));
                Assert.Contains("with another shape", error.Message);
                Assert.Contains("give weights of this model's architecture", error.Message);
            }
            Assert.Equal(new[] { "seg_outputs." }, InitialWeights.HeadPrefixes(ModelLoader.Load(modelFile).Network!));
        }

        [Fact]
        public void A_run_fine_tunes_from_initial_weights_and_records_them()
        {
            string run = _runs.Folder("finetuned");
            string weights = new TrainingRun(_runs.Fold0).FinalWeights;
            var (exit, output, error) = Cli("train", _runs.Dataset, "--model", _runs.Model, "--out", run, "--epochs", "1", "--iterations", "1", "--validation-iterations", "1",
                "--workers", "1", "--preprocessed", _runs.Folder("preprocessed"), "--no-final-validation", "--init-weights", weights);
            Assert.True(exit == 0, output + error);
            Assert.Contains("initial weights from " + weights, error);
            Assert.Contains("\"initWeights\": \"" + weights + "\"", File.ReadAllText(new TrainingRun(run).RunFile));

            (exit, _, error) = Cli("train", _runs.Dataset, "--out", run, "--resume", "--init-weights", weights);
            Assert.Equal(1, exit);
            Assert.Contains("error E2E5007: --init-weights starts a run", error);
            (exit, _, error) = Cli("train", _runs.Dataset, "--model", _runs.Model, "--out", _runs.Folder("no-weights"), "--init-weights", _runs.Folder("absent.pt"));
            Assert.Equal(2, exit);
            Assert.Contains("cannot read --init-weights", error);
        }
    }
}
