using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using E2ENet.Data.Evaluation;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Postprocessing
{
    /// <summary>One step nnU-Net tries: what it removes, the mean Dice it is judged on before and after, and whether it is kept.</summary>
    /// <param name="Step"><c>largest-foreground</c> or <c>largest-component</c>.</param>
    /// <param name="Classes">The classes it concerns (every foreground class for the foreground step).</param>
    /// <param name="DiceBefore">The judged mean Dice before (the foreground mean for the foreground step, the class's mean otherwise).</param>
    /// <param name="DiceAfter">The same after the step.</param>
    /// <param name="Kept">Whether the step is part of the decision.</param>
    /// <param name="Reason">Why, in words.</param>
    public sealed record PostprocessingStep(string Step, IReadOnlyList<int> Classes, double DiceBefore, double DiceAfter, bool Kept, string Reason);

    /// <summary>How a decision was reached: on how many cases, each step tried, and the mean Dice per class before and after the whole decision.</summary>
    public sealed record PostprocessingEvidence(int Cases, IReadOnlyList<string> Sources, IReadOnlyList<PostprocessingStep> Steps,
        IReadOnlyDictionary<string, double> DiceBefore, IReadOnlyDictionary<string, double> DiceAfter);

    /// <summary>
    /// nnU-Net v2's rule for deciding postprocessing from cross-validation (<c>determine_postprocessing</c>), on the validation
    /// predictions of every fold against their references, with each class's Dice averaged over the cases (cases where both
    /// are empty skipped):
    /// <list type="number">
    /// <item>keep only the largest component of the foreground as a whole: kept when the mean foreground Dice rises and no
    /// class's mean Dice falls;</item>
    /// <item>then, when there are two foreground classes or more, for each class on the result of step 1: keep only that class's
    /// largest component, kept when that class's mean Dice rises.</item>
    /// </list>
    /// A class with two true components therefore keeps both, while a class whose predictions carry spurious islands loses them.
    /// </summary>
    public static class PostprocessingPlanner
    {
        /// <summary>Decides from pairs of (prediction, reference) label files on one grid each; <paramref name="labels"/> background first.</summary>
        /// <exception cref="DataException">E4403 for a pair on two grids, E4114 for non-integer labels, E40xx for unreadable files.</exception>
        public static (PostprocessingDecision Decision, PostprocessingEvidence Evidence) Decide(IReadOnlyList<(string Prediction, string Reference)> pairs,
            IReadOnlyList<string> labels, IReadOnlyList<string>? sources = null, int workers = 0, IProgress<DataProgress>? progress = null)
        {
            if (pairs.Count == 0) throw new ArgumentException("postprocessing is decided on at least one validation case", nameof(pairs));
            int classes = labels.Count;
            // Per case and class: Dice of the raw predictions, after the foreground step, and after the class step on each of those.
            var raw = new double[pairs.Count][];
            var foreground = new double[pairs.Count][];
            var perClassOnRaw = new double[pairs.Count][];
            var perClassOnForeground = new double[pairs.Count][];
            var options = new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = workers > 0 ? workers : Environment.ProcessorCount };
            int done = 0;
            ParallelWork.For(pairs.Count, options, i =>
            {
                (string predictionFile, string referenceFile) = pairs[i];
                Volume prediction = VolumeFiles.Read(predictionFile), reference = VolumeFiles.Read(referenceFile);
                if (!prediction.SameGrid(reference))
                    throw new DataException(DataErrors.GridMismatch, predictionFile, $"is not on the grid of its reference {referenceFile}");
                float[] p = prediction.Voxels, r = reference.Voxels;
                float[] fg = LargestComponent.Apply(p, prediction.Shape, LargestComponentMode.Foreground, ForegroundClasses(classes));
                raw[i] = Dice(p, r, classes);
                foreground[i] = Dice(fg, r, classes);
                perClassOnRaw[i] = new double[classes];
                perClassOnForeground[i] = new double[classes];
                for (int c = 1; c < classes; c++)
                {
                    perClassOnRaw[i][c] = SegmentationMetrics.Dice(LargestComponent.Apply(p, prediction.Shape, LargestComponentMode.PerClass, new[] { c }), r, c);
                    perClassOnForeground[i][c] = SegmentationMetrics.Dice(LargestComponent.Apply(fg, prediction.Shape, LargestComponentMode.PerClass, new[] { c }), r, c);
                }
                progress?.Report(new DataProgress("postprocessing", Interlocked.Increment(ref done), pairs.Count, predictionFile));
            });

            double[] before = Means(raw, classes), afterForeground = Means(foreground, classes);
            var steps = new List<PostprocessingStep>();
            double meanBefore = ForegroundMean(before), meanAfter = ForegroundMean(afterForeground);
            int worse = Enumerable.Range(1, classes - 1).FirstOrDefault(c => afterForeground[c] < before[c]);
            bool keepForeground = meanAfter > meanBefore && worse == 0;
            steps.Add(new PostprocessingStep("largest-foreground", ForegroundClasses(classes), meanBefore, meanAfter, keepForeground,
                !(meanAfter > meanBefore) ? "the mean foreground Dice does not rise"
                : worse > 0 ? FormattableString.Invariant($"class {labels[worse]} gets worse ({before[worse]:0.0000} -> {afterForeground[worse]:0.0000})") : "the mean foreground Dice rises and no class gets worse"));
            double[] current = keepForeground ? afterForeground : before;
            double[] perClass = Means(keepForeground ? perClassOnForeground : perClassOnRaw, classes);
            double[] final = (double[])current.Clone();
            var keptClasses = new List<int>();
            if (classes > 2)
            {
                for (int c = 1; c < classes; c++)
                {
                    bool keep = perClass[c] > current[c];
                    steps.Add(new PostprocessingStep("largest-component", new[] { c }, current[c], perClass[c], keep,
                        keep ? $"the mean Dice of {labels[c]} rises" : $"the mean Dice of {labels[c]} does not rise"));
                    if (keep)
                    {
                        keptClasses.Add(c);
                        final[c] = perClass[c];
                    }
                }
            }
            var decision = new PostprocessingDecision(keepForeground, keptClasses, labels);
            var evidence = new PostprocessingEvidence(pairs.Count, sources ?? Array.Empty<string>(), steps, ByLabel(before, labels), ByLabel(final, labels));
            return (decision, evidence);
        }

        private static int[] ForegroundClasses(int classes) => Enumerable.Range(1, classes - 1).ToArray();

        private static double[] Dice(float[] prediction, float[] reference, int classes)
        {
            var result = new double[classes];
            for (int c = 1; c < classes; c++) result[c] = SegmentationMetrics.Dice(prediction, reference, c);
            return result;
        }

        /// <summary>Per class, the mean over cases skipping NaN (NaN when no case counts).</summary>
        private static double[] Means(double[][] perCase, int classes)
        {
            var result = new double[classes];
            for (int c = 1; c < classes; c++)
            {
                var values = perCase.Select(v => v[c]).Where(v => !double.IsNaN(v)).ToList();
                result[c] = values.Count > 0 ? values.Average() : double.NaN;
            }
            result[0] = double.NaN;
            return result;
        }

        private static double ForegroundMean(double[] means)
        {
            var values = means.Skip(1).Where(v => !double.IsNaN(v)).ToList();
            return values.Count > 0 ? values.Average() : double.NaN;
        }

        private static IReadOnlyDictionary<string, double> ByLabel(double[] means, IReadOnlyList<string> labels)
            => Enumerable.Range(1, labels.Count - 1).ToDictionary(c => labels[c], c => means[c]);
    }
}
