using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Compiler;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Export;
using E2ENet.Onnx.Verification;
using E2ENet.Tests;

namespace E2ENet.Onnx.Tests
{
    /// <summary>
    /// Every model shipped in models/ exports and computes what its TorchSharp network computes. Full width (48..320) is too
    /// slow for 2 cores, so each model is narrowed to widths 4..16 at a 32x32x64 patch (<see cref="Support.NarrowModel"/>; 8..16 for 8 groups); its pools,
    /// kernel, shift groups, sparsity, unit, channels and classes stay its own. Weights are random in the model's mask
    /// structure (exactly the kept count of random units per sparse layer), with random biases and norm parameters.
    /// </summary>
    public class ModelCoverageTests
    {
        public static IEnumerable<object[]> Models()
        {
            foreach (string file in new[] { "amos-ct.e2e", "ablations.e2e", "btcv.e2e", "brats.e2e" })
            {
                string path = TestPaths.Repo("models", file);
                E2ECompilation compilation = E2ECompilation.FromFiles(new[] { path });
                foreach (CompiledModel model in compilation.Models.Where(m => Path.GetFullPath(m.File.Path) == Path.GetFullPath(path)))
                {
                    yield return new object[] { file, model.Name };
                }
            }
        }

        [Fact]
        public void Every_shipped_model_is_covered()
        {
            var names = Models().Select(m => (string)m[1]).ToList();
            Assert.Equal(17, names.Count);
            Assert.Contains("AmosCtFast", names);
            Assert.Contains("AmosCtChannel", names);
            Assert.Contains("AmosCt3x3x3", names);
            Assert.Contains("AmosCtShift5", names);
            Assert.Contains("Brats", names);
        }

        [Theory]
        [MemberData(nameof(Models))]
        public void Narrowed_model_exports_exactly(string file, string model)
        {
            ModelSpec spec = Support.NarrowModel(file, model);
            using ModelSource source = ModelSource.Random(spec, seed: 11);
            float[] input = ExportVerifier.RandomInput(spec.Input.Channels, spec.Input.Patch, 5, out long[] shape);
            float[] reference = ExportVerifier.Torch(source.Torch, input, shape);

            GraphExport dense = GraphExporter.Build(source, new GraphOptions(Pruned: false, Half: false, Tune: false));
            GraphExport pruned = GraphExporter.Build(source, new GraphOptions(Pruned: true, Half: false, Tune: false));
            float[] denseOut = ExportVerifier.Onnx(dense.Model, input, shape);
            float[] prunedOut = ExportVerifier.Onnx(pruned.Model, input, shape);
            Assert.InRange(ExportVerifier.RelativeError(denseOut, reference), 0, 1e-4);
            Assert.InRange(ExportVerifier.RelativeError(prunedOut, reference), 0, 1e-4);
            Assert.InRange(ExportVerifier.RelativeError(prunedOut, denseOut), 0, 1e-5);

            // The report counts what e2enet check counts (dense and active), and a pruned graph never executes more than dense.
            Assert.Equal(source.Network.Totals.DenseParameters, pruned.Report.TotalParameters.Dense);
            Assert.Equal(source.Network.Totals.ActiveParameters, pruned.Report.TotalParameters.Active);
            Assert.Equal(source.Network.Totals.DenseMacs, pruned.Report.TotalMacs.Dense);
            Assert.Equal(source.Network.Totals.ActiveMacs, pruned.Report.TotalMacs.Active);
            Assert.True(pruned.Report.TotalMacs.Executed <= dense.Report.TotalMacs.Executed);
            Assert.True(pruned.Report.TotalParameters.Executed <= dense.Report.TotalParameters.Executed);
            // The dense export executes every convolution but the training-only deep-supervision heads.
            long heads = source.Network.Costs.Where(c => c.Layer.StartsWith("seg_outputs.", System.StringComparison.Ordinal) && c.Layer != "seg_outputs.0").Sum(c => c.Counts.DenseMacs);
            Assert.Equal(source.Network.Totals.DenseMacs - heads, dense.Report.TotalMacs.Executed);

            using var temp = new TempFolder();
            File.WriteAllBytes(temp["model.onnx"], pruned.Model);
            IReadOnlyList<string> ops = Support.CheckWithPythonOnnx(temp["model.onnx"]);
            Assert.DoesNotContain("Roll", ops);
        }

        [Fact]
        public void Channel_sparsity_removes_real_work_and_kernel_sparsity_removes_what_the_topology_allows()
        {
            foreach (string model in new[] { "AmosCtChannel", "AmosCt" })
            {
                ModelSpec spec = Support.NarrowModel("amos-ct.e2e", model, "widths.base=8", "widths.max=32");
                using ModelSource source = ModelSource.Random(spec, seed: 3);
                GraphExport pruned = GraphExporter.Build(source, new GraphOptions(Pruned: true, Half: false, Tune: false));
                var macs = pruned.Report.TotalMacs;
                if (model == "AmosCtChannel")
                {
                    // Whole input channels are gone from every fusion conv, and with them outputs nothing reads any more:
                    // the graph executes fewer multiply-accumulates than even the paper's active count.
                    Assert.True(macs.Executed < macs.Active, $"executed {macs.Executed}, active {macs.Active}");
                    Assert.True(macs.Executed < macs.Dense / 3, $"executed {macs.Executed}, dense {macs.Dense}");
                    Assert.Contains(pruned.Report.Layers, l => l.Kind == "fusion" && l.InLive < l.InTotal / 2);
                }
                else
                {
                    // Random kernels at density 0.2 leave nearly every input channel with some kernel: little can go.
                    Assert.True(macs.Executed > macs.Active, $"executed {macs.Executed}, active {macs.Active}");
                    Assert.True(macs.Executed <= macs.Dense);
                }
            }
        }
    }
}
