using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using E2ENet.Compiler.Semantics;

namespace E2ENet.Data.Postprocessing
{
    /// <summary>The connected components of a mask: a label per voxel (0 outside the mask, 1..Count inside) and their sizes.</summary>
    public sealed class ComponentLabeling
    {
        internal ComponentLabeling(Int3 shape, int[] labels, long[] sizes)
        {
            Shape = shape;
            Labels = labels;
            Sizes = sizes;
        }

        /// <summary>The shape of the mask (C order, axis 2 fastest).</summary>
        public Int3 Shape { get; }

        /// <summary>Per voxel, 0 outside the mask, else its component 1..<see cref="Count"/>, numbered in the order of each component's first voxel in C order (as scipy's <c>ndimage.label</c>).</summary>
        public int[] Labels { get; }

        /// <summary>The number of components.</summary>
        public int Count => Sizes.Length;

        /// <summary>Voxels per component: <c>Sizes[n - 1]</c> is the size of component n.</summary>
        public long[] Sizes { get; }

        /// <summary>The component with the most voxels (the first one in numbering order among equals); 0 when there is none.</summary>
        public int Largest
        {
            get
            {
                int best = 0;
                for (int n = 0; n < Sizes.Length; n++) if (best == 0 || Sizes[n] > Sizes[best - 1]) best = n + 1;
                return best;
            }
        }
    }

    /// <summary>
    /// Exact 3D connected-component labelling with the 26-neighbourhood (voxels touching by a face, an edge or a corner are
    /// connected; scipy's <c>ndimage.label</c> with a 3x3x3 structure of ones). Runs of mask voxels along the fastest axis
    /// are joined with a union-find over the runs of the up to 9 neighbouring rows already seen (the row above in the
    /// same slice, and three rows of the previous slice), so the work and the extra memory are proportional to the
    /// number of runs, not of voxels.
    /// </summary>
    public static class ConnectedComponents
    {
        /// <summary>Labels the voxels of <paramref name="shape"/> for which <paramref name="mask"/> is true.</summary>
        /// <exception cref="ArgumentException">When the mask does not have the shape's voxel count.</exception>
        public static ComponentLabeling Label(bool[] mask, Int3 shape)
        {
            if (mask.LongLength != shape.Volume) throw new ArgumentException($"{mask.LongLength} mask values for shape {shape.ToSizeString()}", nameof(mask));
            int d = shape.D, h = shape.H, w = shape.W;
            // Runs: start (linear index of the first voxel), length; rowStart[r] .. rowStart[r + 1] - 1 are row r's runs.
            var runStart = new List<long>();
            var runLength = new List<int>();
            var rowStart = new int[d * h + 1];
            ReadOnlySpan<byte> bytes = MemoryMarshal.Cast<bool, byte>(mask.AsSpan()); // a bool is one byte, 0 or 1
            for (int row = 0; row < d * h; row++)
            {
                rowStart[row] = runStart.Count;
                long offset = (long)row * w;
                ReadOnlySpan<byte> line = bytes.Slice((int)offset, w);
                int x = 0;
                while (x < w)
                {
                    int begin = line.Slice(x).IndexOfAnyExcept((byte)0); // vectorized search for the next run
                    if (begin < 0) break;
                    begin += x;
                    int length = line.Slice(begin).IndexOf((byte)0);
                    if (length < 0) length = w - begin;
                    runStart.Add(offset + begin);
                    runLength.Add(length);
                    x = begin + length;
                }
            }
            rowStart[d * h] = runStart.Count;

            int runs = runStart.Count;
            var parent = new int[runs];
            for (int n = 0; n < runs; n++) parent[n] = n;
            for (int z = 0; z < d; z++)
                for (int y = 0; y < h; y++)
                {
                    int row = z * h + y;
                    if (rowStart[row] == rowStart[row + 1]) continue;
                    // Rows already visited that touch this one: (z, y-1), (z-1, y-1), (z-1, y), (z-1, y+1).
                    if (y > 0) JoinRows(row, row - 1, rowStart, runStart, runLength, parent, w);
                    if (z > 0)
                        for (int dy = -1; dy <= 1; dy++)
                            if (y + dy >= 0 && y + dy < h) JoinRows(row, row - h + dy, rowStart, runStart, runLength, parent, w);
                }

            // Number the roots in the order of their first run (raster order), then paint.
            var labels = new int[mask.LongLength];
            var number = new int[runs];
            var sizes = new List<long>();
            for (int n = 0; n < runs; n++)
            {
                int root = Find(parent, n);
                if (number[root] == 0)
                {
                    sizes.Add(0);
                    number[root] = sizes.Count;
                }
                int label = number[root];
                sizes[label - 1] += runLength[n];
                labels.AsSpan((int)runStart[n], runLength[n]).Fill(label);
            }
            return new ComponentLabeling(shape, labels, sizes.ToArray());
        }

        /// <summary>Joins every run of <paramref name="row"/> with the runs of <paramref name="other"/> it touches (26-neighbourhood: overlapping columns, or one apart).</summary>
        private static void JoinRows(int row, int other, int[] rowStart, List<long> runStart, List<int> runLength, int[] parent, int w)
        {
            int a = rowStart[row], aEnd = rowStart[row + 1], b = rowStart[other], bEnd = rowStart[other + 1];
            long aBase = (long)row * w, bBase = (long)other * w;
            while (a < aEnd && b < bEnd)
            {
                long a0 = runStart[a] - aBase, a1 = a0 + runLength[a] - 1;
                long b0 = runStart[b] - bBase, b1 = b0 + runLength[b] - 1;
                if (b0 <= a1 + 1 && b1 >= a0 - 1) Union(parent, a, b);
                // Advance the run that ends first; on a tie both can go (the next of each starts beyond the other).
                if (a1 < b1) a++;
                else if (b1 < a1) b++;
                else { a++; b++; }
            }
        }

        private static int Find(int[] parent, int n)
        {
            int root = n;
            while (parent[root] != root) root = parent[root];
            while (parent[n] != root)
            {
                int next = parent[n];
                parent[n] = root;
                n = next;
            }
            return root;
        }

        private static void Union(int[] parent, int a, int b)
        {
            int ra = Find(parent, a), rb = Find(parent, b);
            if (ra == rb) return;
            // The smaller index becomes the root: roots stay the earliest run of their component.
            if (ra < rb) parent[rb] = ra;
            else parent[ra] = rb;
        }
    }
}
