using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Datasets;
using E2ENet.Data.Inference;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Volumes;
using E2ENet.Onnx.Bundle;
using E2ENet.Onnx.Export;
using E2ENet.Onnx.Runtime;
using E2ENet.Torch.Weights;
using static TorchSharp.torch;

namespace E2ENet.Onnx.Tests
{
    /// <summary>The demo dataset (one training and one test case at about 6 mm) and its plan, made once for the predict tests.</summary>
    public sealed class DemoData : IDisposable
    {
        private readonly TempFolder _folder = new TempFolder();

        public DemoData()
        {
            string data = _folder["data"];
            DemoDataset.Make(data, new DemoDatasetOptions { TrainingCases = 1, TestCases = 1, Spacing = 6 });
            Plan = Preprocessor.Run(data, _folder["preprocessed"], new PreprocessOptions { Plan = new PlanOptions { TargetSpacing = new[] { 6.0, 6.0, 6.0 } } }).Plan;
            PlanPath = Path.Combine(_folder["preprocessed"], "plan.json");
            Images = Path.Combine(data, "imagesTs");
        }

        public PreprocessingPlan Plan { get; }

        public string PlanPath { get; }

        public string Images { get; }

        public void Dispose() => _folder.Dispose();
    }

    /// <summary>
    /// <c>e2enet predict</c> with a run (TorchSharp) and with its exported bundle (ONNX Runtime, from the bundle alone) on real
    /// volumes: the demo dataset (Colin27 head crops from Debian's mricron-data, resampled to 6 mm to stay small), its plan,
    /// a narrow channel-sparse model with random weights. The two agree voxel for voxel, or differ only where two classes'
    /// probabilities tie within 1e-4 (counted and printed).
    /// </summary>
    public sealed class PredictTests : IDisposable, IClassFixture<DemoData>
    {
        private const string ModelText = @"model DemoNet {
  description ""predict test: narrow, channel-sparse""
  input   channels 1, patch [32, 32, 64], normalization zscore
  classes 4
  widths  base 4, max 16
  pools   [2, 2, 2] x 5
  block   kernel [1, 3, 3], shift [-1, 0, 1]
  fusion  sparsity 0.8, unit channel
}
";

        private readonly TempFolder _temp = new TempFolder();
        private readonly DemoData _data;

        public PredictTests(DemoData data) => _data = data;

        public void Dispose() => _temp.Dispose();

        [Fact]
        public void Bundle_and_run_predictions_agree()
        {
            string planPath = _data.PlanPath;

            // A run folder as training leaves it: the model (standalone .e2e), the weights (a plain state dict), the plan.
            string run = _temp["run"];
            Directory.CreateDirectory(run);
            File.WriteAllText(_temp["demo.e2e"], ModelText);
            ModelSpec spec = ModelSource.Compile(_temp["demo.e2e"], "DemoNet", Array.Empty<string>());
            using (ModelSource source = ModelSource.Random(spec, seed: 21))
            {
                File.WriteAllText(Path.Combine(run, "model.e2e"), spec.CanonicalSource);
                StateDictSaver.Save(source.Torch.Module, Path.Combine(run, "weights.pt"));
            }
            File.Copy(planPath, Path.Combine(run, "plan.json"));

            var (exit, output, error) = Support.Cli("export", "--run", run, "--out", _temp["bundle"], "--no-tune");
            Assert.True(exit == 0, error);
            Assert.Equal("plan.json", E2ENetBundle.Open(_temp["bundle"]).Manifest.Plan);

            string images = _data.Images;
            (exit, output, error) = Support.Cli("predict", "--run", run, "--input", images, "--output", _temp["by-run"]);
            Assert.True(exit == 0, error);
            Assert.Contains("predicted 1 case(s)", output);
            // The bundle alone: no .e2e, no weights, no plan given.
            (exit, output, error) = Support.Cli("predict", "--bundle", _temp["bundle"], "--input", images, "--output", _temp["by-bundle"]);
            Assert.True(exit == 0, error);
            Assert.Contains("in ONNX Runtime (cpu)", error);

            string name = Path.GetFileName(Directory.GetFiles(_temp["by-run"]).Single());
            Volume byRun = VolumeFiles.Read(Path.Combine(_temp["by-run"], name)), byBundle = VolumeFiles.Read(Path.Combine(_temp["by-bundle"], name));
            Volume image = VolumeFiles.Read(Directory.GetFiles(images).Single());
            Assert.Equal(image.Shape, byRun.Shape);
            Assert.True(byRun.SameGrid(byBundle));
            int differing = byRun.Voxels.Zip(byBundle.Voxels, (a, b) => a != b ? 1 : 0).Sum();

            // Where the probabilities themselves are compared (the preprocessed grid), every disagreement must be a tie.
            (int disagreements, int ties) = CompareProbabilities(run, _temp["bundle"], Directory.GetFiles(images).Single(), _data.Plan, spec);
            Console.WriteLine($"predict: {differing} of {byRun.Voxels.Length} label voxels differ between run and bundle; on the preprocessed grid {disagreements} argmax differences, {ties} of them ties within 1e-4");
            Assert.Equal(disagreements, ties);
            Assert.True(differing <= byRun.Voxels.Length / 10000, $"{differing} voxels differ");
        }

        [Fact]
        public void Predict_errors_are_clear()
        {
            using var temp = new TempFolder();
            string run = temp["run"];
            Directory.CreateDirectory(run);
            File.WriteAllText(temp["demo.e2e"], ModelText);
            ModelSpec spec = ModelSource.Compile(temp["demo.e2e"], "DemoNet", Array.Empty<string>());
            using (ModelSource source = ModelSource.Random(spec, seed: 1))
            {
                File.WriteAllText(Path.Combine(run, "model.e2e"), spec.CanonicalSource);
                StateDictSaver.Save(source.Torch.Module, Path.Combine(run, "weights.pt"));
            }
            Assert.Equal(0, Support.Cli("export", "--run", run, "--out", temp["bundle"], "--no-tune").Exit);
            Directory.CreateDirectory(temp["empty"]);
            var cases = new List<(string[] Args, int Exit, string Text)>
            {
                // Runs and bundles may be ensembled together; each member must still carry its plan.
                (new[] { "predict", "--run", run, "--bundle", temp["bundle"], "--input", temp["empty"], "--output", temp["out"] }, 1, "has no plan.json: give --plan"),
                (new[] { "predict", "--bundle", temp["bundle"], "--input", temp["empty"], "--output", temp["out"] }, 1, "error E2E6006"),
                (new[] { "predict", "--run", run, "--input", temp["empty"], "--output", temp["out"] }, 1, "has no plan.json: give --plan"),
                (new[] { "predict", "--bundle", temp["bundle"], "--input", temp["nowhere"], "--output", temp["out"] }, 2, "no such file or folder"),
                (new[] { "predict", "--bundle", temp["bundle"], "--input", temp["empty"], "--output", temp["out"], "--device", "cuda", "--plan", temp["demo.e2e"] }, 2, "error E2E6301"),
                // --precision concerns the TorchSharp members; a bundle's precision was fixed when it was exported.
                (new[] { "predict", "--bundle", temp["bundle"], "--input", temp["empty"], "--output", temp["out"], "--precision", "bf16" }, 2, "--precision applies to --run members"),
                (new[] { "predict", "--run", run, "--input", temp["empty"], "--output", temp["out"], "--precision", "half-ish" }, 2, "is not a precision: use fp32, bf16 or fp16"),
            };
            foreach (var (args, exit, text) in cases)
            {
                var result = Support.Cli(args);
                Assert.True(result.Exit == exit, string.Join(" ", args) + " -> " + result.Exit + ": " + result.Error);
                Assert.Contains(text, result.Error);
                Assert.DoesNotContain("   at ", result.Error);
            }
            Assert.Contains("error E2E6005", Support.Cli("predict", "--bundle", temp["bundle"], "--input", temp["empty"], "--output", temp["out"], "--plan", _data.PlanPath).Error);
        }

        /// <summary>Sliding-window probabilities of both predictors on the preprocessed image: argmax differences and how many are ties.</summary>
        private static (int Disagreements, int Ties) CompareProbabilities(string run, string bundlePath, string imageFile, PreprocessingPlan plan, ModelSpec spec)
        {
            Volume volume = VolumeFiles.Read(imageFile);
            PreprocessedArrays arrays = CasePreprocessor.Run(new[] { volume }, null, plan, new[] { imageFile });
            SlidingWindowOptions options = SlidingWindowOptions.FromModel(spec);
            using var scope = NewDisposeScope();
            Tensor image = tensor(arrays.Image, new long[] { 1, arrays.Shape.D, arrays.Shape.H, arrays.Shape.W });

            using ModelSource source = ModelSource.Load(Path.Combine(run, "model.e2e"), null, Array.Empty<string>(), Path.Combine(run, "weights.pt"));
            Tensor byRun = SlidingWindow.PredictProbabilities(image, x =>
            {
                using var noGrad = no_grad();
                return source.Torch.forward(x);
            }, options);
            E2ENetBundle bundle = E2ENetBundle.Open(bundlePath);
            using OnnxRunner runner = OnnxRunner.Create(bundle.ReadModel(), ExecutionDevice.Cpu);
            Tensor byBundle = SlidingWindow.PredictProbabilities(image, runner.Predict, options);

            Tensor differ = byRun.argmax(0).ne(byBundle.argmax(0));
            int disagreements = (int)differ.sum().item<long>();
            if (disagreements == 0) return (0, 0);
            Tensor top = byRun.topk(2, 0).values;
            Tensor tie = (top[0] - top[1]).lt(1e-4);
            return (disagreements, (int)differ.logical_and(tie).sum().item<long>());
        }
    }
}
