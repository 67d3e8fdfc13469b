using System;

namespace E2ENet.Onnx.Weights
{
    /// <summary>
    /// Which kernels of a convolution weight hold any non-zero tap: for a weight [A, B, taps...] (a convolution's
    /// [out, in, kD, kH, kW] or a transposed convolution's [in, out, kD, kH, kW]), one bool per (a, b). A kernel that is
    /// all zeros contributes exactly nothing, so dropping it is exact; this is what pruning reads (masked kernels of
    /// sparse weights are exact zeros, docs/method.md, "DSFF: sparse masks and their evolution").
    /// </summary>
    public sealed class KernelPresence
    {
        private readonly bool[] _present;

        private KernelPresence(int rows, int columns, bool[] present)
        {
            Rows = rows;
            Columns = columns;
            _present = present;
        }

        /// <summary>First axis of the weight.</summary>
        public int Rows { get; }

        /// <summary>Second axis of the weight.</summary>
        public int Columns { get; }

        /// <summary>Whether kernel (row, column) has a non-zero tap.</summary>
        public bool this[int row, int column] => _present[(long)row * Columns + column];

        /// <summary>Reads a weight's kernels.</summary>
        public static KernelPresence Of(float[] weight, long[] shape)
        {
            if (shape.Length < 2) throw new ArgumentException("a convolution weight has at least two axes", nameof(shape));
            int rows = checked((int)shape[0]);
            int columns = checked((int)shape[1]);
            long taps = 1;
            for (int i = 2; i < shape.Length; i++) taps *= shape[i];
            var present = new bool[(long)rows * columns];
            for (long kernel = 0; kernel < present.LongLength; kernel++)
            {
                long start = kernel * taps;
                for (long t = 0; t < taps; t++)
                {
                    if (weight[start + t] != 0)
                    {
                        present[kernel] = true;
                        break;
                    }
                }
            }
            return new KernelPresence(rows, columns, present);
        }

        /// <summary>Every kernel present (a dense export keeps zeros as they are).</summary>
        public static KernelPresence All(int rows, int columns)
        {
            var present = new bool[(long)rows * columns];
            Array.Fill(present, true);
            return new KernelPresence(rows, columns, present);
        }

        /// <summary>Kernels present.</summary>
        public long Count()
        {
            long count = 0;
            foreach (bool p in _present) if (p) count++;
            return count;
        }
    }
}
