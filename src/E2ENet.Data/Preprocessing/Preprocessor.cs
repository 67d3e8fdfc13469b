using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using E2ENet.Data.Datasets;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Preprocessing
{
    /// <summary>Settings of <see cref="Preprocessor.Run"/>.</summary>
    public sealed class PreprocessOptions
    {
        /// <summary>What the model imposes on the plan.</summary>
        public PlanOptions Plan { get; init; } = new PlanOptions();

        /// <summary>Cases processed at once (0: one per processor).</summary>
        public int Workers { get; init; }

        /// <summary>Progress, one report per case.</summary>
        public IProgress<DataProgress>? Progress { get; init; }

        /// <summary>Stops the run (what is written stays valid).</summary>
        public CancellationToken Cancellation { get; init; }
    }

    /// <summary>What <see cref="Preprocessor.Run"/> did.</summary>
    public sealed record PreprocessingResult(string Folder, DatasetFingerprint Fingerprint, PreprocessingPlan Plan, bool FingerprintCached,
        IReadOnlyList<string> Computed, IReadOnlyList<string> Cached);

    /// <summary>
    /// Plans and preprocesses a dataset's training cases into a folder, with a cache:
    /// <code>
    /// OUT/dataset_fingerprint.json   spacings, shapes after cropping, foreground intensities (nnU-Net's fingerprint)
    /// OUT/plan.json                  axis order, target spacing, normalization per channel
    /// OUT/cases/NAME.npy             image, float32 (C, D, H, W)
    /// OUT/cases/NAME_seg.npy         label, int16 (D, H, W): 0..K-1, -1 outside the non-zero region
    /// OUT/cases/NAME_locations.npy   int32 (N, 2): (class, linear index) foreground samples for oversampling
    /// OUT/cases/NAME.json            geometry and the cache key (written last)
    /// </code>
    /// The fingerprint is keyed by the input files (path, size, modification time) and the pipeline version; each case by
    /// its files and the plan. A second run with the same inputs and settings reads nothing but the keys; changing a
    /// file redoes that case (and the fingerprint, hence the plan when it changes); changing the plan redoes every case.
    /// Every file is written atomically, so an interrupted run leaves valid files and resumes where it stopped.
    /// </summary>
    public static class Preprocessor
    {
        /// <summary>Runs (or reuses) fingerprint, plan and every training case.</summary>
        public static PreprocessingResult Run(string datasetRoot, string outputFolder, PreprocessOptions? options = null)
        {
            options ??= new PreprocessOptions();
            Dataset dataset = Dataset.Open(datasetRoot);
            Directory.CreateDirectory(Path.Combine(outputFolder, "cases"));
            int workers = options.Workers > 0 ? options.Workers : Environment.ProcessorCount;
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = options.Cancellation };

            // Fingerprint.
            var caseKeys = dataset.Training.ToDictionary(c => c.Name, c => InputKey(c));
            string inputKey = Hash("fingerprint v" + Planner.PipelineVersion + "\n" + string.Join("\n", dataset.Training.Select(c => c.Name + " " + caseKeys[c.Name])));
            string fingerprintPath = Path.Combine(outputFolder, "dataset_fingerprint.json");
            DatasetFingerprint? fingerprint = null;
            if (File.Exists(fingerprintPath))
            {
                try
                {
                    fingerprint = DataJson.Read<DatasetFingerprint>(fingerprintPath);
                    if (fingerprint.InputKey != inputKey) fingerprint = null;
                }
                catch (DataException) { fingerprint = null; } // a damaged cache is recomputed, never trusted
            }
            bool fingerprintCached = fingerprint != null;
            if (fingerprint == null)
            {
                fingerprint = Fingerprint(dataset, inputKey, parallel, options.Progress);
                AtomicFile.WriteText(fingerprintPath, DataJson.Serialize(fingerprint));
            }

            // Plan.
            PreprocessingPlan plan = Planner.Plan(fingerprint, dataset.Json, options.Plan);
            string planText = DataJson.Serialize(plan);
            string planPath = Path.Combine(outputFolder, "plan.json");
            if (!File.Exists(planPath) || File.ReadAllText(planPath) != planText) AtomicFile.WriteText(planPath, planText);

            // Cases.
            var computed = new List<string>();
            var cached = new List<string>();
            int done = 0;
            ParallelWork.ForEach(dataset.Training, parallel, @case =>
            {
                string key = Hash(planText + "\n" + caseKeys[@case.Name]);
                bool hit = IsCached(outputFolder, @case.Name, key);
                if (!hit) PreprocessCase(@case, plan, key, outputFolder);
                lock (computed) (hit ? cached : computed).Add(@case.Name);
                options.Progress?.Report(new DataProgress("preprocess", Interlocked.Increment(ref done), dataset.Training.Count, @case.Name, hit ? "cached" : null));
            });
            RemoveStale(outputFolder, dataset.Training.Select(c => c.Name).ToHashSet(StringComparer.Ordinal));
            computed.Sort(StringComparer.Ordinal);
            cached.Sort(StringComparer.Ordinal);
            return new PreprocessingResult(outputFolder, fingerprint, plan, fingerprintCached, computed, cached);
        }

        /// <summary>Computes the fingerprint of the training cases.</summary>
        public static DatasetFingerprint Fingerprint(Dataset dataset, string inputKey, ParallelOptions parallel, IProgress<DataProgress>? progress = null)
        {
            int count = dataset.Training.Count;
            var spacings = new double[count][];
            var shapes = new int[count][];
            var reductions = new double[count];
            var samples = new float[count][][];
            long budget = Math.Max(1000, DatasetChecker.ForegroundSampleBudget / Math.Max(1, count));
            int done = 0;
            ParallelWork.For(count, parallel, index =>
            {
                DatasetCase @case = dataset.Training[index];
                var channels = @case.Images.Select(VolumeFiles.Read).ToList();
                Volume label = VolumeFiles.Read(@case.Label!);
                var problems = new List<DatasetProblem>();
                for (int c = 1; c < channels.Count; c++) DatasetChecker.CompareGrid(channels[0], @case.Images[0], channels[c], @case.Images[c], problems);
                DatasetChecker.CompareGrid(channels[0], @case.Images[0], label, @case.Label!, problems);
                if (problems.Count > 0) throw problems[0].ToException();
                var shape = channels[0].Shape;
                bool[] mask = VolumeOps.NonzeroMask(channels.Select(v => v.Voxels).ToList(), shape);
                Box3 box = VolumeOps.BoundingBox(mask, shape);
                float[] labels = VolumeOps.Crop(label.Voxels, shape, box);
                long foreground = labels.LongLength(v => v > 0);
                samples[index] = channels.Select(v => Statistics.SampleWhere(VolumeOps.Crop(v.Voxels, shape, box), n => labels[n] > 0, foreground, budget)).ToArray();
                spacings[index] = channels[0].Spacing.ToArray();
                shapes[index] = new[] { box.Size.D, box.Size.H, box.Size.W };
                reductions[index] = (double)box.Size.Volume / shape.Volume;
                progress?.Report(new DataProgress("fingerprint", Interlocked.Increment(ref done), count, @case.Name));
            });
            var intensities = Enumerable.Range(0, dataset.Channels).Select(c => IntensityStatistics.Of(samples.SelectMany(s => s[c]).ToArray())).ToList();
            return new DatasetFingerprint(Planner.PipelineVersion, inputKey, dataset.Json.Name, dataset.Training.Select(c => c.Name).ToList(),
                spacings, shapes, reductions, intensities, Statistics.Median(reductions));
        }

        private static void PreprocessCase(DatasetCase @case, PreprocessingPlan plan, string key, string folder)
        {
            var channels = @case.Images.Select(VolumeFiles.Read).ToList();
            Volume label = VolumeFiles.Read(@case.Label!);
            PreprocessedArrays arrays = CasePreprocessor.Run(channels, label, plan, @case.Images.Append(@case.Label!).ToList());
            Dictionary<int, int[]> locations = CasePreprocessor.ClassLocations(arrays.Label, plan.Classes, 1234);
            var flat = new List<int>();
            foreach (var pair in locations.OrderBy(p => p.Key))
                foreach (int index in pair.Value) { flat.Add(pair.Key); flat.Add(index); }

            string stem = Path.Combine(folder, "cases", @case.Name);
            var s = arrays.Shape;
            NpyFile.Write(stem + ".npy", arrays.Image, new long[] { plan.Channels, s.D, s.H, s.W });
            NpyFile.Write(stem + "_seg.npy", arrays.Label, new long[] { s.D, s.H, s.W });
            NpyFile.Write(stem + "_locations.npy", flat.ToArray(), new long[] { flat.Count / 2, 2 });
            var record = new CaseRecord(@case.Name, key, new[] { s.D, s.H, s.W }, plan.Channels, arrays.Geometry, channels[0].Affine.ToArray(),
                @case.Images.ToList(), @case.Label, locations.ToDictionary(p => p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), p => p.Value.Length));
            AtomicFile.WriteText(stem + ".json", DataJson.Serialize(record));
        }

        private static bool IsCached(string folder, string name, string key)
        {
            string stem = Path.Combine(folder, "cases", name);
            if (!File.Exists(stem + ".json")) return false;
            try
            {
                CaseRecord record = DataJson.Read<CaseRecord>(stem + ".json");
                if (record.Key != key) return false;
                long voxels = (long)record.Shape[0] * record.Shape[1] * record.Shape[2];
                return NpyFile.ReadHeader(stem + ".npy").Shape.Aggregate(1L, (a, b) => a * b) == voxels * record.Channels
                    && NpyFile.ReadHeader(stem + "_seg.npy").Shape.Aggregate(1L, (a, b) => a * b) == voxels
                    && File.Exists(stem + "_locations.npy");
            }
            catch (DataException) { return false; }
        }

        private static void RemoveStale(string folder, HashSet<string> names)
        {
            foreach (string file in Directory.GetFiles(Path.Combine(folder, "cases"), "*.json"))
            {
                string name = Path.GetFileNameWithoutExtension(file);
                if (names.Contains(name)) continue;
                foreach (string suffix in new[] { ".json", ".npy", "_seg.npy", "_locations.npy" })
                {
                    string path = Path.Combine(folder, "cases", name + suffix);
                    if (File.Exists(path)) File.Delete(path);
                }
            }
        }

        /// <summary>The key of a case's input files (with the data files of detached headers): full path, size and modification time of each.</summary>
        private static string InputKey(DatasetCase @case)
        {
            var builder = new StringBuilder();
            foreach (string file in @case.Images.Append(@case.Label!).SelectMany(VolumeFiles.FilesOf))
            {
                var info = new FileInfo(file);
                builder.Append(info.FullName).Append(' ').Append(info.Length).Append(' ').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
            }
            return Hash(builder.ToString());
        }

        private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();

        private static long LongLength(this float[] values, Func<float, bool> where)
        {
            long count = 0;
            foreach (float v in values) if (where(v)) count++;
            return count;
        }
    }
}
