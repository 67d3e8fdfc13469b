using System;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Datasets;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Tests.Support;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Tests.Preprocessing
{
    public class PreprocessorTests : IDisposable
    {
        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        [Fact]
        public void Plans_and_preprocesses_the_demo_dataset_then_reuses_the_cache()
        {
            string output = _temp.File("pre");
            PreprocessingResult first = Preprocessor.Run(DemoData.Folder, output, new PreprocessOptions { Workers = 2 });
            Assert.Equal(3, first.Computed.Count);
            Assert.Empty(first.Cached);
            Assert.False(first.FingerprintCached);

            PreprocessingPlan plan = first.Plan;
            Assert.Equal(new[] { ChannelNormalization.ZScore }, plan.Normalization);
            Assert.Equal(new[] { "background", "cerebellum", "thalamus", "basal_ganglia" }, plan.Labels);
            double[] median = Enumerable.Range(0, 3).Select(a => Statistics.Median(first.Fingerprint.Spacings.Select(s => s[a]))).ToArray();
            Assert.Equal(plan.TransposeForward.Select(a => median[a]).ToArray(), plan.TargetSpacing);
            Assert.Equal(Array.IndexOf(median, median.Max()), plan.TransposeForward[0]);
            Assert.True(File.Exists(Path.Combine(output, "plan.json")) && File.Exists(Path.Combine(output, "dataset_fingerprint.json")));

            using (PreprocessedDataset data = PreprocessedDataset.Open(output))
            {
                PreprocessedCase c = data.Case(data.Cases[0].Name);
                float[] image = c.LoadImage();
                short[] label = c.LoadLabel();
                Assert.Subset(new System.Collections.Generic.HashSet<short> { -1, 0, 1, 2, 3 }, label.ToHashSet());
                var inside = image.Where((_, n) => !plan.UseNonzeroMaskForNormalization[0] || label[n] >= 0).ToArray();
                Assert.Equal(0, inside.Average(), 3);
                Assert.Equal(1, Math.Sqrt(inside.Select(v => (double)v * v).Average()), 2);
                Assert.Equal(new[] { 1, 2, 3 }, c.ForegroundLocations.Keys.OrderBy(k => k));
                Assert.All(c.ForegroundLocations, p => Assert.All(p.Value, n => Assert.Equal(p.Key, label[n])));
                // A block that hangs over the edge: zeros (image) and -1 (label) outside.
                var block = new Box3(new Int3(-2, c.Shape.H - 3, 5), new Int3(4, 6, 3));
                var part = new float[block.Size.Volume];
                c.ReadImage(0, block, part);
                for (int a = 0; a < 4; a++) for (int b = 0; b < 6; b++) for (int w = 0; w < 3; w++)
                {
                    int d = a - 2, h = c.Shape.H - 3 + b;
                    float expected = d < 0 || h >= c.Shape.H ? 0 : image[(d * c.Shape.H + h) * c.Shape.W + 5 + w];
                    Assert.Equal(expected, part[(a * 6 + b) * 3 + w]);
                }
            }

            PreprocessingResult second = Preprocessor.Run(DemoData.Folder, output);
            Assert.Empty(second.Computed);
            Assert.Equal(3, second.Cached.Count);
            Assert.True(second.FingerprintCached);
        }

        [Fact]
        public void A_changed_file_redoes_its_case_and_a_changed_plan_redoes_all()
        {
            string root = DemoData.CopyTo(_temp);
            string output = _temp.File("pre");
            Preprocessor.Run(root, output);
            Dataset dataset = Dataset.Open(root);
            File.SetLastWriteTimeUtc(dataset.Training[1].Label!, DateTime.UtcNow.AddMinutes(1));
            PreprocessingResult touched = Preprocessor.Run(root, output);
            Assert.False(touched.FingerprintCached);
            Assert.Equal(new[] { dataset.Training[1].Name }, touched.Computed); // the plan did not change: the others stay

            PreprocessingResult respaced = Preprocessor.Run(root, output, new PreprocessOptions { Plan = new PlanOptions { TargetSpacing = new[] { 4.0, 4.0, 4.0 } } });
            Assert.Equal(3, respaced.Computed.Count);
            Assert.Contains(respaced.Plan.Notes, n => n.Contains("set by the model"));

            // A damaged cache entry is recomputed, never trusted.
            File.WriteAllText(Path.Combine(output, "cases", dataset.Training[0].Name + ".json"), "{ broken");
            PreprocessingResult repaired = Preprocessor.Run(root, output, new PreprocessOptions { Plan = new PlanOptions { TargetSpacing = new[] { 4.0, 4.0, 4.0 } } });
            Assert.Equal(new[] { dataset.Training[0].Name }, repaired.Computed);
        }

        [Fact]
        public void A_model_that_does_not_fit_the_dataset_is_refused()
        {
            var error = Assert.Throws<DataException>(() => Preprocessor.Run(DemoData.Folder, _temp.File("pre"), new PreprocessOptions { Plan = new PlanOptions { Channels = 4, Model = "Brats" } }));
            Assert.Equal("E4116", error.Id);
            Assert.Contains("'Brats' takes 4 input channel(s)", error.Message);
        }

        [Fact]
        public void Restoring_the_preprocessed_label_lands_on_the_original_grid()
        {
            Dataset dataset = Dataset.Open(DemoData.Folder);
            PreprocessingResult result = Preprocessor.Run(DemoData.Folder, _temp.File("pre"), new PreprocessOptions { Plan = new PlanOptions { TargetSpacing = new[] { 2.0, 2.5, 3.5 } } });
            using PreprocessedDataset data = PreprocessedDataset.Open(result.Folder);
            DatasetCase source = dataset.Training[2];
            PreprocessedCase c = data.Case(source.Name);
            short[] label = c.LoadLabel();
            int classes = result.Plan.Classes;
            var oneHot = new float[classes * label.Length];
            for (int n = 0; n < label.Length; n++) oneHot[Math.Max(0, (int)label[n]) * label.Length + n] = 1;
            short[] restored = CasePreprocessor.Restore(oneHot, classes, c.Record.Geometry);
            Volume original = VolumeFiles.Read(source.Label!);
            Assert.Equal(original.Voxels.Length, restored.Length);
            for (int k = 1; k < classes; k++)
            {
                long both = 0, a = 0, b = 0;
                for (int n = 0; n < restored.Length; n++)
                {
                    bool x = restored[n] == k, y = original.Voxels[n] == k;
                    if (x) a++; if (y) b++; if (x && y) both++;
                }
                Assert.True(2.0 * both / (a + b) > 0.75, $"class {k}: Dice {2.0 * both / (a + b)}");
            }
        }
    }
}
