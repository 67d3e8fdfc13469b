using System;
using System.Collections.Generic;
using E2ENet.Compiler.Semantics;

namespace E2ENet.Data.Preprocessing
{
    /// <summary>An axis-aligned box of voxels: start (inclusive) and size, per array axis.</summary>
    public readonly record struct Box3(Int3 Start, Int3 Size)
    {
        /// <summary>The end (exclusive) per axis.</summary>
        public Int3 End => new Int3(Start.D + Size.D, Start.H + Size.H, Start.W + Size.W);

        /// <summary>The whole of a shape.</summary>
        public static Box3 Whole(Int3 shape) => new Box3(new Int3(0, 0, 0), shape);

        /// <summary><c>[d0:d1, h0:h1, w0:w1]</c>.</summary>
        public override string ToString() => $"[{Start.D}:{End.D}, {Start.H}:{End.H}, {Start.W}:{End.W}]";
    }

    /// <summary>Array operations on flat C-order 3D arrays (axis 2 fastest): crop, paste, transpose, non-zero bounding box.</summary>
    public static class VolumeOps
    {
        /// <summary>Copies the part of <paramref name="data"/> inside <paramref name="box"/>.</summary>
        public static T[] Crop<T>(T[] data, Int3 shape, Box3 box)
        {
            var result = new T[box.Size.Volume];
            for (int a = 0; a < box.Size.D; a++)
                for (int b = 0; b < box.Size.H; b++)
                    Array.Copy(data, ((long)(box.Start.D + a) * shape.H + box.Start.H + b) * shape.W + box.Start.W, result, ((long)a * box.Size.H + b) * box.Size.W, box.Size.W);
            return result;
        }

        /// <summary>Writes <paramref name="part"/> (of shape box.Size) into <paramref name="target"/> at <paramref name="box"/>.</summary>
        public static void Paste<T>(T[] part, T[] target, Int3 targetShape, Box3 box)
        {
            for (int a = 0; a < box.Size.D; a++)
                for (int b = 0; b < box.Size.H; b++)
                    Array.Copy(part, ((long)a * box.Size.H + b) * box.Size.W, target, ((long)(box.Start.D + a) * targetShape.H + box.Start.H + b) * targetShape.W + box.Start.W, box.Size.W);
        }

        /// <summary>
        /// Reorders the axes: result axis i is input axis <paramref name="order"/>[i] (numpy's <c>transpose(order)</c>).
        /// Returns the new array and its shape.
        /// </summary>
        public static (T[] Data, Int3 Shape) Transpose<T>(T[] data, Int3 shape, int[] order)
        {
            if (order[0] == 0 && order[1] == 1 && order[2] == 2) return ((T[])data.Clone(), shape);
            var newShape = new Int3(shape[order[0]], shape[order[1]], shape[order[2]]);
            long[] strides = { (long)shape.H * shape.W, shape.W, 1 };
            long s0 = strides[order[0]], s1 = strides[order[1]], s2 = strides[order[2]];
            var result = new T[data.LongLength];
            long n = 0;
            for (int a = 0; a < newShape.D; a++)
                for (int b = 0; b < newShape.H; b++)
                {
                    long source = a * s0 + b * s1;
                    for (int c = 0; c < newShape.W; c++) result[n++] = data[source + c * s2];
                }
            return (result, newShape);
        }

        /// <summary>The inverse of an axis order: inverse[order[i]] = i.</summary>
        public static int[] Inverse(int[] order)
        {
            var inverse = new int[order.Length];
            for (int i = 0; i < order.Length; i++) inverse[order[i]] = i;
            return inverse;
        }

        /// <summary>
        /// nnU-Net's non-zero mask: voxels where any channel is not 0, with holes filled (background regions that do not
        /// touch the border, 6-connected, become part of the mask, as scipy's binary_fill_holes).
        /// </summary>
        public static bool[] NonzeroMask(IReadOnlyList<float[]> channels, Int3 shape)
        {
            long count = shape.Volume;
            var mask = new bool[count];
            foreach (float[] channel in channels)
                for (long n = 0; n < count; n++) if (channel[n] != 0) mask[n] = true;
            // Flood the background from the border; what it does not reach is a hole. A scanline fill: the stack holds runs of
            // rows, not voxels, so it stays small even when the whole volume is background (a voxel stack would grow to 8 bytes
            // per voxel there).
            var outside = new bool[count];
            var stack = new Stack<(int A, int B, int C)>();
            bool Open(int a, int b, int c)
            {
                long n = ((long)a * shape.H + b) * shape.W + c;
                return !mask[n] && !outside[n];
            }
            void Fill(int a0, int b0, int c0)
            {
                if (!Open(a0, b0, c0)) return;
                stack.Push((a0, b0, c0));
                while (stack.Count > 0)
                {
                    var (a, b, c) = stack.Pop();
                    if (!Open(a, b, c)) continue;
                    long row = ((long)a * shape.H + b) * shape.W;
                    int left = c, right = c;
                    while (left > 0 && !mask[row + left - 1] && !outside[row + left - 1]) left--;
                    while (right < shape.W - 1 && !mask[row + right + 1] && !outside[row + right + 1]) right++;
                    for (int x = left; x <= right; x++) outside[row + x] = true;
                    // One seed per open run of each neighbouring row, over the columns just filled.
                    if (a > 0) Seeds(a - 1, b, left, right);
                    if (a < shape.D - 1) Seeds(a + 1, b, left, right);
                    if (b > 0) Seeds(a, b - 1, left, right);
                    if (b < shape.H - 1) Seeds(a, b + 1, left, right);
                }
            }
            void Seeds(int a, int b, int left, int right)
            {
                bool inRun = false;
                for (int x = left; x <= right; x++)
                {
                    bool open = Open(a, b, x);
                    if (open && !inRun) stack.Push((a, b, x));
                    inRun = open;
                }
            }
            for (int a = 0; a < shape.D; a++)
                for (int b = 0; b < shape.H; b++)
                {
                    if (a == 0 || b == 0 || a == shape.D - 1 || b == shape.H - 1)
                    {
                        for (int c = 0; c < shape.W; c++) Fill(a, b, c);
                    }
                    else
                    {
                        Fill(a, b, 0);
                        Fill(a, b, shape.W - 1);
                    }
                }
            for (long n = 0; n < count; n++) mask[n] = !outside[n];
            return mask;
        }

        /// <summary>The bounding box of the true voxels; the whole shape when there are none.</summary>
        public static Box3 BoundingBox(bool[] mask, Int3 shape)
        {
            int[] lo = { int.MaxValue, int.MaxValue, int.MaxValue }, hi = { -1, -1, -1 };
            long n = 0;
            for (int a = 0; a < shape.D; a++)
                for (int b = 0; b < shape.H; b++)
                    for (int c = 0; c < shape.W; c++, n++)
                    {
                        if (!mask[n]) continue;
                        if (a < lo[0]) lo[0] = a; if (a > hi[0]) hi[0] = a;
                        if (b < lo[1]) lo[1] = b; if (b > hi[1]) hi[1] = b;
                        if (c < lo[2]) lo[2] = c; if (c > hi[2]) hi[2] = c;
                    }
            if (hi[0] < 0) return Box3.Whole(shape);
            return new Box3(new Int3(lo[0], lo[1], lo[2]), new Int3(hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1));
        }
    }
}
