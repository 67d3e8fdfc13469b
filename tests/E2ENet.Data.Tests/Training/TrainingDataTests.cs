using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Compiler;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Tests.Support;
using E2ENet.Data.Training;
using E2ENet.Data.Training.Augmentations;
using E2ENet.Tests;

namespace E2ENet.Data.Tests.Training
{
    public class TrainingDataTests : IDisposable
    {
        private readonly TempDirectory _temp = new TempDirectory();
        private readonly PreprocessedDataset _data;
        private readonly IReadOnlyList<string> _cases;

        public TrainingDataTests()
        {
            string raw = SyntheticDataset.Make(_temp.File("raw"));
            Preprocessor.Run(raw, _temp.File("pre"), new PreprocessOptions { Workers = 1 });
            _data = PreprocessedDataset.Open(_temp.File("pre"));
            _cases = _data.Cases.Select(c => c.Name).ToList();
        }

        public void Dispose()
        {
            _data.Dispose();
            _temp.Dispose();
        }

        private static AugmentSpec Only(string name, double p = 1)
        {
            AugmentSpec none = TrainingDataOptions.None, all = TrainingDataOptions.Defaults;
            AugmentationSpec On(AugmentationSpec s) => s with { Probability = p };
            return name switch
            {
                "rotation" => none with { Rotation = On(all.Rotation) },
                "scaling" => none with { Scaling = On(all.Scaling) },
                "noise" => none with { Noise = On(all.Noise) },
                "blur" => none with { Blur = On(all.Blur) },
                "brightness" => none with { Brightness = On(all.Brightness) },
                "contrast" => none with { Contrast = On(all.Contrast) },
                "low_resolution" => none with { LowResolution = On(all.LowResolution) },
                "gamma" => none with { Gamma = On(all.Gamma) },
                "mirror" => none with { MirrorProbability = p, MirrorAxes = all.MirrorAxes },
                "none" => none,
                _ => throw new ArgumentException(name),
            };
        }

        private TrainingDataOptions Options(AugmentSpec augment, long seed = 7) => new TrainingDataOptions
        {
            Patch = new Int3(16, 24, 24), Batch = 2, Augment = augment, Seed = seed, Workers = 1,
            TargetSizes = new[] { new Int3(16, 24, 24), new Int3(8, 12, 12), new Int3(4, 6, 6) },
        };

        /// <summary>The normalized image value of label k: the synthetic image is 100 + 50 k before z-scoring.</summary>
        private double[] LabelValues()
        {
            PreprocessedCase c = _data.Case(_cases[0]);
            float[] image = c.LoadImage();
            short[] label = c.LoadLabel();
            return Enumerable.Range(0, 3).Select(k => (double)image.Where((_, n) => label[n] == k).Average()).ToArray();
        }

        [Theory]
        [InlineData(2, 0.33, new[] { false, true })]
        [InlineData(3, 0.33, new[] { false, false, true })]
        [InlineData(1, 0.33, new[] { false })]
        [InlineData(4, 0.5, new[] { false, false, true, true })]
        [InlineData(2, 1.0, new[] { true, true })]
        public void Oversampling_forces_the_last_samples_of_a_batch(int batch, double share, bool[] expected)
            => Assert.Equal(expected, Enumerable.Range(0, batch).Select(i => PatchSampler.ForceForeground(i, batch, share)));

        [Fact]
        public void Forced_samples_contain_foreground()
        {
            var all = new TrainingDataOptions { Patch = new Int3(8, 8, 8), Batch = 4, Oversample = 1, Augment = TrainingDataOptions.None, Seed = 3, Workers = 1 };
            for (long i = 0; i < 10; i++)
            {
                TrainingBatch batch = BatchLoader.Build(_data, _cases, all, i);
                for (int b = 0; b < 4; b++)
                {
                    Assert.True(batch.Choices[b].ForcedForeground);
                    Assert.Contains(batch.Targets[0].Skip(b * 512).Take(512), v => v == batch.Choices[b].ForegroundClass);
                }
            }
        }

        [Theory]
        [InlineData("none")]
        [InlineData("rotation")]
        [InlineData("scaling")]
        [InlineData("mirror")]
        public void Spatial_augmentations_keep_labels_labels_and_image_aligned_with_label(string name)
        {
            double[] values = LabelValues();
            TrainingDataOptions options = Options(Only(name));
            int checkedVoxels = 0;
            for (long i = 0; i < 6; i++)
            {
                TrainingBatch batch = BatchLoader.Build(_data, _cases, options, i);
                Assert.All(batch.Targets, t => Assert.All(t, v => Assert.InRange(v, (short)0, (short)2)));
                int voxels = (int)options.Patch.Volume;
                for (int n = 0; n < batch.Images.Length; n++)
                {
                    int k = batch.Targets[0][n];
                    int offset = n % voxels, a = offset / (24 * 24), b = offset / 24 % 24, c = offset % 24;
                    if (!Interior(batch.Targets[0], n - offset, a, b, c)) continue;
                    Assert.True(Math.Abs(batch.Images[n] - values[k]) < 0.25 * Math.Abs(values[1] - values[0]), $"{name}: label {k} with image {batch.Images[n]} (expected {values[k]})");
                    checkedVoxels++;
                }
            }
            Assert.True(checkedVoxels > 500, checkedVoxels + " voxels checked");
        }

        /// <summary>
        /// True when every voxel within 3 of this one (inside the patch) has its label: away from label edges, where cubic
        /// interpolation rings (by up to about 12% of the step, over about two source voxels, as scipy's order 3 does).
        /// </summary>
        private static bool Interior(short[] label, int start, int a, int b, int c)
        {
            const int r = 3;
            if (a < r || b < r || c < r || a > 15 - r || b > 23 - r || c > 23 - r) return false;
            short k = label[start + (a * 24 + b) * 24 + c];
            for (int x = -r; x <= r; x++) for (int y = -r; y <= r; y++) for (int z = -r; z <= r; z++)
                if (label[start + ((a + x) * 24 + b + y) * 24 + c + z] != k) return false;
            return true;
        }

        [Theory]
        [InlineData("noise")]
        [InlineData("blur")]
        [InlineData("brightness")]
        [InlineData("contrast")]
        [InlineData("low_resolution")]
        [InlineData("gamma")]
        public void Intensity_augmentations_change_the_image_and_never_the_label(string name)
        {
            TrainingDataOptions plain = Options(Only("none")), augmented = Options(Only(name));
            bool changed = false;
            for (long i = 0; i < 4; i++)
            {
                TrainingBatch a = BatchLoader.Build(_data, _cases, plain, i), b = BatchLoader.Build(_data, _cases, augmented, i);
                Assert.Equal(a.Choices.Select(c => c.Case), b.Choices.Select(c => c.Case));
                for (int k = 0; k < a.Targets.Count; k++) Assert.Equal(a.Targets[k], b.Targets[k]);
                changed |= !a.Images.SequenceEqual(b.Images);
                Assert.All(b.Images, v => Assert.True(float.IsFinite(v)));
            }
            Assert.True(changed, name + " never changed the image");
        }

        [Fact]
        public void Each_augmentation_is_switched_by_its_probability()
        {
            var applied = new List<string>();
            TrainingDataOptions options = Options(Only("gamma", 0));
            var rng = new Rng(1);
            var choice = PatchSampler.Choose(_data, _cases, options.Patch, false, rng);
            AugmentationPipeline.Run(_data, choice, Options(Only("none")), rng, applied);
            Assert.Empty(applied);
            AugmentationPipeline.Run(_data, choice, Options(Only("gamma")), rng, applied);
            Assert.Equal(new[] { "gamma" }, applied);
            applied.Clear();
            AugmentationPipeline.Run(_data, choice, Options(Only("noise")), rng, applied);
            Assert.Equal(new[] { "noise" }, applied);
        }

        [Fact]
        public void A_models_training_section_switches_augmentations()
        {
            var compilation = E2ECompilation.FromFiles(new[] { TestPaths.Repo("models", "amos-ct.e2e") }, new[] { "training.augment.gamma=off", "input.patch=[32,64,64]", "training.batch=3" });
            CompiledModel model = compilation.Find("AmosCt")!;
            TrainingDataOptions options = TrainingDataOptions.FromModel(model.Spec!, model.Network!);
            Assert.Equal(0, options.Augment.Gamma.Probability);
            Assert.Equal(0.2, options.Augment.Rotation.Probability);
            Assert.Equal(3, options.Batch);
            Assert.Equal(new Int3(32, 64, 64), options.Patch);
            Assert.Equal(new[] { new Int3(32, 64, 64), new Int3(16, 32, 32), new Int3(8, 16, 16), new Int3(4, 8, 8) }, options.TargetSizes);
        }

        [Fact]
        public void Deep_supervision_targets_are_nearest_downsamplings()
        {
            TrainingBatch batch = BatchLoader.Build(_data, _cases, Options(TrainingDataOptions.Defaults), 0);
            Assert.Equal(3, batch.Targets.Count);
            for (int b = 0; b < 2; b++)
            {
                short[] full = batch.Targets[0].Skip(b * 16 * 24 * 24).Take(16 * 24 * 24).ToArray();
                short[] half = batch.Targets[1].Skip(b * 8 * 12 * 12).Take(8 * 12 * 12).ToArray();
                for (int a = 0; a < 8; a++) for (int h = 0; h < 12; h++) for (int w = 0; w < 12; w++)
                    Assert.Equal(full[((2 * a + 1) * 24 + 2 * h + 1) * 24 + 2 * w + 1], half[(a * 12 + h) * 12 + w]);
            }
            using var images = batch.ImageTensor();
            Assert.Equal(new long[] { 2, 1, 16, 24, 24 }, images.shape);
            var targets = batch.TargetTensors();
            Assert.Equal(new long[] { 2, 1, 4, 6, 6 }, targets[2].shape);
            foreach (var t in targets) t.Dispose();
        }

        [Fact]
        public void Batches_are_the_same_whatever_the_workers_and_change_with_the_seed()
        {
            TrainingDataOptions one = Options(TrainingDataOptions.Defaults) , three = Options(TrainingDataOptions.Defaults);
            three = new TrainingDataOptions { Patch = one.Patch, Batch = one.Batch, Augment = one.Augment, Seed = one.Seed, TargetSizes = one.TargetSizes, Workers = 3, Prefetch = 2 };
            using (var a = new BatchLoader(_data, _cases, one))
            using (var b = new BatchLoader(_data, _cases, three))
                for (int i = 0; i < 6; i++)
                {
                    TrainingBatch x = a.Next(), y = b.Next();
                    Assert.Equal(i, x.Index);
                    Assert.Equal(x.Images, y.Images);
                    Assert.Equal(x.Targets[0], y.Targets[0]);
                }
            using (var c = new BatchLoader(_data, _cases, Options(TrainingDataOptions.Defaults, seed: 8)))
            using (var d = new BatchLoader(_data, _cases, one, startBatch: 3))
            {
                Assert.NotEqual(BatchLoader.Build(_data, _cases, one, 0).Images, c.Next().Images);
                Assert.Equal(BatchLoader.Build(_data, _cases, one, 3).Images, d.Next().Images); // resuming continues the same stream
            }
        }

        [Fact]
        public void A_failing_worker_stops_the_loader_with_its_error_and_dispose_is_clean()
        {
            string plan = Path.Combine(_data.Folder, "plan.json");
            File.WriteAllText(plan, File.ReadAllText(plan).Replace("\"useNonzeroMaskForNormalization\": [\n    false\n  ]", "\"useNonzeroMaskForNormalization\": []"));
            using var broken = PreprocessedDataset.Open(_data.Folder);
            var loader = new BatchLoader(broken, _cases, new TrainingDataOptions { Patch = new Int3(8, 8, 8), Workers = 2, Augment = TrainingDataOptions.None });
            var error = Assert.Throws<DataException>(() => loader.Next());
            Assert.Equal("E4203", error.Id);
            Assert.NotNull(error.InnerException);
            Assert.Equal("E4203", Assert.Throws<DataException>(() => loader.Next()).Id);
            loader.Dispose();
            Assert.Throws<ObjectDisposedException>(() => loader.Next());

            // A healthy loader disposed while its workers are busy stops promptly.
            var busy = new BatchLoader(_data, _cases, new TrainingDataOptions { Patch = new Int3(16, 24, 24), Workers = 2, Prefetch = 8 });
            busy.Next();
            busy.Dispose();
        }

        [Fact]
        public void Cross_validation_folds_partition_the_cases_and_persist()
        {
            var cases = Enumerable.Range(1, 8).Select(i => "case_" + i).ToList();
            string splits = _temp.File("splits_final.json");
            var folds = CrossValidation.Folds(cases, 5, splits);
            Assert.Equal(new[] { 2, 2, 2, 1, 1 }, folds.Select(f => f.Validation.Count));
            Assert.Equal(cases.OrderBy(c => c), folds.SelectMany(f => f.Validation).OrderBy(c => c));
            Assert.All(folds, f => Assert.Empty(f.Train.Intersect(f.Validation)));
            Assert.True(File.Exists(splits));
            var again = CrossValidation.Folds(cases, 3, splits); // the file wins
            Assert.Equal(folds.Select(f => f.Validation), again.Select(f => f.Validation));
            Assert.Equal("E4204", Assert.Throws<DataException>(() => CrossValidation.Folds(cases.Take(4).ToList(), 5, splits)).Id);
        }

        [Fact]
        public void Mirror_flips_exactly()
        {
            var shape = new Int3(2, 3, 4);
            int[] data = Enumerable.Range(0, 24).ToArray();
            Mirror.Flip<int>(data, shape, 2);
            Assert.Equal(new[] { 3, 2, 1, 0 }, data.Take(4));
            Mirror.Flip<int>(data, shape, 2);
            Mirror.Flip<int>(data, shape, 0);
            Assert.Equal(12, data[0]);
        }
    }
}
