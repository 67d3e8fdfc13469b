using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Onnx.Bundle;
using E2ENet.Torch.Serialization;
using static TorchSharp.torch;

namespace E2ENet.Onnx.Tests
{
    /// <summary>
    /// <c>e2enet export</c> and <c>e2enet forward --bundle</c> on bad input: every mistake is one clear error with its id and
    /// the fix, exit 2 for the command line and 1 for content, never a stack trace; and the CUDA device is honest.
    /// </summary>
    public class CommandLineTests : IClassFixture<GoldenBundle>
    {
        private readonly GoldenBundle _golden;

        public CommandLineTests(GoldenBundle golden) => _golden = golden;

        private static string Model => Support.GoldenModelFile("tiny_s3_dense") + ":TinyS3Dense";

        private static string Weights => Support.GoldenWeights("tiny_s3_dense");

        [Fact]
        public void Export_refuses_bad_command_lines_clearly()
        {
            using var temp = new TempFolder();
            var cases = new List<(string[] Args, int Exit, string Text)>
            {
                (new[] { "export", "--out", temp["a"] }, 2, "give either --run RUN, or --model"),
                (new[] { "export", "--run", temp.Path, "--model", Model, "--weights", Weights, "--out", temp["a"] }, 2, "give either --run RUN, or --model"),
                (new[] { "export", "--model", Model, "--out", temp["a"] }, 2, "--weights is missing"),
                (new[] { "export", "--model", Model, "--weights", temp["none.pt"], "--out", temp["a"] }, 2, "no such file"),
                (new[] { "export", "--model", Model, "--weights", Weights, "--out", temp["a"], "--opset", "99" }, 2, "error E2E6002: --opset 99 is not supported; give an opset in 13..21"),
                (new[] { "export", "--model", Model, "--weights", Weights, "--out", temp["a"], "--verify-patch", "30,32,32" }, 2, "error E2E6002: --verify-patch: the patch 30x32x32 has D = 30, which is not a positive multiple of 32"),
                (new[] { "export", "--model", Model, "--weights", Weights, "--out", temp["a"], "--tune-patch", "abc" }, 2, "is not D,H,W"),
                (new[] { "export", "--run", temp["no-run"], "--out", temp["a"] }, 2, "error E2E6001: no such folder"),
                (new[] { "export", "--run", temp.Path, "--out", temp["a"] }, 2, "error E2E6001: has no model.e2e and no weights.pt"),
                (new[] { "export", "--model", Support.GoldenModelFile("tiny_s5_sparse_aniso") + ":TinyS5SparseAniso", "--weights", Weights, "--out", temp["a"] }, 1, "error E2E3201"),
                (new[] { "export", "--model", Model + "x", "--weights", Weights, "--out", temp["a"] }, 2, "error E2E3002"),
            };
            foreach (var (args, exit, text) in cases)
            {
                var result = Support.Cli(args);
                Assert.True(result.Exit == exit, string.Join(" ", args) + " -> " + result.Exit + ": " + result.Error);
                Assert.Contains(text, result.Error);
                Assert.DoesNotContain("   at ", result.Error);
            }
            Assert.False(Directory.Exists(temp["a"]));
        }

        [Fact]
        public void Export_from_a_run_folder_takes_its_model_weights_and_plan()
        {
            using var temp = new TempFolder();
            string run = temp["run"];
            Directory.CreateDirectory(run);
            // A run folder as the trainer writes it: the model as one standalone .e2e (its canonical source) and the weights.
            var spec = Export.ModelSource.Compile(Support.GoldenModelFile("tiny_s3_dense"), "TinyS3Dense", System.Array.Empty<string>());
            File.WriteAllText(Path.Combine(run, "model.e2e"), spec.CanonicalSource);
            File.Copy(Weights, Path.Combine(run, "weights.pt"));
            File.WriteAllText(Path.Combine(run, "plan.json"), "{}");
            var (exit, output, error) = Support.Cli("export", "--run", run, "--out", temp["bundle"], "--no-tune", "--verify-patch", "32,32,64");
            Assert.True(exit == 0, error);
            Assert.Contains("wrote ", output);
            BundleManifest manifest = E2ENetBundle.Open(temp["bundle"]).Manifest;
            Assert.Equal("TinyS3Dense", manifest.Model);
            Assert.Equal("weights.pt", manifest.WeightsFile);
            Assert.Equal("plan.json", manifest.Plan);
            Assert.Equal("{}", File.ReadAllText(Path.Combine(temp["bundle"], "plan.json")));
        }

        [Fact]
        public void Forward_with_a_bundle_checks_its_input_and_device()
        {
            using var temp = new TempFolder();
            TensorFileWriter.Write(temp["two-channels.pt"], new[] { new KeyValuePair<string, Tensor>("input", zeros(new long[] { 1, 2, 32, 32, 64 })) });
            TensorFileWriter.Write(temp["not-divisible.pt"], new[] { new KeyValuePair<string, Tensor>("input", zeros(new long[] { 1, 1, 32, 32, 48 })) });
            TensorFileWriter.Write(temp["double.pt"], new[] { new KeyValuePair<string, Tensor>("input", zeros(new long[] { 1, 1, 32, 32, 64 }, ScalarType.Float64)) });
            TensorFileWriter.Write(temp["good.pt"], new[] { new KeyValuePair<string, Tensor>("input", randn(new long[] { 2, 1, 32, 32, 64 })) });
            string[] Forward(string input, params string[] more) => new[] { "forward", "--bundle", _golden.Path, "--input", input, "--output", temp["out.pt"] }.Concat(more).ToArray();
            var cases = new List<(string[] Args, int Exit, string Text)>
            {
                (Forward(temp["two-channels.pt"]), 1, "error E2E6302: the input has 2 channels (shape [1, 2, 32, 32, 64]) but model 'TinyS3Dense' takes 1"),
                (Forward(temp["not-divisible.pt"]), 1, "error E2E6302: the input [1, 1, 32, 32, 48] has W = 48, which is not a positive multiple of 32"),
                (Forward(temp["double.pt"]), 1, "model 'TinyS3Dense' takes float32"),
                (Forward(temp["missing.pt"]), 2, "no such file"),
                (Forward(temp["good.pt"], "--device", "tpu"), 2, "--device 'tpu' is not cpu, cuda or auto"),
                (Forward(temp["good.pt"], "--deep-supervision"), 2, "keeps only the inference head"),
                (Forward(temp["good.pt"], "--model", Model), 2, "give one or the other"),
                (new[] { "forward", "--bundle", temp["nothing"], "--input", temp["good.pt"], "--output", temp["out.pt"] }, 2, "error E2E6201"),
                (new[] { "forward", "--input", temp["good.pt"], "--output", temp["out.pt"] }, 2, "give --model FILE.e2e[:Model] and --weights STATE_DICT.pt, or --bundle BUNDLE"),
                // This build references ONNX Runtime's CPU package: CUDA is refused with the reason and the fix, never silently replaced.
                (Forward(temp["good.pt"], "--device", "cuda"), 2, "error E2E6301: this build of e2enet uses ONNX Runtime's CPU package, which has no CUDA execution provider; build it with -p:E2ENetOnnxDevice=cuda"),
            };
            foreach (var (args, exit, text) in cases)
            {
                var result = Support.Cli(args);
                Assert.True(result.Exit == exit, string.Join(" ", args) + " -> " + result.Exit + ": " + result.Error);
                Assert.Contains(text, result.Error);
                Assert.DoesNotContain("   at ", result.Error);
            }
            Assert.False(File.Exists(temp["out.pt"]));

            // auto falls back to the CPU and says so; batch 2 at another size than the patch works (dynamic axes).
            var (code, output, error) = Support.Cli(Forward(temp["good.pt"], "--device", "auto"));
            Assert.True(code == 0, error);
            Assert.Contains("CUDA is not usable here", error);
            Assert.Contains("running on the CPU", error);
            Assert.Contains("eval [2, 3, 32, 32, 64]", output);
            Assert.Equal(new long[] { 2, 3, 32, 32, 64 }, TensorFile.ReadAll(temp["out.pt"])["eval"].shape);
        }
    }
}
