using System;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Host;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Export;
using E2ENet.Torch.Weights;

namespace E2ENet.Onnx.Tests
{
    /// <summary>
    /// Issue 10 (1, 4, 9): <c>predict</c> never writes over its input, one writer per prediction folder, and a long output name
    /// works (the temporary name beside it does not grow with it).
    /// </summary>
    public sealed class PredictSafetyTests : IClassFixture<DemoData>, IDisposable
    {
        private const string ModelText = "model Small {\n  input channels 1, patch [32, 32, 32], normalization zscore\n  classes 4\n  widths base 4, max 8\n"
            + "  pools [[2, 2, 2], [2, 2, 2], [1, 1, 1] x 3]\n  inference mirror []\n}\n";

        private readonly TempFolder _temp = new TempFolder();
        private readonly DemoData _data;
        private readonly string _bundle;

        public PredictSafetyTests(DemoData data)
        {
            _data = data;
            File.WriteAllText(_temp["small.e2e"], ModelText);
            ModelSpec spec = ModelSource.Compile(_temp["small.e2e"], "Small", Array.Empty<string>());
            using ModelSource source = ModelSource.Random(spec, seed: 5);
            _bundle = _temp["bundle"];
            OnnxExporter.Export(source, new ExportRequest { Out = _bundle, Tune = false, Plan = data.PlanPath });
        }

        public void Dispose() => _temp.Dispose();

        private string Images(string name, params string[] files)
        {
            string folder = _temp[name];
            Directory.CreateDirectory(folder);
            string image = Directory.GetFiles(_data.Images).Single();
            foreach (string file in files) File.Copy(image, Path.Combine(folder, file));
            return folder;
        }

        private static byte[][] Contents(string folder) => Directory.GetFiles(folder).OrderBy(f => f, StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();

        [Fact]
        public void An_output_that_is_the_input_or_lands_on_an_input_is_refused_before_any_work()
        {
            string same = Images("same", "head_0000.nii.gz", "head.nii.gz");
            byte[][] before = Contents(same);
            var (exit, _, error) = Support.Cli("predict", "--bundle", _bundle, "--input", same, "--output", same);
            Assert.Equal(2, exit);
            Assert.Contains("error E2E6007", error);
            Assert.Contains("is the --input folder", error);

            // The same folder under another name.
            string link = _temp["link"];
            Directory.CreateSymbolicLink(link, same);
            (exit, _, error) = Support.Cli("predict", "--bundle", _bundle, "--input", same, "--output", link);
            Assert.Equal(2, exit);
            Assert.Contains("error E2E6007", error);

            // One image whose label volume would replace it (a plain CASE.nii.gz predicts into CASE.nii.gz).
            (exit, _, error) = Support.Cli("predict", "--bundle", _bundle, "--input", Path.Combine(same, "head.nii.gz"), "--output", same);
            Assert.Equal(2, exit);
            Assert.Contains("would be written over its input image", error);

            Assert.Equal(before, Contents(same));
            Assert.Equal(new[] { "head.nii.gz", "head_0000.nii.gz" }, Directory.GetFileSystemEntries(same).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray());
        }

        [Fact]
        public void One_writer_per_prediction_folder()
        {
            string images = Images("images", "head_0000.nii.gz");
            string output = _temp["out"];
            using (FolderLock.Acquire(output, "e2enet predict"))
            {
                var (exit, _, error) = Support.Cli("predict", "--bundle", _bundle, "--input", images, "--output", output);
                Assert.Equal(1, exit);
                Assert.Contains("error E2E7002", error);
                Assert.Contains("pid " + Environment.ProcessId + ": e2enet predict", error);
            }
            var result = Support.Cli("predict", "--bundle", _bundle, "--input", images, "--output", output);
            Assert.True(result.Exit == 0, result.Error);
            Assert.Equal(new[] { "head.nii.gz" }, Directory.GetFileSystemEntries(output).Select(Path.GetFileName).ToArray());
        }

        [Fact]
        public void Output_names_up_to_the_file_system_limit_are_written()
        {
            string name = new string('c', 255 - "_0000.nii.gz".Length);
            string images = Images("long", name + "_0000.nii.gz");
            string output = _temp["long-out"];
            var (exit, _, error) = Support.Cli("predict", "--bundle", _bundle, "--input", images, "--output", output);
            Assert.True(exit == 0, error);
            Assert.True(File.Exists(Path.Combine(output, name + ".nii.gz")));
            Assert.Contains("256 bytes long, more than the 255", OutputFile.NameProblem(Path.Combine(output, new string('d', 249) + ".nii.gz")));
            Assert.Null(OutputFile.Problem(Path.Combine(output, new string('d', 248) + ".nii.gz")));
        }
    }
}
