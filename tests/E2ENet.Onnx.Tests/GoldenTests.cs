using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Onnx.Bundle;
using E2ENet.Torch.Serialization;
using static TorchSharp.torch;

namespace E2ENet.Onnx.Tests
{
    /// <summary>
    /// The golden cases of tests/data/golden (outputs of the authors' PyTorch code and of nnU-Net's PlainConvUNet): exported by the command line, pruned
    /// and dense, run by <c>e2enet forward --bundle</c>, they reproduce the reference <c>eval</c> from <c>input</c>.
    /// </summary>
    public class GoldenTests
    {
        public static IEnumerable<object[]> Cases() => Support.Golden.Select(g => new object[] { g.Case, g.Model });

        [Theory]
        [MemberData(nameof(Cases))]
        public void Exported_bundles_reproduce_the_authors_outputs(string name, string model)
        {
            using var temp = new TempFolder();
            foreach (string kind in new[] { "pruned", "dense" })
            {
                var args = new List<string> { "export", "--model", Support.GoldenModelFile(name) + ":" + model, "--weights", Support.GoldenWeights(name), "--out", temp[kind], "--tune-runs", "1" };
                if (kind == "dense") args.Add("--dense");
                var (exit, output, error) = Support.Cli(args.ToArray());
                Assert.True(exit == 0, error);
                Assert.Contains("check onnxruntime-fp32 vs torchsharp", output);
                Assert.Contains("wrote ", output);

                (exit, output, error) = Support.Cli("forward", "--bundle", temp[kind], "--input", Support.GoldenIo(name), "--output", temp[kind + ".pt"]);
                Assert.True(exit == 0, error);
                Assert.Contains("eval [", output);
                Dictionary<string, Tensor> golden = TensorFile.ReadAll(Support.GoldenIo(name));
                Dictionary<string, Tensor> ours = TensorFile.ReadAll(temp[kind + ".pt"]);
                Assert.Equal(new[] { "eval" }, ours.Keys.ToArray());
                Assert.Equal(golden["eval"].shape, ours["eval"].shape);
                double error2 = (ours["eval"] - golden["eval"]).abs().max().item<float>() / golden["eval"].abs().max().item<float>();
                Assert.InRange(error2, 0, 1e-4);

                IReadOnlyList<string> ops = Support.CheckWithPythonOnnx(Path.Combine(temp[kind], BundleManifest.ModelFileName));
                Assert.DoesNotContain("Roll", ops);
                Assert.Contains("InstanceNormalization", ops);
                Assert.Contains("ConvTranspose", ops);
                if (name == "unet_iso_small")
                {
                    Assert.DoesNotContain("Pad", ops); // no depth shift: convolutions pad themselves
                    Assert.DoesNotContain("MaxPool", ops); // a U-Net downsamples with strided convolutions; only fusion nodes pool
                }
                else
                {
                    Assert.Contains("Pad", ops);
                    Assert.Contains("MaxPool", ops);
                }
            }
        }

        [Fact]
        public void The_sparse_case_exports_smaller_than_dense_and_counts_what_the_authors_count()
        {
            const string name = "tiny_s5_sparse_aniso";
            using var temp = new TempFolder();
            string model = Support.GoldenModelFile(name) + ":TinyS5SparseAniso";
            Assert.Equal(0, Support.Cli("export", "--model", model, "--weights", Support.GoldenWeights(name), "--out", temp["pruned"], "--no-tune").Exit);
            Assert.Equal(0, Support.Cli("export", "--model", model, "--weights", Support.GoldenWeights(name), "--out", temp["dense"], "--dense").Exit);
            long pruned = new FileInfo(Path.Combine(temp["pruned"], "model.onnx")).Length;
            long dense = new FileInfo(Path.Combine(temp["dense"], "model.onnx")).Length;
            Assert.True(pruned < dense, $"pruned {pruned} bytes, dense {dense} bytes");

            BundleManifest manifest = E2ENetBundle.Open(temp["pruned"]).Manifest;
            Assert.True(manifest.Pruned);
            string report = File.ReadAllText(Path.Combine(temp["pruned"], "report.json"));
            // tests/data/golden/tiny_s5_sparse_aniso.json: 480,600 parameters, 233,081 non-zero (the paper's active count).
            Assert.Contains("\"parameters\": {\n      \"dense\": 480600,\n      \"active\": 233081,", report);
        }
    }
}
