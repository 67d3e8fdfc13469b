using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Runtime.InteropServices;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Inference;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Tests.Reliability;
using E2ENet.Data.Tests.Support;

namespace E2ENet.Data.Tests.Inference
{
    /// <summary>
    /// <c>--save-probabilities</c>: the probabilities restored plane by plane are written to a .npz that this reader and numpy
    /// read back; their argmax is the restored label map, for every axis order, and outside the crop the background is certain.
    /// </summary>
    public class ProbabilityFileTests : IDisposable
    {
        private const int Classes = 3;
        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        /// <summary>Random per-voxel distributions on the resampled grid, restored plane by plane with a writer; the labels and the file.</summary>
        private (short[] Labels, long[] Shape, float[] Values, CaseGeometry Geometry) Restore(int[] forward, int[] crop, double[] originalSpacing, double[] target, string file)
        {
            double[] spacingPlan = forward.Select(a => originalSpacing[a]).ToArray();
            int[] cropPlan = forward.Select(a => crop[a]).ToArray();
            int[] resampled = Enumerable.Range(0, 3).Select(i => Math.Max(1, (int)Math.Round(spacingPlan[i] / target[i] * cropPlan[i]))).ToArray();
            var geometry = new CaseGeometry(new[] { crop[0] + 3, crop[1] + 2, crop[2] + 4 }, originalSpacing, new[] { 1, 2, 0 }, crop, forward, resampled, target);
            var random = new Random(crop.Sum());
            long area = (long)resampled[1] * resampled[2];
            using var writer = new ProbabilityWriter(file, Classes, geometry);
            var restorer = new PlaneRestorer(Classes, geometry, writer);
            for (int z = 0; z < resampled[0]; z++)
            {
                var plane = new float[Classes * area];
                for (long n = 0; n < area; n++)
                {
                    double[] p = Enumerable.Range(0, Classes).Select(_ => random.NextDouble() + 0.01).ToArray();
                    for (int k = 0; k < Classes; k++) plane[k * area + n] = (float)(p[k] / p.Sum());
                }
                restorer.Add(z, plane);
            }
            short[] labels = restorer.Finish();
            writer.Finish();
            var (shape, values) = ProbabilityFile.Read(file);
            return (labels, shape, values, geometry);
        }

        [Theory]
        [MemberData(nameof(PlaneRestorerTests.Geometries), MemberType = typeof(PlaneRestorerTests))]
        public void The_saved_probabilities_read_back_and_their_argmax_is_the_label_map(int[] forward, int[] crop, double[] originalSpacing, double[] target)
        {
            string file = _temp.File("case.npz");
            var (labels, shape, values, geometry) = Restore(forward, crop, originalSpacing, target, file);
            int[] original = geometry.OriginalShape;
            Assert.Equal(new long[] { Classes, original[0], original[1], original[2] }, shape);
            long voxels = labels.LongLength;
            Assert.Equal(shape.Aggregate(1L, (a, b) => a * b), values.LongLength);
            for (long n = 0; n < voxels; n++)
            {
                int best = 0;
                for (int k = 1; k < Classes; k++) if (values[k * voxels + n] > values[best * voxels + n]) best = k;
                Assert.True(best == labels[n], $"voxel {n}: argmax {best}, label {labels[n]}");
                double sum = Enumerable.Range(0, Classes).Sum(k => values[k * voxels + n]);
                Assert.True(Math.Abs(sum - 1) < 1e-5, $"voxel {n}: the probabilities sum to {sum}");
            }
            // Outside the crop (the first plane along axis 0 here): background with probability 1.
            long plane = (long)original[1] * original[2];
            for (long n = 0; n < plane; n++)
            {
                Assert.Equal(1f, values[n]);
                Assert.Equal(0f, values[voxels + n]);
            }
            Assert.Empty(Directory.GetFiles(_temp.Path, ".e2enet-*")); // the temporary store is gone
        }

        [Fact]
        public void Numpy_reads_the_file_as_nnunet_users_do()
        {
            string file = _temp.File("numpy.npz");
            var (labels, _, values, _) = Restore(new[] { 2, 0, 1 }, new[] { 10, 9, 6 }, new[] { 0.9, 0.9, 4.0 }, new[] { 2.5, 1.2, 1.2 }, file);
            string labelFile = _temp.File("labels.raw");
            File.WriteAllBytes(labelFile, MemoryMarshal.AsBytes(labels.AsSpan()).ToArray());
            var result = PythonOracle.Json(@"
import sys, json, numpy as np
p = np.load(sys.argv[1])['probabilities']
labels = np.fromfile(sys.argv[2], dtype=np.int16).reshape(p.shape[1:])
print(json.dumps({'shape': list(p.shape), 'dtype': str(p.dtype), 'argmax': bool((p.argmax(0) == labels).all()), 'sum': float(p.astype(np.float64).sum())}))
", file, labelFile);
            Assert.Equal(new[] { Classes, 13, 11, 10 }, result.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray());
            Assert.Equal("float32", result.GetProperty("dtype").GetString());
            Assert.True(result.GetProperty("argmax").GetBoolean());
            Assert.Equal(values.Sum(v => (double)v), result.GetProperty("sum").GetDouble(), 3);
        }

        [Fact]
        public void Files_that_are_not_probabilities_are_refused_with_the_reason()
        {
            string garbage = _temp.File("garbage.npz");
            File.WriteAllText(garbage, "not a zip");
            Assert.Equal("E4304", Assert.Throws<DataException>(() => ProbabilityFile.Read(garbage)).Id);

            string other = _temp.File("other.npz");
            using (ZipArchive zip = ZipFile.Open(other, ZipArchiveMode.Create)) zip.CreateEntry("logits.npy");
            var missing = Assert.Throws<DataException>(() => ProbabilityFile.Read(other));
            Assert.Equal("E4304", missing.Id);
            Assert.Contains("'logits.npy'", missing.Message);

            string ints = _temp.File("ints.npz");
            using (ZipArchive zip = ZipFile.Open(ints, ZipArchiveMode.Create))
            using (Stream entry = zip.CreateEntry("probabilities.npy").Open())
            {
                entry.Write(NpyFile.Header("<i4", new long[] { 2, 1, 1, 1 }));
                entry.Write(new byte[8]);
            }
            Assert.Contains("holds <i4", Assert.Throws<DataException>(() => ProbabilityFile.Read(ints)).Message);

            string cut = _temp.File("cut.npz");
            using (ZipArchive zip = ZipFile.Open(cut, ZipArchiveMode.Create))
            using (Stream entry = zip.CreateEntry("probabilities.npy").Open())
            {
                entry.Write(NpyFile.Header("<f4", new long[] { 2, 2, 2, 2 }));
                entry.Write(new byte[12]);
            }
            Assert.Contains("needs 64", Assert.Throws<DataException>(() => ProbabilityFile.Read(cut)).Message);
            Assert.Equal("E4001", Assert.Throws<DataException>(() => ProbabilityFile.Read(_temp.File("absent.npz"))).Id);
            Assert.Equal(Path.Combine("out", "case_1.npz"), ProbabilityFile.PathFor(Path.Combine("out", "case_1.nii.gz")));
        }
    }
}
