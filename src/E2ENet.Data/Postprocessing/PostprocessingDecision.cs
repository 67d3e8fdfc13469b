using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using E2ENet.Compiler.Semantics;

namespace E2ENet.Data.Postprocessing
{
    /// <summary>
    /// What to remove from a predicted label map (nnU-Net's postprocessing), in nnU-Net's order: first, when
    /// <see cref="LargestForeground"/>, every foreground voxel outside the largest component of the foreground as a whole; then,
    /// for each class of <see cref="LargestPerClass"/>, that class's voxels outside its own largest component. Removed voxels
    /// become background. <c>predict --postprocess</c> applies one; <c>summarize</c> decides one from cross-validation
    /// (<see cref="PostprocessingPlanner"/>) and writes it (<see cref="PostprocessingFile"/>).
    /// </summary>
    public sealed class PostprocessingDecision
    {
        /// <summary>A decision; <paramref name="labels"/> are the label names it was made for (null: any model with enough classes).</summary>
        /// <exception cref="ArgumentException">A class that is 0 or negative, or listed twice.</exception>
        public PostprocessingDecision(bool largestForeground, IEnumerable<int> largestPerClass, IReadOnlyList<string>? labels = null)
        {
            LargestForeground = largestForeground;
            LargestPerClass = largestPerClass.ToArray();
            if (LargestPerClass.Any(c => c < 1)) throw new ArgumentException("class 0 is the background; per-class postprocessing takes foreground classes", nameof(largestPerClass));
            if (LargestPerClass.Distinct().Count() != LargestPerClass.Count) throw new ArgumentException("a class is listed twice", nameof(largestPerClass));
            Labels = labels?.ToArray();
        }

        /// <summary>Keep only the largest component of the foreground (every class together).</summary>
        public bool LargestForeground { get; }

        /// <summary>The classes of which only the largest component is kept, each on its own.</summary>
        public IReadOnlyList<int> LargestPerClass { get; }

        /// <summary>The label names (background first) the decision was made for, or null.</summary>
        public IReadOnlyList<string>? Labels { get; }

        /// <summary>True when nothing is removed.</summary>
        public bool IsNone => !LargestForeground && LargestPerClass.Count == 0;

        /// <summary><c>--postprocess largest-component</c>: every foreground class keeps its own largest component.</summary>
        public static PostprocessingDecision PerClass(int classes) => new PostprocessingDecision(false, Enumerable.Range(1, Math.Max(0, classes - 1)));

        /// <summary><c>--postprocess largest-foreground</c>: the foreground as a whole keeps its largest component.</summary>
        public static PostprocessingDecision Foreground() => new PostprocessingDecision(true, Array.Empty<int>());

        /// <summary>The label map with the decision applied (a new array; the input is not changed).</summary>
        public float[] Apply(float[] labels, Int3 shape)
        {
            float[] result = labels;
            if (LargestForeground) result = LargestComponent.Apply(result, shape, LargestComponentMode.Foreground);
            if (LargestPerClass.Count > 0) result = LargestComponent.Apply(result, shape, LargestComponentMode.PerClass, LargestPerClass);
            return ReferenceEquals(result, labels) ? (float[])labels.Clone() : result;
        }

        /// <summary>
        /// Why this decision cannot be applied to a model of <paramref name="labels"/> (background first), or null: a class the
        /// model does not have, or label names other than the ones it was decided for.
        /// </summary>
        public string? Misfit(IReadOnlyList<string> labels)
        {
            int beyond = LargestPerClass.FirstOrDefault(c => c >= labels.Count);
            if (beyond > 0)
                return string.Format(CultureInfo.InvariantCulture, "it removes components of class {0}, but the model predicts classes 0..{1} ({2})", beyond, labels.Count - 1, string.Join(", ", labels));
            if (Labels != null && !Labels.SequenceEqual(labels, StringComparer.Ordinal))
                return $"it was decided for the labels [{string.Join(", ", Labels)}]; the model predicts [{string.Join(", ", labels)}]";
            return null;
        }

        /// <summary>One line: what is removed.</summary>
        public string Describe(IReadOnlyList<string>? labels = null)
        {
            if (IsNone) return "none";
            var parts = new List<string>();
            if (LargestForeground) parts.Add("largest component of the foreground");
            if (LargestPerClass.Count > 0)
                parts.Add("largest component per class of " + string.Join(", ", LargestPerClass.Select(c => labels != null && c < labels.Count ? labels[c] : "class " + c.ToString(CultureInfo.InvariantCulture))));
            return string.Join(", then ", parts);
        }
    }
}
