using System;
using System.IO;
using E2ENet.Onnx.Runtime;
using Xunit;

namespace E2ENet.Onnx.Tests
{
    /// <summary><c>e2enet bench export</c> runs every engine, nnU-Net's plain U-Net exported by PyTorch included (behaviour only, no times asserted).</summary>
    public class BenchTests
    {
        [Fact]
        public void Bench_export_times_every_engine_in_one_run()
        {
            string profile = Path.Combine(Path.GetTempPath(), "e2enet-bench-profile-" + Guid.NewGuid().ToString("N"));
            var (exit, output, error) = Support.Cli("bench", "export", "--model", E2ENet.Tests.TestPaths.Repo("models", "amos-ct.e2e") + ":AmosCtChannel",
                "--patch", "32,32,64", "--set", "widths.base=4", "--set", "widths.max=8", "--runs", "1", "--warmup", "1", "--tune-runs", "1", "--profile", profile);
            Assert.True(exit == 0, error);
            try
            {
                // --profile: a trace and a summary per graph (the pruned+tuned export and the U-Net), each readable again, printed before the table.
                foreach (string label in new[] { "tuned", "unet" })
                {
                    OnnxProfile traced = OnnxProfile.Parse(File.ReadAllText(Path.Combine(profile, label + "-profile.json")), skipRuns: 1);
                    Assert.Equal(1, traced.Runs);
                    Assert.Contains(traced.ByOpType, o => o.OpType == "Conv" && o.Microseconds > 0);
                    Assert.Equal(File.ReadAllText(Path.Combine(profile, label + "-profile.txt")), traced.Summary(label == "unet"
                        ? "nnU-Net plain U-Net, ONNX Runtime profile" : "pruned + tuned export, ONNX Runtime profile"));
                }
                Assert.Empty(Directory.GetFiles(profile, ".*"));
                Assert.Contains("pruned + tuned export, ONNX Runtime profile: 1 runs traced", output);
                Assert.StartsWith("result: ", output.TrimEnd().Split('\n')[^1]);
            }
            finally
            {
                Directory.Delete(profile, recursive: true);
            }
            foreach (string engine in new[] { "ONNX Runtime, dense export", "ONNX Runtime, pruned", "ONNX Runtime, pruned + tuned", "TorchSharp eager", "nnU-Net plain U-Net, ONNX Runtime" })
            {
                Assert.Contains(engine, output);
            }
            Assert.Contains("random weights with the model's mask structure", output);
            Assert.Matches(@"result: dense/pruned=[0-9.]+ dense/tuned=[0-9.]+ torch/tuned=[0-9.]+ dense/tuned_cpu=[0-9.]+ torch/tuned_cpu=[0-9.]+ unet/tuned=[0-9.]+ unet/tuned_cpu=[0-9.]+ tuned_ms=[0-9.]+ tuned_cpu_ms=[0-9.]+", output);
            // nnU-Net's plain U-Net of docs/method.md at 32x32x64 with one input channel and 16 classes: 31,194,512 parameters without its deep-supervision heads.
            Assert.Contains("31194512", output);
        }

        [Fact]
        public void Bench_export_sequential_times_each_engine_with_only_its_own_session_open()
        {
            var (exit, output, error) = Support.Cli("bench", "export", "--model", E2ENet.Tests.TestPaths.Repo("models", "amos-ct.e2e") + ":AmosCtFast",
                "--patch", "32,32,64", "--set", "widths.base=8", "--set", "widths.max=16", "--runs", "2", "--warmup", "1", "--tune-runs", "1", "--no-baseline", "--sequential");
            Assert.True(exit == 0, error);
            // One progress line per engine with its two timed runs, in order, instead of one line per round.
            string[] engines = { "ONNX Runtime, dense export", "ONNX Runtime, pruned", "ONNX Runtime, pruned + tuned", "TorchSharp eager (dense weights)" };
            int last = -1;
            foreach (string engine in engines)
            {
                int at = (output + error).IndexOf(engine + ": ", StringComparison.Ordinal);
                Assert.True(at > last, engine + " was not timed after the engine before it");
                Assert.Matches("^" + System.Text.RegularExpressions.Regex.Escape(engine) + @": [0-9]+ ms \(cpu [0-9]+\), [0-9]+ ms \(cpu [0-9]+\)$",
                    (output + error).Substring(at).Split('\n')[0].TrimEnd());
                last = at;
            }
            Assert.DoesNotContain("run 1/2", output + error);
            Assert.Contains("medians of 2 runs, one engine after another", output);
            Assert.DoesNotContain("unet/tuned", output);
            Assert.Matches(@"result: dense/pruned=[0-9.]+ dense/tuned=[0-9.]+ torch/tuned=[0-9.]+ dense/tuned_cpu=[0-9.]+ torch/tuned_cpu=[0-9.]+ tuned_ms=[0-9.]+ tuned_cpu_ms=[0-9.]+", output);
        }
    }
}
