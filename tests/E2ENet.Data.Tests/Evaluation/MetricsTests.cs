using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Evaluation;
using E2ENet.Data.Tests.Support;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Tests.Evaluation
{
    public class MetricsTests : IDisposable
    {
        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        private static float[] Blobs(Int3 shape, int seed, double radius)
        {
            var rng = new Rng((ulong)seed);
            var values = new float[shape.Volume];
            for (int blob = 0; blob < 3; blob++)
            {
                double cd = rng.Uniform(0, shape.D), ch = rng.Uniform(0, shape.H), cw = rng.Uniform(0, shape.W);
                for (int a = 0; a < shape.D; a++) for (int b = 0; b < shape.H; b++) for (int c = 0; c < shape.W; c++)
                    if ((a - cd) * (a - cd) * 4 + (b - ch) * (b - ch) + (c - cw) * (c - cw) < radius * radius)
                        values[(a * shape.H + b) * shape.W + c] = 1 + blob % 2;
            }
            return values;
        }

        /// <summary>scipy (MedPy's algorithm: border = mask XOR erosion, distances by distance_transform_edt with sampling) as the oracle.</summary>
        private JsonElement Scipy(float[] p, float[] r, Int3 shape, Real3 spacing, int label, double tolerance)
        {
            string pf = _temp.File("p.raw"), rf = _temp.File("r.raw");
            File.WriteAllBytes(pf, MemoryMarshal.AsBytes(p.AsSpan()).ToArray());
            File.WriteAllBytes(rf, MemoryMarshal.AsBytes(r.AsSpan()).ToArray());
            return PythonOracle.Json(@"
import sys, json, numpy as np
from scipy import ndimage
s = tuple(int(v) for v in sys.argv[3].split(',')); sp = [float(v) for v in sys.argv[4].split(',')]; lab = int(sys.argv[5]); tol = float(sys.argv[6])
p = np.fromfile(sys.argv[1], dtype=np.float32).reshape(s) == lab; r = np.fromfile(sys.argv[2], dtype=np.float32).reshape(s) == lab
fp = ndimage.generate_binary_structure(3, 1)
pb = p ^ ndimage.binary_erosion(p, structure=fp, iterations=1); rb = r ^ ndimage.binary_erosion(r, structure=fp, iterations=1)
dr = ndimage.distance_transform_edt(~rb, sampling=sp); dp = ndimage.distance_transform_edt(~pb, sampling=sp)
a = dr[pb]; b = dp[rb]
print(json.dumps({'dice': 2 * (p & r).sum() / (p.sum() + r.sum()), 'hd95': float(np.percentile(np.hstack((a, b)), 95)),
  'nsd': float(((a <= tol).sum() + (b <= tol).sum()) / (len(a) + len(b))), 'edt_max': float(dr.max())}))
", pf, rf, $"{shape.D},{shape.H},{shape.W}", $"{spacing.D},{spacing.H},{spacing.W}", label.ToString(), tolerance.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        public void Dice_hd95_and_surface_dice_match_scipy_with_anisotropic_spacing(int label)
        {
            var shape = new Int3(14, 30, 27);
            var spacing = new Real3(2.5, 0.8, 1.1);
            float[] reference = Blobs(shape, 1, 8), prediction = Blobs(shape, 2, 9);
            for (int n = 0; n < reference.Length; n += 7) if (reference[n] > 0) prediction[n] = reference[n];
            ClassMetrics ours = SegmentationMetrics.ForClass(prediction, reference, shape, spacing, label, 2.0);
            JsonElement expected = Scipy(prediction, reference, shape, spacing, label, 2.0);
            Assert.Equal(expected.GetProperty("dice").GetDouble(), ours.Dice, 10);
            Assert.Equal(expected.GetProperty("hd95").GetDouble(), ours.Hd95, 6);
            Assert.Equal(expected.GetProperty("nsd").GetDouble(), ours.SurfaceDice, 10);
        }

        [Fact]
        public void Distance_transform_is_exact()
        {
            var shape = new Int3(5, 6, 7);
            var features = new bool[shape.Volume];
            features[(1 * 6 + 2) * 7 + 3] = true;
            features[(4 * 6 + 5) * 7 + 0] = true;
            var spacing = new Real3(3, 1, 0.5);
            double[] d = DistanceTransform.Compute(features, shape, spacing);
            for (int a = 0; a < 5; a++) for (int b = 0; b < 6; b++) for (int c = 0; c < 7; c++)
            {
                double d1 = Math.Sqrt(Math.Pow(3 * (a - 1), 2) + Math.Pow(b - 2, 2) + Math.Pow(0.5 * (c - 3), 2));
                double d2 = Math.Sqrt(Math.Pow(3 * (a - 4), 2) + Math.Pow(b - 5, 2) + Math.Pow(0.5 * c, 2));
                Assert.Equal(Math.Min(d1, d2), d[(a * 6 + b) * 7 + c], 10);
            }
            Assert.All(DistanceTransform.Compute(new bool[8], new Int3(2, 2, 2), Real3.All(1)), v => Assert.True(double.IsPositiveInfinity(v)));
        }

        [Fact]
        public void Empty_cases_follow_nnunet()
        {
            var shape = new Int3(4, 4, 4);
            var empty = new float[64];
            var some = new float[64];
            some[21] = 1;
            ClassMetrics both = SegmentationMetrics.ForClass(empty, empty, shape, Real3.All(1), 1, 1);
            Assert.True(double.IsNaN(both.Dice) && double.IsNaN(both.Hd95) && double.IsNaN(both.SurfaceDice));
            ClassMetrics missed = SegmentationMetrics.ForClass(empty, some, shape, Real3.All(1), 1, 1);
            Assert.Equal(0, missed.Dice);
            Assert.True(double.IsNaN(missed.Hd95));
            Assert.Equal(0, missed.SurfaceDice);
            ClassMetrics perfect = SegmentationMetrics.ForClass(some, some, shape, Real3.All(1), 1, 1);
            Assert.Equal(1, perfect.Dice);
            Assert.Equal(0, perfect.Hd95);
            Assert.Equal(1, perfect.SurfaceDice);
        }

        [Fact]
        public void Folder_evaluation_of_the_demo_labels_against_themselves_and_a_shifted_copy()
        {
            string refs = Path.Combine(DemoData.Folder, "labelsTr");
            string preds = _temp.File("pred");
            Directory.CreateDirectory(preds);
            foreach (string file in Directory.GetFiles(refs))
            {
                Volume v = VolumeFiles.Read(file);
                float[] moved = new float[v.Voxels.Length];
                Array.Copy(v.Voxels, 1, moved, 0, v.Voxels.Length - 1); // one voxel along i
                VolumeFiles.Write(Path.Combine(preds, Path.GetFileName(file)), v.WithVoxels(moved, VoxelType.UInt8), VoxelType.UInt8);
            }
            EvaluationReport self = FolderEvaluation.Run(refs, refs);
            Assert.Equal(new[] { 1, 2, 3 }, self.Labels);
            Assert.All(self.PerClass, c => { Assert.Equal(1, c.Dice); Assert.Equal(0, c.Hd95); Assert.Equal(1, c.SurfaceDice); Assert.Equal(3, c.DiceCases); });

            EvaluationReport shifted = FolderEvaluation.Run(preds, refs, toleranceMm: 3.5);
            Assert.All(shifted.PerClass, c => { Assert.InRange(c.Dice, 0.3, 0.999); Assert.InRange(c.Hd95, 0.1, 10); Assert.Equal(1, c.SurfaceDice); });
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void A_class_missing_from_the_prediction_or_the_reference_gives_null_hd95_counted_as_skipped(bool missingFromPrediction)
        {
            // Class 3 is removed from every prediction (or every reference): its HD95 is undefined in each case, the summary
            // counts the skipped cases, and the JSON (as the training's final validation writes it) holds null, never NaN.
            string labels = Path.Combine(DemoData.Folder, "labelsTr");
            string preds = _temp.File("pred");
            string refs = _temp.File("ref");
            Directory.CreateDirectory(preds);
            Directory.CreateDirectory(refs);
            foreach (string file in Directory.GetFiles(labels))
            {
                Volume v = VolumeFiles.Read(file);
                float[] without = v.Voxels.Select(x => x == 3 ? 0f : x).ToArray();
                VolumeFiles.Write(Path.Combine(missingFromPrediction ? preds : refs, Path.GetFileName(file)), v.WithVoxels(without, VoxelType.UInt8), VoxelType.UInt8);
                File.Copy(file, Path.Combine(missingFromPrediction ? refs : preds, Path.GetFileName(file)));
            }
            EvaluationReport report = FolderEvaluation.Run(preds, refs, labels: new[] { 1, 2, 3 });
            ClassSummary three = report.PerClass.Single(c => c.Label == 3);
            int cases = report.Cases.Count;
            Assert.True(double.IsNaN(three.Hd95));
            Assert.Equal(0, three.Hd95Cases);
            Assert.Equal(cases, three.Hd95Skipped);
            Assert.Equal(0, three.Dice); // one mask empty, the other not: Dice 0, counted
            Assert.Equal(cases, three.DiceCases);
            Assert.Equal(0, three.DiceSkipped);
            Assert.All(report.PerClass.Where(c => c.Label != 3), c => Assert.Equal(0, c.Hd95Skipped));

            string json = E2ENet.Data.Preprocessing.DataJson.Serialize(report);
            Assert.DoesNotContain("NaN", json);
            Assert.DoesNotContain("Infinity", json);
            using var parsed = System.Text.Json.JsonDocument.Parse(json);
            var perClass = parsed.RootElement.GetProperty("perClass").EnumerateArray().Single(c => c.GetProperty("label").GetInt32() == 3);
            Assert.Equal(System.Text.Json.JsonValueKind.Null, perClass.GetProperty("hd95").ValueKind);
            Assert.Equal(cases, perClass.GetProperty("hd95Skipped").GetInt32());
        }

        [Fact]
        public void Unpaired_files_and_grid_mismatches_are_errors()
        {
            string refs = Path.Combine(DemoData.Folder, "labelsTr");
            string preds = _temp.File("pred");
            Directory.CreateDirectory(preds);
            string first = Directory.GetFiles(refs).First();
            File.Copy(first, Path.Combine(preds, Path.GetFileName(first)));
            var unpaired = Assert.Throws<DataException>(() => FolderEvaluation.Run(preds, refs));
            Assert.Equal("E4402", unpaired.Id);
            Assert.Contains("2 reference(s) without prediction", unpaired.Message);

            string refs2 = _temp.File("ref");
            Directory.CreateDirectory(refs2);
            Volume v = VolumeFiles.Read(first);
            VolumeFiles.Write(Path.Combine(refs2, Path.GetFileName(first)), new Volume(v.Shape, v.Voxels, new Real3(v.Spacing.D, v.Spacing.H, v.Spacing.W * 2), v.Affine), VoxelType.UInt8);
            Assert.Equal("E4403", Assert.Throws<DataException>(() => FolderEvaluation.Run(preds, refs2)).Id);
            Assert.Equal("E4401", Assert.Throws<DataException>(() => FolderEvaluation.Run(_temp.File("none"), refs)).Id);
        }
    }
}
