using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Postprocessing
{
    /// <summary>What "the largest component" is taken of.</summary>
    public enum LargestComponentMode
    {
        /// <summary>Each class on its own: voxels of a class outside that class's largest component become background.</summary>
        PerClass,

        /// <summary>The classes together as one foreground: voxels of those classes outside the foreground's largest component become background.</summary>
        Foreground,
    }

    /// <summary>
    /// nnU-Net's "remove all but the largest connected component" postprocessing on a label map, with 3D 26-connectivity
    /// (<see cref="ConnectedComponents"/>). Removed voxels become background (0). Among components of equal size the one whose
    /// first voxel comes first in C order is kept.
    /// </summary>
    public static class LargestComponent
    {
        /// <summary>
        /// The label map with, for <paramref name="classes"/> (default: every non-zero value present), everything but the
        /// largest component removed, per class or for those classes together. The input is not changed.
        /// </summary>
        /// <exception cref="ArgumentException">When the labels do not have the shape's voxel count, or a class is 0.</exception>
        public static float[] Apply(float[] labels, Int3 shape, LargestComponentMode mode, IReadOnlyCollection<int>? classes = null)
        {
            if (labels.LongLength != shape.Volume) throw new ArgumentException($"{labels.LongLength} labels for shape {shape.ToSizeString()}", nameof(labels));
            var chosen = new HashSet<int>(classes ?? Present(labels));
            if (chosen.Contains(0)) throw new ArgumentException("class 0 is the background; it has no components to keep", nameof(classes));
            float[] result = (float[])labels.Clone();
            if (chosen.Count == 0) return result;
            var mask = new bool[labels.LongLength];
            if (mode == LargestComponentMode.Foreground)
            {
                bool[] isChosen = Lookup(chosen);
                for (long n = 0; n < result.LongLength; n++)
                {
                    float v = result[n];
                    mask[n] = v > 0 && v < isChosen.Length && isChosen[(int)v] && v == (int)v;
                }
                KeepLargest(result, shape, mask);
                return result;
            }
            foreach (int c in chosen.OrderBy(c => c))
            {
                for (long n = 0; n < result.LongLength; n++) mask[n] = result[n] == c;
                KeepLargest(result, shape, mask);
            }
            return result;
        }

        /// <summary>The non-zero values of a label map.</summary>
        private static HashSet<int> Present(float[] labels)
        {
            var present = new HashSet<int>();
            float last = 0;
            foreach (float v in labels)
                if (v != 0 && v != last)
                {
                    present.Add((int)v);
                    last = v;
                }
            return present;
        }

        private static bool[] Lookup(HashSet<int> classes)
        {
            var table = new bool[Math.Max(0, classes.Max()) + 1];
            foreach (int c in classes) if (c > 0) table[c] = true;
            return table;
        }

        /// <summary>The same on a label volume: a volume on the same grid (and header) with the removed voxels set to 0.</summary>
        public static Volume Apply(Volume labels, LargestComponentMode mode, IReadOnlyCollection<int>? classes = null)
            => labels.WithVoxels(Apply(labels.Voxels, labels.Shape, mode, classes), labels.StoredType);

        /// <summary>Sets the voxels of <paramref name="mask"/> outside its largest component to 0.</summary>
        private static void KeepLargest(float[] values, Int3 shape, bool[] mask)
        {
            if (Array.IndexOf(mask, true) < 0) return;
            ComponentLabeling components = ConnectedComponents.Label(mask, shape);
            int keep = components.Largest;
            int[] component = components.Labels;
            for (long n = 0; n < values.LongLength; n++) if (mask[n] && component[n] != keep) values[n] = 0;
        }
    }
}
