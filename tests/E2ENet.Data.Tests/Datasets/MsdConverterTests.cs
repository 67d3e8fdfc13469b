using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using E2ENet.Data.Datasets;
using E2ENet.Data.Tests.Support;
using E2ENet.Tests;

namespace E2ENet.Data.Tests.Datasets
{
    /// <summary>
    /// <c>e2enet dataset convert-msd</c> on a small Decathlon-like task made with nibabel (4D images of 2 modalities, an
    /// oblique affine, a scaling, macOS "._" files): the split channel files are the 4D image's volumes bit for bit (checked
    /// with nibabel), the result is a clean dataset of our layout, and broken tasks fail clearly.
    /// </summary>
    public class MsdConverterTests : IDisposable
    {
        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        private static string Script => File.ReadAllText(TestPaths.Repo("tests", "E2ENet.Data.Tests", "Datasets", "msd_task.py"));

        private string MakeTask()
        {
            string task = _temp.File("Task99_Synth");
            PythonOracle.Run(Script, "make", task);
            return task;
        }


        [Fact]
        public void A_task_becomes_a_clean_dataset_with_one_file_per_channel()
        {
            string task = MakeTask(), output = _temp.File("converted");
            var (exit, stdout, stderr) = CliCommand.Run("dataset", "convert-msd", task, output);
            Assert.True(exit == 0, stderr);
            Assert.Contains("3 training case(s), 1 test case(s), 2 channel(s) per case", stdout);
            Assert.Equal(new[] { "SYN_001_0000.nii.gz", "SYN_001_0001.nii.gz", "SYN_002_0000.nii.gz", "SYN_002_0001.nii.gz", "SYN_003_0000.nii.gz", "SYN_003_0001.nii.gz" },
                Directory.GetFiles(Path.Combine(output, "imagesTr")).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
            Assert.Equal(new[] { "SYN_010_0000.nii.gz", "SYN_010_0001.nii.gz" }, Directory.GetFiles(Path.Combine(output, "imagesTs")).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));

            // nibabel: each channel file is the 4D image's volume, with its dtype, scaling, affine and codes.
            JsonElement verified = PythonOracle.Json(Script, "verify", task, output);
            Assert.Equal(8 + 3, verified.GetProperty("checked").GetInt32());

            using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "dataset.json")));
            Assert.Equal("FLAIR", json.RootElement.GetProperty("channel_names").GetProperty("0").GetString());
            Assert.Equal(2, json.RootElement.GetProperty("labels").GetProperty("inner").GetInt32());
            Assert.Equal(".nii.gz", json.RootElement.GetProperty("file_ending").GetString());

            DatasetCheckReport report = DatasetChecker.Check(output);
            Assert.True(report.IsClean, string.Join("\n", report.Problems));
            Assert.Equal(2, report.Dataset!.Channels);
            Assert.Equal(3, report.Dataset.Training.Count);
            Assert.Single(report.Dataset.Test);
        }

        [Fact]
        public void Broken_tasks_and_targets_fail_with_the_file_named()
        {
            string task = MakeTask();
            // A target that is not empty.
            string busy = _temp.File("busy");
            Directory.CreateDirectory(busy);
            File.WriteAllText(Path.Combine(busy, "notes.txt"), "mine");
            var error = Assert.Throws<DataException>(() => MsdConverter.Convert(task, busy));
            Assert.Equal("E4205", error.Id);
            Assert.Equal("mine", File.ReadAllText(Path.Combine(busy, "notes.txt")));

            // Three modalities declared for 2-volume images.
            string json = File.ReadAllText(Path.Combine(task, "dataset.json"));
            File.WriteAllText(Path.Combine(task, "dataset.json"), json.Replace("\"1\": \"T1w\"", "\"1\": \"T1w\", \"2\": \"T2w\""));
            error = Assert.Throws<DataException>(() => MsdConverter.Convert(task, _temp.File("out1")));
            Assert.Equal("E4118", error.Id);
            Assert.Contains("SYN_001.nii.gz", error.Message);
            Assert.Contains("declares 3 modalities", error.Message);

            // A label missing: nothing is written.
            File.WriteAllText(Path.Combine(task, "dataset.json"), json);
            File.Delete(Path.Combine(task, "labelsTr", "SYN_002.nii.gz"));
            error = Assert.Throws<DataException>(() => MsdConverter.Convert(task, _temp.File("out2")));
            Assert.Equal("E4106", error.Id);
            Assert.Contains("SYN_002", error.Message);
            Assert.False(Directory.Exists(_temp.File("out2")));

            // Our own layout (no training list) needs no conversion.
            var (exit, _, stderr) = CliCommand.Run("dataset", "convert-msd", DemoData.Folder, _temp.File("out3"));
            Assert.Equal(1, exit);
            Assert.Contains("error E4103", stderr);
            Assert.Contains("not a Medical Segmentation Decathlon task", stderr);
        }
    }
}
