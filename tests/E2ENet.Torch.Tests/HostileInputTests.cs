using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Cli;
using E2ENet.Compiler.Host;
using E2ENet.Tests;
using E2ENet.Torch.Serialization;
using E2ENet.Torch.Tests.Crafted;
using static TorchSharp.torch;

namespace E2ENet.Torch.Tests
{
    /// <summary>
    /// Issue 10 (5, 7): tensor files and models that would need more memory than allowed are refused before anything is
    /// allocated (E2E7001); NaN or infinite weights and inputs are refused on load, naming the tensor (E2E3113).
    /// </summary>
    public sealed class HostileInputTests : IDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("e2enet-hostile-").FullName;

        public void Dispose() => Directory.Delete(_folder, true);

        private string Temp(string name) => Path.Combine(_folder, name);

        private static (int Exit, string Out, string Err) Run(params string[] args)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int exit = CliApp.Run(args, output, error);
            return (exit, output.ToString(), error.ToString());
        }

        [Fact]
        public void A_tiny_tensor_with_zero_strides_cannot_make_the_reader_allocate_gigabytes()
        {
            // 533 bytes of file: one float repeated 2^30 times by a zero stride (4 GiB once materialised).
            string path = Temp("strides.pt");
            var pickle = new CraftedPickle().EmptyDict().Str("input").Tensor("0", new long[] { 1L << 30 }, new long[] { 0 }, storageElements: 1).SetItem().Stop();
            CraftedArchive.Write(path, pickle.ToArray(), new Dictionary<string, byte[]> { ["0"] = CraftedArchive.Floats(1) });
            using TensorFile file = TensorFile.Open(path);
            file.Budget = MemoryBudget.Fixed(2L << 30);
            var e = Assert.Throws<HostException>(() => file.Read("input").Dispose());
            Assert.Equal("E2E7001", e.Id);
            Assert.Contains("reading tensor 'input' of shape [1073741824] (1073741824 elements of float32, from a storage of 1 elements)", e.Message);
            Assert.StartsWith(path + ": error E2E7001", e.Message);
        }

        [Fact]
        public void A_compressed_record_that_inflates_past_the_budget_is_refused_before_it_is_inflated()
        {
            string path = Temp("bomb.pt");
            var pickle = new CraftedPickle().EmptyDict().Str("w").Tensor("0", new long[] { 64L << 20 }, new long[] { 1 }).SetItem().Stop();
            CraftedArchive.Write(path, pickle.ToArray(), new Dictionary<string, byte[]> { ["0"] = new byte[256 << 20] }, compress: true);
            Assert.True(new FileInfo(path).Length < 2 << 20, "the crafted file should be small");
            using (MemoryBudget.Use(MemoryBudget.Fixed(512L << 20)))
            {
                using TensorFile file = TensorFile.Open(path);
                Assert.Equal("E2E7001", Assert.Throws<HostException>(() => file.Read("w").Dispose()).Id);
            }
        }

        [Fact]
        public void A_model_whose_weights_cannot_fit_is_refused_before_it_is_built()
        {
            string weights = Temp("w.pt"), input = Temp("x.pt");
            File.WriteAllBytes(weights, new byte[8]);
            File.WriteAllBytes(input, new byte[8]);
            var (exit, _, error) = Run("forward", "--model", TestPaths.Repo("models", "amos-ct.e2e") + ":AmosCt", "--set", "widths.base=1536", "--set", "widths.max=8192",
                "--weights", weights, "--input", input, "--output", Temp("y.pt"), "--max-memory", "8G");
            Assert.Equal(1, exit);
            Assert.Contains("error E2E7001: building model 'AmosCt' (18,140,639,744 parameters) needs about 67.6 GiB", error);
            Assert.Contains("more than the 8 GiB allowed here (--max-memory)", error);
            Assert.Contains("a narrower model", error);
            Assert.DoesNotContain("   at ", error);
            Assert.Contains("is not a size", Run("forward", "--model", "m.e2e", "--weights", weights, "--input", input, "--output", Temp("y.pt"), "--max-memory", "lots").Err);
        }

        [Fact]
        public void An_input_whose_forward_pass_cannot_fit_is_refused_before_it_is_read()
        {
            const string name = "tiny_s3_dense";
            var (exit, _, error) = Run("forward", "--model", Golden.ModelFile(name) + ":" + Golden.Model(name), "--weights", Golden.Weights(name),
                "--input", Golden.Io(name), "--output", Temp("y.pt"), "--max-memory", "4M");
            Assert.Equal(1, exit);
            Assert.Contains(Golden.Io(name) + ": error E2E7001: running 'TinyS3Dense' on the input", error);
            Assert.Contains("e2enet predict", error);
            Assert.False(File.Exists(Temp("y.pt")));
        }

        [Fact]
        public void Nan_in_the_weights_or_the_input_is_named_not_run()
        {
            const string name = "tiny_s3_dense";
            string model = Golden.ModelFile(name) + ":" + Golden.Model(name);
            Dictionary<string, Tensor> weights = TensorFile.ReadAll(Golden.Weights(name));
            Dictionary<string, Tensor> io = TensorFile.ReadAll(Golden.Io(name));
            try
            {
                string key = weights.Keys.First(k => k.EndsWith("conv.weight", StringComparison.Ordinal));
                weights[key].view(-1)[5] = float.NaN;
                weights[key].view(-1)[7] = float.PositiveInfinity;
                string badWeights = Temp("nan-weights.pt");
                TensorFileWriter.Write(badWeights, weights);
                var (exit, _, error) = Run("forward", "--model", model, "--weights", badWeights, "--input", Golden.Io(name), "--output", Temp("y.pt"));
                Assert.Equal(1, exit);
                Assert.Contains(badWeights + ": error E2E3113: weight '" + key + "'", error);
                Assert.Contains("holds 1 NaN and 1 infinite value(s)", error);
                Assert.False(File.Exists(Temp("y.pt")));

                // export blames the weights, not itself.
                (exit, _, error) = Run("export", "--model", model, "--weights", badWeights, "--out", Temp("bundle"), "--no-tune");
                Assert.Equal(1, exit);
                Assert.Contains("error E2E3113", error);
                Assert.DoesNotContain("defect", error);

                io["input"].view(-1)[3] = float.NaN;
                string badInput = Temp("nan-input.pt");
                TensorFileWriter.Write(badInput, new[] { new KeyValuePair<string, Tensor>("input", io["input"]) });
                (exit, _, error) = Run("forward", "--model", model, "--weights", Golden.Weights(name), "--input", badInput, "--output", Temp("y.pt"));
                Assert.Equal(1, exit);
                Assert.Contains(badInput + ": error E2E3113: tensor 'input'", error);
                Assert.Contains("the first at [0, 0, 0, 0, 3]", error);
                Assert.False(File.Exists(Temp("y.pt")));
            }
            finally
            {
                foreach (Tensor t in weights.Values.Concat(io.Values)) t.Dispose();
            }
        }
    }
}
