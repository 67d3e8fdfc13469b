using System;
using System.Collections.Generic;
using System.IO;
using E2ENet.Cli;
using E2ENet.Tests;
using E2ENet.Torch.Serialization;
using static TorchSharp.torch;

namespace E2ENet.Torch.Tests
{
    /// <summary><c>e2enet forward</c> and <c>e2enet bench</c> end to end (in-process, as a user calls them).</summary>
    public sealed class ForwardCommandTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "e2enet-forward-" + Guid.NewGuid().ToString("N"));

        public ForwardCommandTests() => Directory.CreateDirectory(_folder);

        public void Dispose() => Directory.Delete(_folder, true);

        private string Temp(string name) => Path.Combine(_folder, name);

        private static (int Exit, string Out, string Err) Run(params string[] args)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int exit = CliApp.Run(args, output, error);
            return (exit, output.ToString(), error.ToString());
        }

        [Theory]
        [InlineData("tiny_s3_dense", false)]
        [InlineData("tiny_s5_sparse_aniso", false)]
        [InlineData("tiny_s5_sparse_aniso", true)]
        public void Forward_reproduces_the_golden_outputs_end_to_end(string name, bool deepSupervision)
        {
            string output = Temp("out.pt");
            var args = new List<string> { "forward", "--model", Golden.ModelFile(name) + ":" + Golden.Model(name), "--weights", Golden.Weights(name), "--input", Golden.Io(name), "--output", output };
            if (deepSupervision) args.Add("--deep-supervision");
            var (exit, stdout, stderr) = Run(args.ToArray());
            Assert.True(exit == 0, stderr);
            Assert.Contains("wrote " + output, stdout);

            using var scope = NewDisposeScope();
            Dictionary<string, Tensor> expected = TensorFile.ReadAll(Golden.Io(name));
            Dictionary<string, Tensor> actual = TensorFile.ReadAll(output);
            string[] keys = deepSupervision ? new[] { "ds0", "ds1", "ds2", "ds3" } : new[] { "eval" };
            Assert.Equal(keys, actual.Keys);
            foreach (string key in keys) Assert.InRange(Golden.RelativeError(actual[key], expected[key]), 0, 1e-4);
        }

        [Fact]
        public void Bad_inputs_are_clear_errors_and_leave_the_previous_output_alone()
        {
            const string name = "tiny_s5_sparse_aniso";
            string model = Golden.ModelFile(name) + ":" + Golden.Model(name);
            string output = Temp("out.pt");
            File.WriteAllText(output, "previous result");
            string wrongChannels = Temp("one-channel.pt");
            TensorFileWriter.Write(wrongChannels, new[] { new KeyValuePair<string, Tensor>("input", zeros(new long[] { 1, 1, 16, 64, 32 })) });
            string notDivisible = Temp("odd.pt");
            TensorFileWriter.Write(notDivisible, new[] { new KeyValuePair<string, Tensor>("input", zeros(new long[] { 1, 2, 16, 60, 32 })) });
            string noInput = Temp("no-input.pt");
            TensorFileWriter.Write(noInput, new[] { new KeyValuePair<string, Tensor>("image", zeros(new long[] { 1, 2, 16, 64, 32 })) });
            string corrupt = Temp("corrupt.pt");
            File.WriteAllBytes(corrupt, new byte[] { 0x50, 0x4b, 3, 4, 1, 2, 3 });

            var cases = new (string[] Args, int Exit, string Text)[]
            {
                (new[] { "--model", Golden.ModelFile(name) + ":TinyS5SparseAnsio" }, 2, "did you mean 'TinyS5SparseAniso'"),
                (new[] { "--weights", Temp("missing.pt") }, 2, "no such file"),
                (new[] { "--input", wrongChannels }, 1, "error E2E3003: the input has 1 channels"),
                (new[] { "--input", notDivisible }, 1, "error E2E3004"),
                (new[] { "--input", noInput }, 1, "error E2E3111: has no tensor 'input' (it has 'image')"),
                (new[] { "--weights", corrupt }, 1, "error E2E3102"),
                (new[] { "--weights", Golden.Weights("tiny_s3_dense") }, 1, "error E2E3201"),
                (new[] { "--output", Temp("no/such/folder/out.pt") }, 2, "does not exist"),
                (new[] { "--model", Golden.ModelFile(name), "--set", "fusion.sparsity=2" }, 1, "E2E0204"),
            };
            foreach (var (changes, expectedExit, text) in cases)
            {
                var args = new Dictionary<string, string> { ["--model"] = model, ["--weights"] = Golden.Weights(name), ["--input"] = Golden.Io(name), ["--output"] = output };
                var extra = new List<string>();
                for (int i = 0; i < changes.Length; i += 2)
                {
                    if (args.ContainsKey(changes[i])) args[changes[i]] = changes[i + 1];
                    else extra.AddRange(new[] { changes[i], changes[i + 1] });
                }
                var line = new List<string> { "forward" };
                foreach (var pair in args) line.AddRange(new[] { pair.Key, pair.Value });
                line.AddRange(extra);
                var (exit, _, stderr) = Run(line.ToArray());
                Assert.True(exit == expectedExit, string.Join(" ", changes) + ": exit " + exit + ": " + stderr);
                Assert.Contains(text, stderr);
                Assert.DoesNotContain("   at ", stderr); // no stack trace
                Assert.Equal("previous result", File.ReadAllText(output));
            }
        }

        [Fact]
        public void Bench_forward_and_bench_shift_print_plain_results()
        {
            var (exit, stdout, stderr) = Run("bench", "forward", "--model", Golden.ModelFile("tiny_s3_dense"), "--patch", "32,32,64", "--warmup", "0", "--repeat", "1");
            Assert.True(exit == 0, stderr);
            Assert.Contains("forward+backward", stdout);
            Assert.Matches(@"result: forward_ms=[0-9.]+ forward_backward_ms=[0-9.]+ forward_peak_mib=[0-9]+ forward_backward_peak_mib=[0-9]+", stdout);
            Assert.Contains("precision=fp32", stdout);
            Assert.Contains("bench: forward: run 1/1", stderr);

            (exit, stdout, stderr) = Run("bench", "forward", "--model", Golden.ModelFile("tiny_s3_dense"), "--patch", "32,32,64", "--warmup", "0", "--repeat", "1", "--precision", "bf16");
            Assert.True(exit == 0, stderr);
            Assert.Contains("convolutions in bf16", stdout);
            Assert.Contains("precision=bf16", stdout);
            (exit, _, stderr) = Run("bench", "forward", "--model", Golden.ModelFile("tiny_s3_dense"), "--patch", "32,32,64", "--precision", "fp8");
            Assert.Equal(2, exit);
            Assert.Contains("--precision 'fp8' is not a precision: use fp32, bf16 or fp16", stderr);

            (exit, stdout, stderr) = Run("bench", "shift", "--shape", "1,5,4,8,8", "--groups", "5", "--repeat", "1");
            Assert.True(exit == 0, stderr);
            Assert.Matches(@"result: node/network forward [0-9.]+x, forward\+backward [0-9.]+x; composed/network forward [0-9.]+x, forward\+backward [0-9.]+x", stdout);

            (exit, _, stderr) = Run("bench", "forward", "--model", Golden.ModelFile("tiny_s3_dense"), "--patch", "30,32,64");
            Assert.Equal(1, exit);
            Assert.Contains("E2E0301", stderr);
            (exit, _, stderr) = Run("bench", "forward", "--model", Golden.ModelFile("tiny_s3_dense"), "--patch", "32,32");
            Assert.Equal(2, exit);
            Assert.Contains("D,H,W", stderr);
        }
    }
}
