using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using E2ENet.Cli;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Export;
using E2ENet.Tests;

namespace E2ENet.Onnx.Tests
{
    /// <summary>Golden cases, narrow models, a temporary folder, the CLI in-process, and the independent ONNX checker.</summary>
    internal static class Support
    {
        /// <summary>The golden cases of tests/data/golden: (case, model).</summary>
        public static readonly (string Case, string Model)[] Golden = { ("tiny_s3_dense", "TinyS3Dense"), ("tiny_s5_sparse_aniso", "TinyS5SparseAniso"), ("unet_iso_small", "UNetIsoSmall") };

        public static string GoldenModelFile(string name) => TestPaths.Repo("models", "reference", name + ".e2e");

        public static string GoldenWeights(string name) => TestPaths.Golden(name + ".weights.pt");

        public static string GoldenIo(string name) => TestPaths.Golden(name + ".io.pt");

        /// <summary>
        /// Narrowing of a full-width model for 2 cores: widths 4..16 (instead of 48..320) at a 32^3 patch. Everything else
        /// (pools, kernel, shift, sparsity, unit, classes, channels) stays the model's own.
        /// </summary>
        public static readonly string[] Narrow = { "widths.base=4", "widths.max=16", "input.patch=[32, 32, 64]" };

        /// <summary>
        /// A model of a file, narrowed. A group-unit model whose group count does not divide 4..16 gets the nearest widths it
        /// does (8 groups: 8..16); <paramref name="more"/> comes last, so it can set the widths itself.
        /// </summary>
        public static ModelSpec NarrowModel(string file, string model, params string[] more)
        {
            string path = TestPaths.Repo("models", file);
            ModelSpec full = ModelSource.Compile(path, model, System.Array.Empty<string>());
            int groups = full.Fusion.Unit == SparsityUnit.Group ? full.Fusion.Groups : 1;
            int RoundUp(int width) => (width + groups - 1) / groups * groups;
            string[] narrow = { $"widths.base={RoundUp(4)}", $"widths.max={RoundUp(16)}", Narrow[2] };
            return ModelSource.Compile(path, model, narrow.Concat(more).ToArray());
        }

        /// <summary>Runs e2enet in-process.</summary>
        public static (int Exit, string Output, string Error) Cli(params string[] args)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int exit = CliApp.Run(args, output, error);
            return (exit, output.ToString(), error.ToString());
        }

        /// <summary>
        /// Runs Debian's python3-onnx checker (onnx.checker.check_model with full_check, which also runs shape inference) on a
        /// model file; returns the op types it found, or throws with the checker's message.
        /// </summary>
        public static IReadOnlyList<string> CheckWithPythonOnnx(string model)
        {
            string script = "import onnx, sys\nm = onnx.load(sys.argv[1])\nonnx.checker.check_model(m, full_check=True)\nprint(' '.join(sorted(set(n.op_type for n in m.graph.node))))\n";
            var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(model);
            using Process process = Process.Start(start)!;
            string stdout = process.StandardOutput.ReadToEnd();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, "the ONNX checker rejected " + model + ":\n" + stderr);
            return stdout.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
    }

    /// <summary>A temporary folder, deleted on dispose.</summary>
    internal sealed class TempFolder : IDisposable
    {
        public TempFolder()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "e2enet-onnx-tests-" + Guid.NewGuid().ToString("N").Substring(0, 10));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string this[string name] => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
