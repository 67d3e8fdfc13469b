using System;
using System.Collections.Generic;

namespace E2ENet.Onnx.Emit
{
    /// <summary>
    /// Builds the weight of an emitted convolution from the network's weight [out, in, kD, kH, kW]: rows are output
    /// channels, each with its list of input channels (a concatenation index, or -1 for a zero column that pads a group),
    /// optionally with the depth shift folded into the depth taps.
    /// </summary>
    public static class ConvWeights
    {
        /// <summary>
        /// The weight [rows, columns, kD', kH, kW] with kD' = kD + 2 <paramref name="foldShift"/>: when
        /// <paramref name="offsets"/> is given (a folded shift, kD = 1), input channel i's taps go to depth index
        /// <paramref name="foldShift"/> - offsets[i]; all other depth taps are zero.
        /// </summary>
        public static float[] Build(float[] weight, long[] shape, IReadOnlyList<(int Out, int[] Ins)> rows, int[]? offsets, int foldShift, out long[] dims)
        {
            int inTotal = (int)shape[1];
            int kD = (int)shape[2], kH = (int)shape[3], kW = (int)shape[4];
            if (offsets != null && kD != 1) throw new InvalidOperationException("a depth shift folds only into depth-1 kernels");
            int columns = rows.Count == 0 ? 0 : rows[0].Ins.Length;
            int depth = offsets != null ? 1 + 2 * foldShift : kD;
            int plane = kH * kW;
            int tapsIn = kD * plane;
            int tapsOut = depth * plane;
            var result = new float[(long)rows.Count * columns * tapsOut];
            for (int r = 0; r < rows.Count; r++)
            {
                (int o, int[] ins) = rows[r];
                if (ins.Length != columns) throw new ArgumentException("every row needs the same number of input channels", nameof(rows));
                for (int c = 0; c < columns; c++)
                {
                    int i = ins[c];
                    if (i < 0) continue;
                    long source = ((long)o * inTotal + i) * tapsIn;
                    long target = ((long)r * columns + c) * tapsOut;
                    if (offsets != null) target += (long)(foldShift - offsets[i]) * plane;
                    Array.Copy(weight, source, result, target, offsets != null ? plane : tapsIn);
                }
            }
            dims = new long[] { rows.Count, columns, depth, kH, kW };
            return result;
        }

        /// <summary>Non-zero elements.</summary>
        public static long NonZero(float[] values)
        {
            long count = 0;
            foreach (float v in values) if (v != 0) count++;
            return count;
        }
    }
}
