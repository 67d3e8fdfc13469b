using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Datasets;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Volumes;
using E2ENet.Onnx.Export;

namespace E2ENet.Onnx.Tests
{
    /// <summary>
    /// Issue 10 (5): <c>predict</c> on a large CT holds about the image, a window one patch deep and the labels, not the class
    /// probabilities of the whole volume: its peak resident memory (VmHWM of the child process) above that of a tiny case stays
    /// within a few times the image's float32 size, and a case whose estimate exceeds the budget is refused before it is read.
    /// </summary>
    public sealed class PredictMemoryTests : IDisposable
    {
        private const string ModelText = "model Ct {\n  input channels 1, patch [32, 128, 128], normalization ct\n  classes 3\n  widths base 4, max 16\n"
            + "  pools [[1, 2, 2], [2, 2, 2], [2, 2, 2], [2, 2, 2], [1, 2, 2]]\n  inference mirror []\n}\n";

        private readonly TempFolder _temp = new TempFolder();

        public void Dispose() => _temp.Dispose();

        /// <summary>A CT-like int16 volume (air at -1024, an elliptic body of soft tissue with noise), spacing 2 x 0.8 x 0.8 mm.</summary>
        private static void WriteCt(string path, Int3 shape)
        {
            var voxels = new float[shape.Volume];
            var random = new Random(1);
            for (int a = 0; a < shape.D; a++)
                for (int b = 0; b < shape.H; b++)
                    for (int c = 0; c < shape.W; c++)
                    {
                        double y = (b - shape.H / 2.0) / (shape.H * 0.4), x = (c - shape.W / 2.0) / (shape.W * 0.45);
                        voxels[((long)a * shape.H + b) * shape.W + c] = x * x + y * y < 1 ? 40 + random.Next(-30, 30) : -1024;
                    }
            VolumeFiles.Write(path, new Volume(shape, voxels, new Real3(2.0, 0.8, 0.8), AffineMatrix.Diagonal(0.8, 0.8, 2.0)), VoxelType.Int16);
        }

        private string Bundle()
        {
            File.WriteAllText(_temp["ct.e2e"], ModelText);
            var plan = new PreprocessingPlan(Planner.PipelineVersion, "ct-test", new[] { "CT" }, new[] { ChannelNormalization.Ct }, new[] { false },
                new IntensityStatistics?[] { new IntensityStatistics(1000, 40, 20, 40, -30, 70, -20, 65) }, new[] { "background", "soft", "other" },
                new[] { 0, 1, 2 }, new[] { 0, 1, 2 }, new[] { 2.0, 0.8, 0.8 }, new[] { 2.5, 0.8, 0.8 }, new[] { 100, 512, 512 }, Planner.AnisotropyThreshold, null, null, Array.Empty<string>());
            File.WriteAllText(_temp["plan.json"], DataJson.Serialize(plan));
            ModelSpec spec = ModelSource.Compile(_temp["ct.e2e"], "Ct", Array.Empty<string>());
            using ModelSource source = ModelSource.Random(spec, seed: 2);
            // Only memory is measured here: the export's numeric checks (covered elsewhere) are not what this test is about.
            OnnxExporter.Export(source, new ExportRequest { Out = _temp["bundle"], Tune = false, Plan = _temp["plan.json"], Tolerances = new ExportTolerances(1e9, 1e9, 1e9) });
            return _temp["bundle"];
        }

        /// <summary>Runs e2enet predict in a child process; returns its exit code, output and peak resident memory (bytes).</summary>
        private static (int Exit, string Output, long PeakBytes) Predict(params string[] args)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "e2enet.dll"));
            info.ArgumentList.Add("predict");
            foreach (string arg in args) info.ArgumentList.Add(arg);
            using var process = new Process { StartInfo = info };
            var output = new System.Text.StringBuilder();
            process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            long peak = 0;
            var deadline = Stopwatch.StartNew();
            while (!process.HasExited && deadline.Elapsed < TimeSpan.FromMinutes(10))
            {
                try
                {
                    string? line = File.ReadLines("/proc/" + process.Id + "/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                    if (line != null) peak = Math.Max(peak, long.Parse(line.Substring(6).Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024);
                }
                catch (IOException)
                {
                    // the process just ended
                }
                Thread.Sleep(20);
            }
            if (!process.HasExited) process.Kill(true);
            process.WaitForExit();
            return (process.ExitCode, output.ToString(), peak);
        }

        [Fact]
        public void A_large_ct_predicts_within_a_few_times_its_image()
        {
            string bundle = Bundle();
            var large = new Int3(160, 512, 512);
            Directory.CreateDirectory(_temp["large"]);
            Directory.CreateDirectory(_temp["small"]);
            WriteCt(Path.Combine(_temp["large"], "ct_0000.nii.gz"), large);
            WriteCt(Path.Combine(_temp["small"], "ct_0000.nii.gz"), new Int3(40, 128, 128));

            var (exit, output, small) = Predict("--bundle", bundle, "--input", _temp["small"], "--output", _temp["small-out"]);
            Assert.True(exit == 0, output);
            (exit, output, long peak) = Predict("--bundle", bundle, "--input", _temp["large"], "--output", _temp["large-out"]);
            Assert.True(exit == 0, output);
            Volume labels = VolumeFiles.Read(Path.Combine(_temp["large-out"], "ct.nii.gz"));
            Assert.Equal(large, labels.Shape);

            long image = 4 * large.Volume;
            Console.WriteLine(FormattableString.Invariant(
                $"predict peak RSS: {peak / 1048576.0:0} MiB for {large.W}x{large.H}x{large.D} int16 ({image / 1048576.0:0} MiB as float32, 3 classes, patch 32x128x128), {small / 1048576.0:0} MiB for a tiny case; extra {(peak - small) / (double)image:0.0} x the image"));
            // The image, a resampled copy while preprocessing, the sums window, the labels and what the collector has not yet
            // reclaimed: about 4 x the image (measured). Holding the probabilities of the whole volume, as predict did, needs
            // K x the image several times over (13 x and more here).
            Assert.True(peak - small < 6 * image, FormattableString.Invariant($"peak {peak / 1048576.0:0} MiB, tiny case {small / 1048576.0:0} MiB, image {image / 1048576.0:0} MiB"));

            // The same case under a budget its estimate exceeds: refused before it is read, nothing written.
            (exit, output, _) = Predict("--bundle", bundle, "--input", _temp["large"], "--output", _temp["refused"], "--max-memory", "300M");
            Assert.Equal(1, exit);
            Assert.Contains(Path.Combine(_temp["large"], "ct_0000.nii.gz") + ": error E2E7001: predicting case 'ct' (512x512x160 voxels, 1 channel(s), 3 classes, patch 32x128x128, 1 network(s)) needs about", output);
            Assert.False(Directory.Exists(_temp["refused"]));
        }
    }
}
