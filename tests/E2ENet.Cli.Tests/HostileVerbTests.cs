using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Errors;

namespace E2ENet.Cli.Tests
{
    /// <summary>
    /// Every verb, driven with hostile input, ends with located one-line errors and a non-zero exit code, never a stack trace
    /// (the last-resort handler turns anything unanticipated into E2E9001).
    /// </summary>
    public sealed class HostileVerbTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "e2enet-hostile-" + Guid.NewGuid().ToString("N"));

        public HostileVerbTests()
        {
            Directory.CreateDirectory(_folder);
            var random = new Random(5);
            foreach (string name in new[] { "garbage.e2e", "garbage.nii.gz", "garbage.pt", "garbage.onnx" })
            {
                var bytes = new byte[4096];
                random.NextBytes(bytes);
                File.WriteAllBytes(Path.Combine(_folder, name), bytes);
            }
            string dataset = Path.Combine(_folder, "dataset");
            Directory.CreateDirectory(Path.Combine(dataset, "imagesTr"));
            Directory.CreateDirectory(Path.Combine(dataset, "labelsTr"));
            File.WriteAllText(Path.Combine(dataset, "dataset.json"), "{\"channel_names\": {\"0\": \"CT\"}, \"labels\": {\"background\": 0, \"a\": 1}, \"numTraining\": 1, \"file_ending\": \".nii.gz\"}");
            File.Copy(Path.Combine(_folder, "garbage.nii.gz"), Path.Combine(dataset, "imagesTr", "case_000_0000.nii.gz"));
            File.Copy(Path.Combine(_folder, "garbage.nii.gz"), Path.Combine(dataset, "labelsTr", "case_000.nii.gz"));
            Directory.CreateDirectory(Path.Combine(_folder, "bundle"));
            File.WriteAllText(Path.Combine(_folder, "bundle", "manifest.json"), "{ not json");
            Directory.CreateDirectory(Path.Combine(_folder, "run"));
            File.WriteAllText(Path.Combine(_folder, "run", "run.json"), "[1, 2");
        }

        public void Dispose() => Directory.Delete(_folder, true);

        private string P(string name) => Path.Combine(_folder, name);

        public static IEnumerable<object[]> Cases()
        {
            string model = E2ENet.Tests.TestPaths.Repo("models", "reference", "tiny_s3_dense.e2e");
            yield return new object[] { "check garbage", new[] { "check", "{garbage.e2e}" } };
            yield return new object[] { "check folder", new[] { "check", "{dataset}" } };
            yield return new object[] { "forward garbage weights", new[] { "forward", "--model", model, "--weights", "{garbage.pt}", "--input", "{garbage.pt}", "--output", "{out.pt}" } };
            yield return new object[] { "forward folder weights", new[] { "forward", "--model", model, "--weights", "{dataset}", "--input", "{garbage.pt}", "--output", "{out.pt}" } };
            yield return new object[] { "forward garbage bundle", new[] { "forward", "--bundle", "{bundle}", "--input", "{garbage.pt}", "--output", "{out.pt}" } };
            yield return new object[] { "verify garbage model", new[] { "verify", "--model", "{garbage.e2e}" } };
            yield return new object[] { "verify garbage weights", new[] { "verify", "--model", model, "--weights", "{garbage.pt}" } };
            yield return new object[] { "bench forward garbage", new[] { "bench", "forward", "--model", "{garbage.e2e}", "--patch", "32,32,32" } };
            yield return new object[] { "bench forward bad patch", new[] { "bench", "forward", "--model", model, "--patch", "33,31,7" } };
            yield return new object[] { "bench shift bad shape", new[] { "bench", "shift", "--shape", "2,0,-1,4,4" } };
            yield return new object[] { "bench export garbage", new[] { "bench", "export", "--model", "{garbage.e2e}", "--patch", "32,32,32" } };
            yield return new object[] { "dataset check garbage", new[] { "dataset", "check", "{dataset}" } };
            yield return new object[] { "dataset check file", new[] { "dataset", "check", "{garbage.nii.gz}" } };
            yield return new object[] { "dataset preprocess garbage", new[] { "dataset", "preprocess", "{dataset}", "--model", model, "--out", "{pre}" } };
            yield return new object[] { "dataset make-demo into a file", new[] { "dataset", "make-demo", "{garbage.pt}" } };
            yield return new object[] { "evaluate garbage", new[] { "evaluate", "--pred", "{dataset}/imagesTr", "--ref", "{dataset}/labelsTr" } };
            yield return new object[] { "train garbage", new[] { "train", "{dataset}", "--model", model, "--out", "{trained}", "--epochs", "1", "--iterations", "1" } };
            yield return new object[] { "train resume garbage", new[] { "train", "{dataset}", "--out", "{run}", "--resume" } };
            yield return new object[] { "export garbage weights", new[] { "export", "--model", model, "--weights", "{garbage.pt}", "--out", "{exported}" } };
            yield return new object[] { "export garbage run", new[] { "export", "--run", "{run}", "--out", "{exported}" } };
            yield return new object[] { "predict garbage bundle", new[] { "predict", "--bundle", "{bundle}", "--input", "{dataset}/imagesTr", "--output", "{predicted}" } };
            yield return new object[] { "predict garbage run", new[] { "predict", "--run", "{run}", "--input", "{dataset}/imagesTr", "--output", "{predicted}" } };
            yield return new object[] { "quickstart into a file", new[] { "quickstart", "--out", "{garbage.pt}", "--check-only" } };
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void A_verb_with_hostile_input_fails_with_a_located_error_and_no_stack_trace(string what, string[] template)
        {
            string[] args = template.Select(a => a.Replace("{", _folder + "/", StringComparison.Ordinal).Replace("}", string.Empty, StringComparison.Ordinal)).ToArray();
            var (exit, stdout, stderr) = CliRunner.Run(args);
            string all = stdout + stderr;
            Assert.DoesNotContain("   at ", all);
            Assert.DoesNotContain("Unhandled exception", all);
            if (what == "quickstart into a file" && exit == 0) return; // --check-only only checks the embedded models
            Assert.True(exit != 0, what + ": exit 0\n" + all);
            Assert.Matches(@"E2E\d{4}|error", all);
        }

        [Fact]
        public void An_exception_no_command_anticipated_is_one_line_with_E2E9001()
        {
            var error = new StringWriter();
            int exit = LastResort.Report(error, "e2enet test", new InvalidOperationException("boom"));
            Assert.Equal(1, exit);
            string text = error.ToString();
            Assert.Contains("e2enet test: error E2E9001: unexpected InvalidOperationException: boom", text);
            Assert.DoesNotContain("   at ", text);
        }

        [Fact]
        public void Every_library_error_reaching_the_last_resort_is_its_own_one_line_message()
        {
            var errors = new E2ENetException[]
            {
                new E2ENet.Training.TrainingException(E2ENet.Training.TrainingErrors.RunExists, "runs/a", "this folder already holds a training"),
                new E2ENet.Data.DataException(E2ENet.Data.DataErrors.NotNifti, "a.nii", "byte 344: bad magic"),
                new E2ENet.Torch.Diagnostics.E2ENetTorchException(E2ENet.Torch.Diagnostics.TorchErrors.UnknownModel, "m.e2e", "no model 'X'"),
                new E2ENet.Onnx.Diagnostics.E2ENetOnnxException(E2ENet.Onnx.Diagnostics.OnnxErrors.BundleNotFound, "b", "no such folder"),
                new E2ENet.Compiler.Host.HostException(E2ENet.Compiler.Host.HostErrors.FolderInUse, "runs/a", "locked by pid 1"),
            };
            foreach (E2ENetException e in errors)
            {
                var error = new StringWriter();
                Assert.Equal(1, LastResort.Report(error, "e2enet test", new AggregateException(e)));
                Assert.Equal(e.Message + Environment.NewLine, error.ToString());
                Assert.StartsWith(e.File + ": error " + e.Id + ": " + e.Detail, e.Message);
            }
            Assert.Equal("runs/a: error E2E5001: this folder already holds a training", errors[0].Message);
        }
    }
}
