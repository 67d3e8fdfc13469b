using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Models;
using E2ENet.Onnx.Export;
using E2ENet.Onnx.Verification;
using E2ENet.Torch;
using E2ENet.Torch.Serialization;
using E2ENet.Torch.Weights;
using E2ENet.Training.Runs;
using static TorchSharp.torch;

namespace E2ENet.Training.Tests
{
    /// <summary>
    /// A class generated at build time (<see cref="Tiny"/>, from Models/tiny.e2e by the source generator this project runs as an
    /// analyzer) trains, resumes, predicts and exports exactly as the run-time network built from the same .e2e file does: same
    /// losses, topology and weights at the same seed, same final validation, same ONNX output.
    /// </summary>
    public sealed class GeneratedNetworkTests
    {
        private static NetworkFactory Generated => new NetworkFactory(Tiny.E2ENetwork, () => new Tiny());

        [Fact]
        public void A_generated_class_trains_resumes_predicts_and_exports_as_the_runtime_network_does()
        {
            string root = TrainingFixtures.TempFolder("generated");
            try
            {
                string dataset = TrainingFixtures.SyntheticDataset(Path.Combine(root, "data"), cases: 4);
                string model = TrainingFixtures.Model(root); // the text the class was generated from
                TrainerOptions Options(string run) => new TrainerOptions
                {
                    Dataset = dataset,
                    Output = Path.Combine(root, run),
                    Epochs = 2,
                    Iterations = 3, // evolution every 2 iterations (before the last): rounds at 2 and, after the resume, 4
                    ValidationIterations = 1,
                    Workers = 1,
                    Seed = 7,
                    Preprocessed = Path.Combine(root, "preprocessed"),
                };

                TrainingResult runtime = new Trainer(Options("runtime") with { ModelFile = model }).Run();
                TrainingResult stopped = new Trainer(Options("generated") with { Network = Generated, StopAfterEpochs = 1 }).Run();
                Assert.False(stopped.Finished);
                TrainingResult generated = new Trainer(Options("generated") with { Network = Generated, Resume = true }).Run();
                Assert.True(runtime.Finished && generated.Finished);
                var a = new TrainingRun(runtime.RunFolder);
                var b = new TrainingRun(generated.RunFolder);

                // Training: the class was trained (both times), from the same model file, with the same losses, topology and weights.
                Assert.Contains("network: built at run time", File.ReadAllText(a.LogFile), StringComparison.Ordinal);
                Assert.Equal(2, File.ReadAllLines(b.LogFile).Count(l => l.EndsWith("network: " + typeof(Tiny).FullName + " (given)", StringComparison.Ordinal)));
                Assert.Equal(File.ReadAllText(a.ModelFile), File.ReadAllText(b.ModelFile));
                Assert.Equal(runtime.Metrics.Count, generated.Metrics.Count);
                for (int e = 0; e < runtime.Metrics.Count; e++)
                {
                    Assert.Equal(runtime.Metrics[e].TrainLoss, generated.Metrics[e].TrainLoss, 6);
                    Assert.Equal(runtime.Metrics[e].ValidationLoss, generated.Metrics[e].ValidationLoss, 6);
                    Assert.Equal(runtime.Metrics[e].PseudoDice, generated.Metrics[e].PseudoDice, 6);
                    Assert.Equal(runtime.Metrics[e].Density, generated.Metrics[e].Density);
                }
                Assert.Equal(2, File.ReadAllLines(a.EvolutionFile).Skip(1).Select(l => l.Split(',')[0]).Distinct().Count());
                Assert.Equal(File.ReadAllText(a.EvolutionFile), File.ReadAllText(b.EvolutionFile));
                Dictionary<string, Tensor> expected = TensorFile.ReadAll(a.FinalWeights), actual = TensorFile.ReadAll(b.FinalWeights);
                Assert.Equal(expected.Keys, actual.Keys);
                var sparse = Tiny.E2ENetwork.SparseParameters.Select(p => p.Name).ToHashSet();
                Assert.NotEmpty(sparse);
                foreach (string key in expected.Keys)
                {
                    if (sparse.Contains(key)) Assert.True(expected[key].eq(0).eq(actual[key].eq(0)).all().item<bool>(), key + ": other zero kernels (another topology)");
                    Assert.True(Relative(actual[key], expected[key]) < 1e-5, $"{key} differs: {Relative(actual[key], expected[key]):E2}");
                }

                // Final validation (the sliding window at full resolution): the same segmentations, evaluated alike.
                Assert.NotNull(runtime.Validation);
                Assert.Equal(runtime.Validation!.PerClass.Select(c => c.Dice), generated.Validation!.PerClass.Select(c => c.Dice));
                string[] predictions = Directory.GetFiles(Path.Combine(a.ValidationFolder, "predictions")).Select(Path.GetFileName).ToArray()!;
                Assert.NotEmpty(predictions);
                foreach (string name in predictions)
                {
                    Assert.Equal(File.ReadAllBytes(Path.Combine(a.ValidationFolder, "predictions", name)), File.ReadAllBytes(Path.Combine(b.ValidationFolder, "predictions", name)));
                }

                // Export: the run through e2enet export's path, the generated class with the generated run's weights from memory.
                ExportResult byRun = OnnxExporter.Export(new ExportRequest { Run = a.Folder, Out = Path.Combine(root, "bundle-runtime"), Tune = false });
                ExportResult byClass;
                // As new Tiny(), under the construction lock: tests training in parallel seed TorchSharp's one generator.
                using (var network = (Tiny)Generated.Create(seed: 1))
                {
                    using (StateDictLoader.Load(network, b.FinalWeights))
                    {
                    }
                    using ModelSource source = ModelSource.FromNetwork(network, b.FinalWeights);
                    byClass = OnnxExporter.Export(source, new ExportRequest { Out = Path.Combine(root, "bundle-generated"), Plan = b.PlanFile, Tune = false });
                    Assert.False(network.training); // exported in evaluation mode, and still the caller's: usable after the source is gone
                    Assert.Equal(Tiny.E2EModelName, network.ModelName);
                }
                Assert.Equal(byRun.Report.TotalParameters, byClass.Report.TotalParameters);
                Assert.Equal(byRun.Report.TotalMacs, byClass.Report.TotalMacs);
                Assert.True(File.Exists(Path.Combine(byClass.Bundle, "plan.json")));
                NetworkIr ir = Tiny.E2ENetwork;
                float[] input = ExportVerifier.RandomInput(ir.Spec.Input.Channels, ir.Spec.Input.Patch, seed: 3, out long[] single);
                long[] shape = single.ToArray();
                shape[0] = 2;
                float[] batch = input.Concat(input.Select(v => -v)).ToArray(); // batch 2: two different samples
                float[] fromRun = ExportVerifier.Onnx(File.ReadAllBytes(Path.Combine(byRun.Bundle, "model.onnx")), batch, shape);
                float[] fromClass = ExportVerifier.Onnx(File.ReadAllBytes(Path.Combine(byClass.Bundle, "model.onnx")), batch, shape);
                Assert.True(ExportVerifier.RelativeError(fromClass, fromRun) < 1e-5, $"ONNX outputs differ: {ExportVerifier.RelativeError(fromClass, fromRun):E2}");

                // Resuming with the class but other settings is refused as for a model file (E2E5003).
                var changed = Assert.Throws<TrainingException>(() => new Trainer(Options("generated") with { Network = Generated, Resume = true, Epochs = 3 }).Run());
                Assert.Equal(TrainingErrors.ModelMismatch.Id, changed.Id);
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        }

        [Fact]
        public void A_generated_class_whose_layers_the_overrides_change_is_refused_before_anything_is_written()
        {
            string root = TrainingFixtures.TempFolder("generated-mismatch");
            try
            {
                string run = Path.Combine(root, "run");
                var wider = Assert.Throws<TrainingException>(() => new Trainer(new TrainerOptions
                {
                    Dataset = Path.Combine(root, "data"),
                    Output = run,
                    Network = Generated,
                    Overrides = new[] { "widths.base=8" },
                }).Run());
                Assert.Equal(TrainingErrors.NetworkMismatch.Id, wider.Id);
                Assert.Contains("Tiny", wider.Message, StringComparison.Ordinal);
                Assert.Contains("regenerate the class", wider.Message, StringComparison.Ordinal);
                Assert.False(Directory.Exists(run));

                var both = Assert.Throws<TrainingException>(() => new Trainer(new TrainerOptions
                {
                    Dataset = Path.Combine(root, "data"),
                    Output = run,
                    Network = Generated,
                    ModelFile = TrainingFixtures.Model(root),
                }).Run());
                Assert.Equal(TrainingErrors.BadOption.Id, both.Id);
                Assert.False(Directory.Exists(run));
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        }

        private static double Relative(Tensor actual, Tensor expected)
        {
            double scale = Math.Max(expected.abs().max().item<float>(), 1e-12f);
            return (actual - expected).abs().max().item<float>() / scale;
        }
    }
}
