using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using E2ENet.Compiler.Errors;
using E2ENet.Compiler.Host;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Datasets
{
    /// <summary>What one training case holds: grid, class voxel counts, and a sample of its foreground intensities per channel.</summary>
    public sealed record CaseSummary(string Name, Int3 Shape, Real3 Spacing, long[] ClassVoxels, float[][] ForegroundSamples, (double Min, double Max)[] Range);

    /// <summary>The result of <see cref="DatasetChecker.Check"/>: every problem, and per-case summaries of the readable cases.</summary>
    public sealed class DatasetCheckReport
    {
        internal DatasetCheckReport(Dataset? dataset, IReadOnlyList<DatasetProblem> problems, IReadOnlyList<CaseSummary> cases)
        {
            Dataset = dataset;
            Problems = problems;
            Cases = cases;
        }

        /// <summary>The dataset, when its layout could be read.</summary>
        public Dataset? Dataset { get; }

        /// <summary>Every problem found, layout first, then case by case.</summary>
        public IReadOnlyList<DatasetProblem> Problems { get; }

        /// <summary>Summaries of the training cases whose files could be read.</summary>
        public IReadOnlyList<CaseSummary> Cases { get; }

        /// <summary>True when no problem was found.</summary>
        public bool IsClean => Problems.Count == 0;

        /// <summary>The dataset-wide summary (null when nothing could be read).</summary>
        public DatasetSummary? Summary => Dataset != null && Cases.Count > 0 ? DatasetSummary.From(Dataset, Cases) : null;
    }

    /// <summary>
    /// Checks a dataset completely: the layout (<see cref="Dataset.Scan"/>), then every training case's volumes: each file
    /// readable (E40xx), channels and label on one grid (shape E4109, spacing E4110, affine E4111), labels whole numbers
    /// (E4114) declared in dataset.json (E4112) and not empty (E4113). Test images are checked for readability and grids.
    /// Every problem is reported, not only the first.
    /// </summary>
    public static class DatasetChecker
    {
        /// <summary>Largest foreground sample kept per channel over the whole dataset (nnU-Net v2 uses 10^7).</summary>
        public const long ForegroundSampleBudget = 10_000_000;

        /// <summary>Checks the dataset at <paramref name="root"/>.</summary>
        /// <param name="root">The dataset folder.</param>
        /// <param name="progress">Receives one report per case read.</param>
        /// <param name="workers">Cases read at once (0: one per processor).</param>
        /// <param name="cancellation">Stops the check.</param>
        public static DatasetCheckReport Check(string root, IProgress<DataProgress>? progress = null, int workers = 0, CancellationToken cancellation = default)
        {
            var (dataset, layoutProblems) = Dataset.Scan(root);
            var problems = new List<DatasetProblem>(layoutProblems);
            if (dataset == null) return new DatasetCheckReport(null, problems, Array.Empty<CaseSummary>());

            var all = dataset.Training.Concat(dataset.Test).ToList();
            var perCase = new List<DatasetProblem>[all.Count];
            var summaries = new CaseSummary?[all.Count];
            long budget = Math.Max(1000, ForegroundSampleBudget / Math.Max(1, dataset.Training.Count));
            int done = 0;
            var options = new ParallelOptions { MaxDegreeOfParallelism = workers > 0 ? workers : Environment.ProcessorCount, CancellationToken = cancellation };
            // Cases are read whole: one that cannot fit is refused (from its headers, before reading it), and cases run side by
            // side only while their estimates fit together.
            MemoryBudget memory = MemoryBudget.Current;
            var gate = new MemoryGate(memory.Bytes);
            Parallel.For(0, all.Count, options, index =>
            {
                var found = new List<DatasetProblem>();
                bool training = index < dataset.Training.Count;
                long need = CaseMemory(all[index], training);
                try
                {
                    memory.Require(need, all[index].Images.FirstOrDefault(), $"checking case '{all[index].Name}' (its volumes are read whole)",
                        "crop or downsample its images");
                    using (gate.Enter(need, cancellation)) summaries[index] = CheckCase(dataset, all[index], training, budget, found);
                }
                catch (HostException e)
                {
                    found.Add(new DatasetProblem(e.Error, e.File, e.Detail));
                }
                catch (OutOfMemoryException)
                {
                    found.Add(new DatasetProblem(HostErrors.NotEnoughMemory,
                        all[index].Images.FirstOrDefault(), $"case '{all[index].Name}' ran out of memory while it was read (estimate {ByteSize.Format(need)}, allowed {memory}); crop or downsample its images"));
                }
                perCase[index] = found;
                progress?.Report(new DataProgress("check", Interlocked.Increment(ref done), all.Count, all[index].Name));
            });
            foreach (var list in perCase) problems.AddRange(list);
            return new DatasetCheckReport(dataset, problems, summaries.Take(dataset.Training.Count).Where(s => s != null).Select(s => s!).ToList());
        }

        /// <summary>
        /// What checking a case holds at once, from its headers: every volume as float32, plus the stored voxels of the largest
        /// while it is converted. Files whose headers cannot be read count 0 (reading them reports the problem).
        /// </summary>
        private static long CaseMemory(DatasetCase @case, bool training)
        {
            long floats = 0, largest = 0;
            foreach (string file in training && @case.Label != null ? @case.Images.Append(@case.Label) : @case.Images)
            {
                VolumeInfo? info;
                try
                {
                    info = System.IO.File.Exists(file) ? VolumeInfo.Read(file) : null;
                }
                catch (DataException)
                {
                    info = null;
                }
                if (info == null) continue;
                floats += info.Voxels * 4;
                largest = Math.Max(largest, info.ReadBytes - info.Voxels * 4);
            }
            return floats + largest;
        }

        private static CaseSummary? CheckCase(Dataset dataset, DatasetCase @case, bool training, long budget, List<DatasetProblem> problems)
        {
            var channels = new Volume?[@case.Images.Count];
            for (int c = 0; c < channels.Length; c++) channels[c] = TryRead(@case.Images[c], problems);
            Volume? label = training && @case.Label != null ? TryRead(@case.Label, problems) : null;
            Volume? reference = channels.FirstOrDefault(v => v != null);
            if (reference == null) return null;
            string referenceFile = @case.Images[Array.IndexOf(channels, reference)];
            bool sameGrid = true;
            for (int c = 0; c < channels.Length; c++)
                if (channels[c] is Volume other && other != reference) sameGrid &= CompareGrid(reference, referenceFile, other, @case.Images[c], problems);
            if (label != null) sameGrid &= CompareGrid(reference, referenceFile, label, @case.Label!, problems);
            if (!training || label == null) return null;

            // Labels: whole numbers, declared, not empty.
            int classes = dataset.Classes;
            var counts = new long[classes];
            var undeclared = new SortedDictionary<double, long>();
            long nonInteger = 0, firstNonInteger = -1;
            float[] values = label.Voxels;
            for (long n = 0; n < values.LongLength; n++)
            {
                float v = values[n];
                if (v != Math.Floor(v)) { nonInteger++; if (firstNonInteger < 0) firstNonInteger = n; continue; }
                if (v >= 0 && v < classes) counts[(int)v]++;
                else undeclared[v] = undeclared.TryGetValue(v, out long k) ? k + 1 : 1;
            }
            if (nonInteger > 0)
                problems.Add(new DatasetProblem(DataErrors.NonIntegerLabel, @case.Label, $"{nonInteger} voxel(s) are not whole numbers; the first is {values[firstNonInteger].ToString("R", System.Globalization.CultureInfo.InvariantCulture)} at voxel {Describe(label.Shape, firstNonInteger)}"));
            if (undeclared.Count > 0)
                problems.Add(new DatasetProblem(DataErrors.UndeclaredLabel, @case.Label,
                    $"holds label value(s) {string.Join(", ", undeclared.Select(p => $"{p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)} ({p.Value} voxels)"))} that dataset.json does not declare (it declares 0..{classes - 1})"));
            if (counts.Skip(1).All(c => c == 0) && nonInteger == 0 && undeclared.Count == 0)
                problems.Add(new DatasetProblem(DataErrors.EmptyLabel, @case.Label, "has no foreground voxel (every voxel is 0)"));
            if (!sameGrid || channels.Any(c => c == null)) return null;

            var samples = new float[channels.Length][];
            var range = new (double, double)[channels.Length];
            long foreground = values.LongLength - counts[0];
            for (int c = 0; c < channels.Length; c++)
            {
                float[] image = channels[c]!.Voxels;
                samples[c] = Statistics.SampleWhere(image, n => values[n] > 0, foreground, budget);
                float min = float.MaxValue, max = float.MinValue;
                foreach (float v in image) { if (v < min) min = v; if (v > max) max = v; }
                range[c] = (min, max);
            }
            return new CaseSummary(@case.Name, reference.Shape, reference.Spacing, counts, samples, range);
        }

        private static Volume? TryRead(string path, List<DatasetProblem> problems)
        {
            if (!System.IO.File.Exists(path)) return null; // the layout scan reported it already (E4105/E4106)
            try { return VolumeFiles.Read(path); }
            catch (DataException e)
            {
                problems.Add(new DatasetProblem(e.Error, e.File ?? path, e.Detail));
                return null;
            }
        }

        /// <summary>Compares the grid of <paramref name="other"/> with <paramref name="reference"/>; adds a problem per difference.</summary>
        internal static bool CompareGrid(Volume reference, string referenceFile, Volume other, string otherFile, List<DatasetProblem> problems)
        {
            string name = System.IO.Path.GetFileName(referenceFile);
            if (other.Shape != reference.Shape)
            {
                problems.Add(new DatasetProblem(DataErrors.ShapeMismatch, otherFile, $"shape {ShapeText(other.Shape)} (i x j x k) differs from {name}'s {ShapeText(reference.Shape)}"));
                return false;
            }
            bool same = true;
            if (!other.Spacing.ApproximatelyEquals(reference.Spacing, 1e-4))
            {
                problems.Add(new DatasetProblem(DataErrors.SpacingMismatch, otherFile, $"spacing {SpacingText(other.Spacing)} mm differs from {name}'s {SpacingText(reference.Spacing)}"));
                same = false;
            }
            if (!other.Affine.ApproximatelyEquals(reference.Affine, 1e-3))
            {
                problems.Add(new DatasetProblem(DataErrors.AffineMismatch, otherFile, $"affine {other.Affine} differs from {name}'s {reference.Affine} (largest difference {other.Affine.MaxDifference(reference.Affine).ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)})"));
                same = false;
            }
            return same;
        }

        /// <summary>A shape in NIfTI order, "i x j x k" (array axes reversed).</summary>
        public static string ShapeText(Int3 shape) => $"{shape.W}x{shape.H}x{shape.D}";

        /// <summary>A spacing in NIfTI order (i, j, k).</summary>
        public static string SpacingText(Real3 spacing) => new Real3(spacing.W, spacing.H, spacing.D).ToString();

        private static string Describe(Int3 shape, long index)
        {
            long i = index % shape.W, j = index / shape.W % shape.H, k = index / ((long)shape.W * shape.H);
            return $"({i}, {j}, {k}) (i, j, k)";
        }
    }
}
