using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Evaluation
{
    /// <summary>The metrics of one case.</summary>
    public sealed record CaseEvaluation(string Case, string Prediction, string Reference, IReadOnlyList<ClassMetrics> Classes);

    /// <summary>
    /// Per-class means over the cases (undefined values skipped, as nnU-Net's nanmean; JSON null when no case counted), how
    /// many cases counted and how many were skipped: Dice is skipped where prediction and reference are both empty; HD95
    /// where either is (docs/data.md, "Metrics").
    /// </summary>
    public sealed record ClassSummary(int Label, double Dice, int DiceCases, double Hd95, int Hd95Cases, double SurfaceDice, int SurfaceDiceCases,
        int DiceSkipped, int Hd95Skipped, int SurfaceDiceSkipped);

    /// <summary>The evaluation of a folder of predictions against a folder of references.</summary>
    public sealed record EvaluationReport(double ToleranceMm, IReadOnlyList<int> Labels, IReadOnlyList<CaseEvaluation> Cases, IReadOnlyList<ClassSummary> PerClass,
        double MeanDice, double MeanHd95, double MeanSurfaceDice);

    /// <summary>
    /// Evaluates every prediction file against the reference of the same name (nnU-Net's evaluate_folder): both
    /// folders must hold the same names (E4402), each pair on one grid (E4403), integer labels (E4114).
    /// </summary>
    public static class FolderEvaluation
    {
        /// <summary>Evaluates; <paramref name="labels"/> null: every non-zero value found in references and predictions.</summary>
        public static EvaluationReport Run(string predictionFolder, string referenceFolder, double toleranceMm = 1.0, IReadOnlyList<int>? labels = null,
            int workers = 0, IProgress<DataProgress>? progress = null)
        {
            if (!(toleranceMm >= 0) || double.IsInfinity(toleranceMm)) throw new DataException(DataErrors.InvalidSettings, null, $"tolerance {toleranceMm} mm: give a distance of 0 or more");
            string[] predictions = List(predictionFolder), references = List(referenceFolder);
            var predictionNames = predictions.ToDictionary(f => VolumeFiles.StripExtension(Path.GetFileName(f)), StringComparer.Ordinal);
            var referenceNames = references.ToDictionary(f => VolumeFiles.StripExtension(Path.GetFileName(f)), StringComparer.Ordinal);
            var unpairedPredictions = predictionNames.Keys.Where(k => !referenceNames.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
            var unpairedReferences = referenceNames.Keys.Where(k => !predictionNames.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
            if (unpairedPredictions.Count + unpairedReferences.Count > 0)
            {
                var parts = new List<string>();
                if (unpairedPredictions.Count > 0) parts.Add($"{unpairedPredictions.Count} prediction(s) without reference: {string.Join(", ", unpairedPredictions.Take(10))}{(unpairedPredictions.Count > 10 ? ", ..." : "")}");
                if (unpairedReferences.Count > 0) parts.Add($"{unpairedReferences.Count} reference(s) without prediction: {string.Join(", ", unpairedReferences.Take(10))}{(unpairedReferences.Count > 10 ? ", ..." : "")}");
                throw new DataException(DataErrors.Unpaired, predictionFolder, string.Join("; ", parts));
            }
            var names = predictionNames.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
            var loaded = new (float[] P, float[] R, Volume Ref)[names.Count];
            var found = new SortedSet<int>();
            var results = new CaseEvaluation[names.Count];
            var parallel = new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = workers > 0 ? workers : Environment.ProcessorCount };
            int done = 0;

            // Labels to evaluate, when not given: read everything once (label maps are small), then evaluate.
            IReadOnlyList<int> classes = labels ?? Array.Empty<int>();
            bool discover = labels == null;
            ParallelWork.For(names.Count, parallel, i =>
            {
                string name = names[i];
                Volume prediction = VolumeFiles.Read(predictionNames[name]), reference = VolumeFiles.Read(referenceNames[name]);
                if (!prediction.SameGrid(reference))
                    throw new DataException(DataErrors.GridMismatch, predictionNames[name],
                        $"grid {Describe(prediction)} differs from the reference's {Describe(reference)} ({referenceNames[name]})");
                CheckIntegers(prediction, predictionNames[name]);
                CheckIntegers(reference, referenceNames[name]);
                if (discover)
                {
                    var values = prediction.Voxels.Concat(reference.Voxels).Where(v => v > 0).Select(v => (int)v).ToHashSet();
                    lock (found) found.UnionWith(values);
                }
                loaded[i] = (prediction.Voxels, reference.Voxels, reference);
            });
            if (discover) classes = found.ToList();
            ParallelWork.For(names.Count, parallel, i =>
            {
                var (p, r, reference) = loaded[i];
                results[i] = new CaseEvaluation(names[i], predictionNames[names[i]], referenceNames[names[i]],
                    SegmentationMetrics.Compute(p, r, reference.Shape, reference.Spacing, classes, toleranceMm));
                progress?.Report(new DataProgress("evaluate", Interlocked.Increment(ref done), names.Count, names[i]));
            });

            var perClass = classes.Select((label, index) =>
            {
                var metrics = results.Select(c => c.Classes[index]).ToList();
                var (dice, diceCount) = NanMean(metrics.Select(m => m.Dice));
                var (hd, hdCount) = NanMean(metrics.Select(m => m.Hd95));
                var (nsd, nsdCount) = NanMean(metrics.Select(m => m.SurfaceDice));
                return new ClassSummary(label, dice, diceCount, hd, hdCount, nsd, nsdCount,
                    metrics.Count - diceCount, metrics.Count - hdCount, metrics.Count - nsdCount);
            }).ToList();
            return new EvaluationReport(toleranceMm, classes, results, perClass,
                NanMean(perClass.Select(c => c.Dice)).Mean, NanMean(perClass.Select(c => c.Hd95)).Mean, NanMean(perClass.Select(c => c.SurfaceDice)).Mean);
        }

        private static (double Mean, int Count) NanMean(IEnumerable<double> values)
        {
            var list = values.Where(v => !double.IsNaN(v)).ToList();
            return (list.Count > 0 ? list.Average() : double.NaN, list.Count);
        }

        private static void CheckIntegers(Volume volume, string path)
        {
            for (long n = 0; n < volume.Voxels.LongLength; n++)
            {
                float v = volume.Voxels[n];
                if (v < 0 || v != Math.Floor(v))
                    throw new DataException(DataErrors.NonIntegerLabel, path, $"voxel {n} holds {v.ToString(System.Globalization.CultureInfo.InvariantCulture)}; a label map holds whole numbers 0, 1, 2, ...");
            }
        }

        private static string Describe(Volume v) => $"{Datasets.DatasetChecker.ShapeText(v.Shape)} at {Datasets.DatasetChecker.SpacingText(v.Spacing)} mm, affine {v.Affine}";

        private static string[] List(string folder)
        {
            if (!Directory.Exists(folder)) throw new DataException(DataErrors.EvaluationFolder, folder, File.Exists(folder) ? "is a file; give a folder" : "no such folder");
            string[] files = Directory.GetFiles(folder).Where(f => VolumeFiles.IsVolumeFile(f) && !Path.GetFileName(f).StartsWith(".", StringComparison.Ordinal)).OrderBy(f => f, StringComparer.Ordinal).ToArray();
            if (files.Length == 0) throw new DataException(DataErrors.EvaluationFolder, folder, "holds no .nii or .nii.gz file");
            return files;
        }
    }
}
