using System;
using System.IO;
using System.Linq;
using E2ENet.Data.Datasets;
using E2ENet.Data.Tests.Support;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Tests.Datasets
{
    public class DatasetCheckTests : IDisposable
    {
        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        [Fact]
        public void The_demo_dataset_is_clean_and_summarised()
        {
            DatasetCheckReport report = DatasetChecker.Check(DemoData.Folder);
            Assert.True(report.IsClean, string.Join("\n", report.Problems));
            DatasetSummary summary = report.Summary!;
            Assert.Equal(3, summary.TrainingCases);
            Assert.Equal(1, summary.TestCases);
            Assert.Equal(new[] { "background", "cerebellum", "thalamus", "basal_ganglia" }, summary.Classes.Select(c => c.Name));
            Assert.All(summary.Classes, c => Assert.Equal(3, c.Cases));
            Assert.InRange(summary.Channels[0].Foreground.Mean, 20, 400);
            Assert.InRange(summary.SpacingIjk[0].Median, 2.6, 3.4);
        }

        [Fact]
        public void Demo_cases_lie_where_their_voxels_came_from()
        {
            // A voxel of a demo label, mapped to world and back into the AAL atlas, finds a region of the same class.
            Volume aal = VolumeFiles.Read(RealData.Aal);
            Dataset dataset = Dataset.Open(DemoData.Folder);
            Volume label = VolumeFiles.Read(dataset.Training[0].Label!);
            int agree = 0, total = 0;
            for (long n = 0; n < label.Voxels.Length; n += 97)
            {
                int c = (int)label.Voxels[n];
                if (c == 0) continue;
                int i = (int)(n % label.Shape.W), j = (int)(n / label.Shape.W % label.Shape.H), k = (int)(n / ((long)label.Shape.W * label.Shape.H));
                var (x, y, z) = label.Affine.Transform(i, j, k);
                var (ai, aj, ak) = ((int)Math.Round(x + 90), (int)Math.Round(y + 125), (int)Math.Round(z + 71)); // Colin27's affine is identity + origin
                total++;
                if (DemoDataset.ClassOfAalRegion((int)aal[ak, aj, ai]) == c) agree++;
            }
            Assert.True(total > 50);
            Assert.True(agree > 0.8 * total, $"{agree} of {total} agree");
        }

        [Fact]
        public void Every_problem_is_reported_at_once()
        {
            string root = DemoData.CopyTo(_temp);
            Dataset dataset = Dataset.Open(root);
            string case0 = dataset.Training[0].Name, case1 = dataset.Training[1].Name, case2 = dataset.Training[2].Name;
            // Missing image, missing label, extra file, numTraining (now 4 declared vs 3 found + extra), a truncated file.
            File.Delete(Path.Combine(root, "imagesTr", case0 + "_0000.nii.gz"));
            File.Move(Path.Combine(root, "labelsTr", case1 + ".nii.gz"), Path.Combine(root, "labelsTr", "notes.txt"));
            File.WriteAllText(Path.Combine(root, "imagesTr", case2 + "_0001.nii.gz"), "a second channel that dataset.json does not declare");
            File.WriteAllText(Path.Combine(root, "dataset.json"), File.ReadAllText(Path.Combine(root, "dataset.json")).Replace("\"numTraining\": 3", "\"numTraining\": 5"));
            byte[] label2 = File.ReadAllBytes(Path.Combine(root, "labelsTr", case2 + ".nii.gz"));
            File.WriteAllBytes(Path.Combine(root, "labelsTr", case2 + ".nii.gz"), label2.AsSpan(0, label2.Length / 2).ToArray());

            DatasetCheckReport report = DatasetChecker.Check(root);
            string[] ids = report.Problems.Select(p => p.Error.Id).ToArray();
            Assert.Contains("E4105", ids); // missing image
            Assert.Contains("E4106", ids); // missing label
            Assert.Contains("E4107", ids); // extra files (notes.txt, channel 0001)
            Assert.Contains("E4108", ids); // numTraining
            Assert.True(ids.Contains("E4008") || ids.Contains("E4009"), string.Join("\n", report.Problems));
            Assert.Equal(2, report.Problems.Count(p => p.Error.Id == "E4107"));
            Assert.All(report.Problems, p => Assert.NotNull(p.File));
            var thrown = Assert.Throws<DataException>(() => Dataset.Open(root));
            Assert.Contains("more problem(s)", thrown.Message);
        }

        [Fact]
        public void Grid_and_label_content_problems()
        {
            string root = DemoData.CopyTo(_temp);
            Dataset dataset = Dataset.Open(root);
            DatasetCase a = dataset.Training[0], b = dataset.Training[1], c = dataset.Training[2];

            // a: label on a shifted origin; b: label with an undeclared value 7 and a non-integer value; c: an empty label with other spacing.
            Volume labelA = VolumeFiles.Read(a.Label!);
            double[] m = labelA.Affine.ToArray();
            m[3] += 5;
            VolumeFiles.Write(a.Label!, new Volume(labelA.Shape, labelA.Voxels, labelA.Spacing, new AffineMatrix(m)), VoxelType.UInt8);
            Volume labelB = VolumeFiles.Read(b.Label!);
            float[] valuesB = (float[])labelB.Voxels.Clone();
            valuesB[10] = 7;
            valuesB[11] = 1.5f;
            VolumeFiles.Write(b.Label!, labelB.WithVoxels(valuesB, VoxelType.Float32), VoxelType.Float32);
            Volume labelC = VolumeFiles.Read(c.Label!);
            var spacingC = new Real3(labelC.Spacing.D, labelC.Spacing.H, labelC.Spacing.W * 1.5);
            VolumeFiles.Write(c.Label!, new Volume(labelC.Shape, new float[labelC.Voxels.Length], spacingC, labelC.Affine), VoxelType.UInt8);

            DatasetCheckReport report = DatasetChecker.Check(root);
            Assert.Contains(report.Problems, p => p.Error.Id == "E4111" && p.File == a.Label);
            Assert.Contains(report.Problems, p => p.Error.Id == "E4112" && p.File == b.Label && p.Message.Contains("7 (1 voxels)"));
            Assert.Contains(report.Problems, p => p.Error.Id == "E4114" && p.File == b.Label && p.Message.Contains("1.5"));
            Assert.Contains(report.Problems, p => p.Error.Id == "E4113" && p.File == c.Label);
            Assert.Contains(report.Problems, p => p.Error.Id == "E4110" && p.File == c.Label);
        }

        [Fact]
        public void Shape_mismatch_between_channel_and_label()
        {
            string root = DemoData.CopyTo(_temp);
            DatasetCase a = Dataset.Open(root).Training[0];
            Volume label = VolumeFiles.Read(a.Label!);
            var smaller = new E2ENet.Compiler.Semantics.Int3(label.Shape.D - 1, label.Shape.H, label.Shape.W);
            VolumeFiles.Write(a.Label!, new Volume(smaller, label.Voxels.Take((int)smaller.Volume).ToArray(), label.Spacing, label.Affine), VoxelType.UInt8);
            DatasetCheckReport report = DatasetChecker.Check(root);
            var problem = Assert.Single(report.Problems);
            Assert.Equal("E4109", problem.Error.Id);
        }

        [Theory]
        [InlineData("{", "E4103")]
        [InlineData("[]", "E4103")]
        [InlineData("{\"labels\": {\"background\": 0, \"a\": 1}}", "E4103")]
        [InlineData("{\"channel_names\": {\"0\": \"T1\"}, \"labels\": {\"a\": 1, \"b\": 2}}", "E4104")]
        [InlineData("{\"channel_names\": {\"0\": \"T1\"}, \"labels\": {\"background\": 0, \"a\": 2}}", "E4104")]
        [InlineData("{\"channel_names\": {\"0\": \"T1\"}, \"labels\": {\"background\": 0, \"a\": [1, 2]}}", "E4104")]
        [InlineData("{\"channel_names\": {\"1\": \"T1\"}, \"labels\": {\"background\": 0, \"a\": 1}}", "E4103")]
        public void Invalid_dataset_json(string json, string id)
        {
            string root = DemoData.CopyTo(_temp);
            File.WriteAllText(Path.Combine(root, "dataset.json"), json);
            Assert.Contains(DatasetChecker.Check(root).Problems, p => p.Error.Id == id);
        }

        [Fact]
        public void Msd_v1_dataset_json_with_a_training_list_is_understood()
        {
            string root = DemoData.CopyTo(_temp);
            Dataset v2 = Dataset.Open(root);
            string list = string.Join(", ", v2.Training.Select(c => $"{{\"image\": \"./imagesTr/{c.Name}.nii.gz\", \"label\": \"./labelsTr/{c.Name}.nii.gz\"}}"));
            File.WriteAllText(Path.Combine(root, "dataset.json"),
                "{\"name\": \"v1\", \"modality\": {\"0\": \"MRI\"}, \"labels\": {\"0\": \"background\", \"1\": \"cerebellum\", \"2\": \"thalamus\", \"3\": \"basal_ganglia\"}, \"numTraining\": 3, \"training\": [" + list + "], \"test\": []}");
            DatasetCheckReport report = DatasetChecker.Check(root);
            Assert.True(report.IsClean, string.Join("\n", report.Problems));
            Assert.Equal(v2.Training.Select(c => c.Name), report.Dataset!.Training.Select(c => c.Name));
            Assert.Equal(ChannelNormalization.ZScore, report.Dataset.Json.Channels[0].Normalization);
        }

        [Fact]
        public void A_missing_folder_or_dataset_json()
        {
            Assert.Equal("E4101", Assert.Single(DatasetChecker.Check(_temp.File("nowhere")).Problems).Error.Id);
            Directory.CreateDirectory(_temp.File("empty"));
            Assert.Equal("E4102", Assert.Single(DatasetChecker.Check(_temp.File("empty")).Problems).Error.Id);
        }

        [Fact]
        public void Make_demo_refuses_a_folder_with_content()
        {
            File.WriteAllText(_temp.File("keep.txt"), "user data");
            var error = Assert.Throws<DataException>(() => DemoDataset.Make(_temp.Path, DemoData.Options));
            Assert.Equal("E4205", error.Id);
            Assert.Equal("user data", File.ReadAllText(_temp.File("keep.txt")));
        }

        [Fact]
        public void Make_demo_is_deterministic_under_its_seed()
        {
            DemoDataset.Make(_temp.File("again"), DemoData.Options);
            foreach (string file in Directory.GetFiles(DemoData.Folder, "*.nii.gz", SearchOption.AllDirectories))
            {
                Volume a = VolumeFiles.Read(file), b = VolumeFiles.Read(Path.Combine(_temp.File("again"), Path.GetRelativePath(DemoData.Folder, file)));
                Assert.Equal(a.Voxels, b.Voxels);
                Assert.True(a.SameGrid(b));
            }
        }
    }
}
