using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Datasets;
using E2ENet.Data.Datasets.Synth;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Tests.Support;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Tests.Datasets
{
    /// <summary>make-synth: distinct subjects from random diffeomorphic deformations of Colin27 + AAL, deterministic, checked.</summary>
    public class SynthDatasetTests : IDisposable
    {
        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        [Fact]
        public void The_synthetic_dataset_passes_the_checker_with_eight_classes_in_every_subject()
        {
            DatasetCheckReport report = DatasetChecker.Check(SynthData.Folder);
            Assert.True(report.IsClean, string.Join("\n", report.Problems));
            DatasetSummary summary = report.Summary!;
            Assert.Equal(10, summary.TrainingCases);
            Assert.Equal(2, summary.TestCases);
            Assert.Equal(SynthClasses.Labels, summary.Classes.Select(c => c.Name));
            Assert.Equal(9, summary.Classes.Count);
            Assert.All(summary.Classes, c => Assert.Equal(10, c.Cases));
            Assert.All(SynthData.Cases, c => Assert.All(c.Info.ClassVoxels, v => Assert.True(v > 0)));
            // Both kinds of image, half each: round(0.5 x 10) training and round(0.5 x 2) test subjects are T1.
            Assert.Equal(5, SynthData.Cases.Count(c => !c.Test && c.Info.Kind == SynthImageKind.T1));
            Assert.Equal(1, SynthData.Cases.Count(c => c.Test && c.Info.Kind == SynthImageKind.T1));
            Assert.True(File.Exists(Path.Combine(SynthData.Folder, "synth.json")));
        }

        [Fact]
        public void Classes_differ_in_size_and_volumes_vary_between_subjects_as_between_people()
        {
            // Counted from the label files themselves, not from what Make reports (which must agree).
            Dataset dataset = Dataset.Open(SynthData.Folder);
            var counts = dataset.Training.Concat(dataset.Test).Select(c =>
            {
                float[] voxels = VolumeFiles.Read(c.Label!).Voxels;
                return Enumerable.Range(1, 8).Select(value => (double)voxels.Count(v => v == value)).ToArray();
            }).ToList();
            Assert.Equal(SynthData.Cases.Select(c => c.Info.ClassVoxels.Select(v => (double)v)), counts);

            var sizes = SynthClassSize.Of(SynthData.Cases.Select(c => c.Info).ToList());
            double smallest = sizes.Min(s => s.MeanMl), largest = sizes.Max(s => s.MeanMl);
            Assert.True(largest > 20 * smallest, $"classes of different sizes: {smallest:0.0} to {largest:0.0} ml");
            Assert.InRange(sizes.Single(s => s.Class.Name == "amygdala").MeanMl, 2, 6);        // small (atlas: 3.7 ml)
            Assert.InRange(sizes.Single(s => s.Class.Name == "cerebellum").MeanMl, 140, 220);  // large (atlas: 178.6 ml)
            // Structure volumes vary between subjects by about 10-20% (coefficient of variation), as between people: no class
            // is near-rigid (voxelization alone gives 2-3%), none wildly deformed, and the mean is in the band (12 subjects:
            // an estimate, so the bands are wider than the population's).
            Assert.All(sizes, s => Assert.InRange(s.CoefficientOfVariation, 0.04, 0.30));
            Assert.InRange(sizes.Average(s => s.CoefficientOfVariation), 0.08, 0.20);
        }

        [Fact]
        public void The_same_seed_gives_the_same_files_for_any_number_of_workers_and_another_seed_other_subjects()
        {
            // "a" reads mricron-data itself; "b" and "c" reuse the atlas loaded once.
            SynthDataset.Make(_temp.File("a"), new SynthDatasetOptions { TrainingCases = 2, TestCases = 1, Spacing = 4, Seed = 21, Workers = 1 });
            SynthDataset.Make(_temp.File("b"), SynthData.Atlas, new SynthDatasetOptions { TrainingCases = 2, TestCases = 1, Spacing = 4, Seed = 21, Workers = 3 });
            SynthDataset.Make(_temp.File("c"), SynthData.Atlas, new SynthDatasetOptions { TrainingCases = 2, TestCases = 1, Spacing = 4, Seed = 22 });
            Dictionary<string, string> a = Hashes(_temp.File("a")), b = Hashes(_temp.File("b")), c = Hashes(_temp.File("c"));
            Assert.Equal(8, a.Count); // dataset.json, synth.json, 3 images, 3 labels
            Assert.Equal(a, b);
            foreach (string file in a.Keys.Where(f => f.Contains("labels", StringComparison.Ordinal) || f.Contains("images", StringComparison.Ordinal)))
                Assert.NotEqual(a[file], c[file]);
            // Subjects differ from each other too, not only between seeds.
            Assert.Equal(a.Count, a.Values.Distinct().Count());
        }

        [Fact]
        public void Deformations_are_diffeomorphic_and_scaling_and_squaring_inverts_with_the_negative_velocity()
        {
            SynthGrid grid = SynthDataset.GridFor(SynthData.Atlas, 2);
            var strong = new SynthDeformationSettings { MinVelocityMm = 3.5, MaxVelocityMm = 3.5 };
            for (int seed = 0; seed < 6; seed++)
            {
                SynthDeformation d = SynthDeformation.Random(grid, Rng.For(seed, 0), strong);
                Assert.True(d.MinJacobian() > 0.1, $"seed {seed}: min Jacobian {d.MinJacobian()}");
            }

            // Scaling and squaring gives the flow of the velocity field: it matches a fine Runge-Kutta integration of
            // dx/dt = v(x) (the same trilinear v) far better than the velocity itself does.
            var shape = new Int3(24, 28, 28);
            var spacing = new Real3(4, 4, 4);
            var rng = Rng.For(3, 1);
            float[][] v = Enumerable.Range(0, 3).Select(_ =>
            {
                var control = new float[5 * 6 * 6];
                for (int n = 0; n < control.Length; n++) control[n] = (float)(2.5 * rng.Normal());
                return Resampler.Resize(control, new Int3(5, 6, 6), shape, Interpolation.Cubic, clip: false);
            }).ToArray();
            float[][] u = SynthDeformation.Integrate(v, shape, spacing, 6);
            double flowError = 0, velocityError = 0;
            int points = 0;
            for (int k = 4; k < 20; k += 4)
                for (int j = 4; j < 24; j += 4)
                    for (int i = 4; i < 24; i += 4, points++)
                    {
                        int n = (k * shape.H + j) * shape.W + i;
                        double[] end = Flow(v, shape, 4, new double[] { i * 4.0, j * 4.0, k * 4.0 });
                        double[] flow = { end[0] - i * 4.0, end[1] - j * 4.0, end[2] - k * 4.0 };
                        flowError += Math.Sqrt(Enumerable.Range(0, 3).Sum(c => (flow[c] - u[c][n]) * (flow[c] - u[c][n])));
                        velocityError += Math.Sqrt(Enumerable.Range(0, 3).Sum(c => (flow[c] - v[c][n]) * (flow[c] - v[c][n])));
                    }
            flowError /= points;
            velocityError /= points;
            Assert.True(velocityError > 0.2, $"a real deformation: the flow is {velocityError:0.000} mm from the velocity on average");
            Assert.True(flowError < 0.2 * velocityError && flowError < 0.1, $"scaling and squaring is {flowError:0.000} mm from the flow on average (the velocity {velocityError:0.000} mm)");

            // exp(v) o exp(-v) is the identity up to interpolation error, far below the displacement itself.
            float[][] minus = v.Select(c => c.Select(x => -x).ToArray()).ToArray();
            float[][] identity = SynthDeformation.Compose(u, SynthDeformation.Integrate(minus, shape, spacing, 6), shape, spacing);
            double largest = u.Max(c => c.Max(Math.Abs));
            double residual = Enumerable.Range(0, (int)shape.Volume).Average(n => Math.Sqrt(identity.Sum(c => c[n] * c[n])));
            Assert.True(largest > 4, $"displacements up to {largest:0.00} mm");
            Assert.True(residual < 0.03 * largest, $"exp(v) o exp(-v) is {residual:0.000} mm from the identity on average (displacements up to {largest:0.00} mm)");
        }

        [Fact]
        public void Subjects_lie_where_their_deformation_maps_the_atlas()
        {
            SynthAtlas atlas = SynthData.Atlas;
            SynthGrid grid = SynthDataset.GridFor(atlas, 4);
            SynthSubject subject = SynthSubject.Make(atlas, grid, SynthImageKind.T1, Rng.For(5, 0, 0), new SynthSubjectSettings());
            Assert.True(subject.Image.SameGrid(subject.Label));
            Assert.Equal(grid.Affine, subject.Label.Affine);
            int agree = 0, total = 0;
            var image = new List<double>();
            var expected = new List<double>();
            for (int n = 0; n < subject.Label.Voxels.Length; n += 7)
            {
                int i = n % grid.Shape.W, j = n / grid.Shape.W % grid.Shape.H, k = n / (grid.Shape.W * grid.Shape.H);
                var (x, y, z) = subject.Label.Affine.Transform(i, j, k);
                var (ax, ay, az) = subject.Deformation.ToAtlas(x, y, z);
                var (ak, aj, ai) = atlas.Index(ax, ay, az);
                long at = atlas.Nearest(ak, aj, ai);
                total++;
                if ((at < 0 ? 0 : atlas.Classes[at]) == subject.Label.Voxels[n]) agree++;
                image.Add(subject.Image.Voxels[n]);
                expected.Add(atlas.T1At(ak, aj, ai));
            }
            Assert.True(agree >= 0.995 * total, $"{agree} of {total} labels are the atlas class at the mapped point");
            Assert.True(Correlation(image, expected) > 0.9, "the T1 image is the deformed Colin27");
            // The deformation moved the atlas: the identity map finds other classes at many voxels.
            int moved = 0;
            for (int n = 0; n < subject.Label.Voxels.Length; n++)
            {
                int i = n % grid.Shape.W, j = n / grid.Shape.W % grid.Shape.H, k = n / (grid.Shape.W * grid.Shape.H);
                var (x, y, z) = grid.Affine.Transform(i, j, k);
                var (ak, aj, ai) = atlas.Index(x, y, z);
                long at = atlas.Nearest(ak, aj, ai);
                if (subject.Label.Voxels[n] > 0 && (at < 0 ? 0 : atlas.Classes[at]) != subject.Label.Voxels[n]) moved++;
            }
            Assert.True(moved > 0.1 * subject.Info.ClassVoxels.Sum(), $"{moved} foreground voxels moved");
        }

        [Fact]
        public void The_inverse_of_an_affine_undoes_it_and_a_singular_one_has_none()
        {
            // Sheared, rotated, anisotropic, with an origin: what the atlas lookup inverts.
            var m = new AffineMatrix(new[] { 0.9, 0.2, -0.1, -90, 0.1, 1.8, 0.3, -125, -0.2, 0.05, 2.5, -71 });
            AffineMatrix inverse = m.Inverse();
            Assert.True(m.Multiply(inverse).ApproximatelyEquals(AffineMatrix.Diagonal(1, 1, 1), 1e-12));
            Assert.True(inverse.Multiply(m).ApproximatelyEquals(AffineMatrix.Diagonal(1, 1, 1), 1e-12));
            var (i, j, k) = inverse.Transform(m.Transform(3, -4, 7).X, m.Transform(3, -4, 7).Y, m.Transform(3, -4, 7).Z);
            Assert.Equal(3, i, 9);
            Assert.Equal(-4, j, 9);
            Assert.Equal(7, k, 9);
            Assert.Throws<InvalidOperationException>(() => new AffineMatrix(new double[] { 1, 2, 3, 0, 2, 4, 6, 0, 0, 0, 1, 0 }).Inverse());
        }

        [Fact]
        public void Label_driven_images_give_each_tissue_a_random_intensity_of_its_own()
        {
            // Two tissues (thalamus and white matter) in halves of a grid; no texture, noise, bias or gamma.
            var grid = new SynthGrid(new Int3(6, 6, 24), 2, 0, 0, 0);
            SynthGrid fine = grid.Refined();
            var generation = new short[fine.Shape.Volume];
            for (int n = 0; n < generation.Length; n++) generation[n] = n % fine.Shape.W < fine.Shape.W / 2 ? (short)77 : SynthAtlas.WhiteMatter;
            var plain = new LabelDrivenImageSettings { MinTextureSd = 0, MaxTextureSd = 0, RegionSd = 0, ThickSliceChance = 0, MaxBiasSd = 0, MaxNoiseSd = 0, GammaLogSd = 0 };
            int brighterThalamus = 0;
            for (int seed = 0; seed < 20; seed++)
            {
                var (image, info) = LabelDrivenImage.Draw(generation, fine, grid, Rng.For(seed, 0), plain);
                Assert.Equal(1.0, info.Gamma);
                Assert.All(info.ResolutionMm, r => Assert.InRange(r, 1, 2.5));
                // Far from the border between the tissues every voxel of a tissue has one value; min-max scaling puts them at 0 and 255.
                double left = image[0], right = image[grid.Shape.W - 1];
                for (int n = 0; n < image.Length; n++)
                {
                    int i = n % grid.Shape.W;
                    if (i <= 5) Assert.Equal(left, image[n]);
                    if (i >= grid.Shape.W - 6) Assert.Equal(right, image[n]);
                }
                Assert.Equal(255, Math.Max(left, right));
                Assert.Equal(0, Math.Min(left, right));
                if (left > right) brighterThalamus++;
            }
            // Contrast is random: either tissue is the brighter one in some subjects.
            Assert.InRange(brighterThalamus, 3, 17);
        }

        [Fact]
        public void Bad_settings_a_used_folder_and_missing_templates_are_clear_errors()
        {
            Assert.Equal("E4202", Assert.Throws<DataException>(() => SynthDataset.Make(_temp.File("x"), new SynthDatasetOptions { TrainingCases = 0 })).Id);
            Assert.Equal("E4202", Assert.Throws<DataException>(() => SynthDataset.Make(_temp.File("x"), new SynthDatasetOptions { Spacing = 0.5 })).Id);
            Assert.Equal("E4202", Assert.Throws<DataException>(() => SynthDataset.Make(_temp.File("x"), new SynthDatasetOptions { T1Share = 1.5 })).Id);

            File.WriteAllText(_temp.File("keep.txt"), "user data");
            Assert.Equal("E4205", Assert.Throws<DataException>(() => SynthDataset.Make(_temp.Path, new SynthDatasetOptions { TrainingCases = 1, TestCases = 0 })).Id);
            Assert.Equal("user data", File.ReadAllText(_temp.File("keep.txt")));

            Directory.CreateDirectory(_temp.File("templates"));
            var missing = Assert.Throws<DataException>(() => SynthDataset.Make(_temp.File("y"), new SynthDatasetOptions { TemplatesFolder = _temp.File("templates") }));
            Assert.Equal("E4001", missing.Id);
            Assert.Contains("ch2.nii.gz", missing.Message);
            Assert.Contains("mricron-data", missing.Message);
        }

        /// <summary>The end point after time 1 of dx/dt = v(x) from <paramref name="start"/> (mm, x y z), RK4 with 100 steps; v trilinear on a grid of <paramref name="spacing"/> mm.</summary>
        private static double[] Flow(float[][] v, Int3 shape, double spacing, double[] start)
        {
            double[] Velocity(double[] p) => Enumerable.Range(0, 3).Select(c => Trilinear(v[c], shape, p[2] / spacing, p[1] / spacing, p[0] / spacing)).ToArray();
            double[] Step(double[] p, double[] d, double h) => new[] { p[0] + h * d[0], p[1] + h * d[1], p[2] + h * d[2] };
            double[] x = (double[])start.Clone();
            const int steps = 100;
            const double dt = 1.0 / steps;
            for (int s = 0; s < steps; s++)
            {
                double[] k1 = Velocity(x), k2 = Velocity(Step(x, k1, dt / 2)), k3 = Velocity(Step(x, k2, dt / 2)), k4 = Velocity(Step(x, k3, dt));
                for (int c = 0; c < 3; c++) x[c] += dt / 6 * (k1[c] + 2 * k2[c] + 2 * k3[c] + k4[c]);
            }
            return x;
        }

        private static double Trilinear(float[] a, Int3 s, double k, double j, double i)
        {
            int k0 = (int)Math.Floor(k), j0 = (int)Math.Floor(j), i0 = (int)Math.Floor(i);
            double sum = 0;
            for (int dk = 0; dk < 2; dk++)
                for (int dj = 0; dj < 2; dj++)
                    for (int di = 0; di < 2; di++)
                    {
                        double w = (dk == 0 ? 1 - (k - k0) : k - k0) * (dj == 0 ? 1 - (j - j0) : j - j0) * (di == 0 ? 1 - (i - i0) : i - i0);
                        int kk = Math.Clamp(k0 + dk, 0, s.D - 1), jj = Math.Clamp(j0 + dj, 0, s.H - 1), ii = Math.Clamp(i0 + di, 0, s.W - 1);
                        sum += w * a[(kk * s.H + jj) * s.W + ii];
                    }
            return sum;
        }

        private static Dictionary<string, string> Hashes(string folder)
            => Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
                        .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

        private static double Correlation(IReadOnlyList<double> a, IReadOnlyList<double> b)
        {
            double ma = a.Average(), mb = b.Average(), ab = 0, aa = 0, bb = 0;
            for (int n = 0; n < a.Count; n++)
            {
                ab += (a[n] - ma) * (b[n] - mb);
                aa += (a[n] - ma) * (a[n] - ma);
                bb += (b[n] - mb) * (b[n] - mb);
            }
            return ab / Math.Sqrt(aa * bb);
        }
    }
}
