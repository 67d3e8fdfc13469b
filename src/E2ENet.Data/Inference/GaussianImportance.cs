using System;
using E2ENet.Compiler.Semantics;

namespace E2ENet.Data.Inference
{
    /// <summary>
    /// nnU-Net's Gaussian importance map: a unit impulse at the patch centre (index size // 2 per axis) filtered with a
    /// Gaussian of sigma = size x scale per axis (scipy's gaussian_filter: kernel truncated at 4 sigma, normalized, zero
    /// outside), divided by its maximum; zeros replaced by the smallest non-zero value, so no voxel has weight 0.
    /// The filter of an impulse is separable: the map is the product of three 1D kernels.
    /// </summary>
    public static class GaussianImportance
    {
        /// <summary>The map, float32, C order, shape <paramref name="patch"/>.</summary>
        public static float[] Compute(Int3 patch, double sigmaScale)
        {
            double[][] kernels = new double[3][];
            for (int axis = 0; axis < 3; axis++) kernels[axis] = Kernel1D(patch[axis], sigmaScale);
            var map = new double[patch.Volume];
            double max = 0;
            long n = 0;
            for (int a = 0; a < patch.D; a++)
                for (int b = 0; b < patch.H; b++)
                    for (int c = 0; c < patch.W; c++, n++)
                    {
                        map[n] = kernels[0][a] * kernels[1][b] * kernels[2][c];
                        max = Math.Max(max, map[n]);
                    }
            var result = new float[map.Length];
            float minPositive = float.MaxValue;
            for (long i = 0; i < map.LongLength; i++)
            {
                result[i] = (float)(map[i] / max);
                if (result[i] > 0) minPositive = Math.Min(minPositive, result[i]);
            }
            for (long i = 0; i < result.LongLength; i++) if (result[i] == 0) result[i] = minPositive;
            return result;
        }

        /// <summary>Values of the normalized, truncated Gaussian kernel at each index of a line, centred on size // 2.</summary>
        private static double[] Kernel1D(int size, double sigmaScale)
        {
            double sigma = size * sigmaScale;
            int radius = (int)(4.0 * sigma + 0.5);
            var weights = new double[2 * radius + 1];
            double sum = 0;
            for (int i = -radius; i <= radius; i++) sum += weights[i + radius] = Math.Exp(-0.5 * i * i / (sigma * sigma));
            var line = new double[size];
            int centre = size / 2;
            for (int i = 0; i < size; i++)
            {
                int offset = i - centre;
                line[i] = Math.Abs(offset) <= radius ? weights[offset + radius] / sum : 0;
            }
            return line;
        }
    }
}
