using System;
using System.Threading.Tasks;
using E2ENet.Compiler.Semantics;

namespace E2ENet.Data.Preprocessing
{
    /// <summary>
    /// Resizes 3D arrays to a new shape the way nnU-Net does (skimage's <c>resize</c>: scipy <c>zoom</c> with
    /// <c>grid_mode=True</c>, edge mode, no anti-aliasing): output voxel <c>o</c> samples input coordinate
    /// <c>(o + 0.5) * in / out - 0.5</c>, positions outside the input take the nearest edge value.
    /// <para>
    /// Axis-aligned resizing is separable, so it runs one axis at a time, each with its own order: cubic B-spline
    /// (order 3: the line is extended by 12 edge samples, prefiltered with mirror boundaries, as scipy does for its
    /// 'nearest' mode), linear (order 1) or nearest (order 0, <c>floor(x + 0.5)</c>). nnU-Net's anisotropic rule
    /// ("separate z": in-plane order 3, order 0 along the low-resolution axis) is simply an order per axis.
    /// </para>
    /// Arrays are C order (axis 2 fastest).
    /// </summary>
    public static class Resampler
    {
        private const int SplinePad = 12;

        /// <summary>Resizes <paramref name="data"/> of shape <paramref name="shape"/> to <paramref name="target"/>, with an order per axis.</summary>
        /// <param name="data">Values, C order.</param>
        /// <param name="shape">Its shape.</param>
        /// <param name="target">The new shape.</param>
        /// <param name="orders">Interpolation per axis (0, 1, 2).</param>
        /// <param name="clip">Clip the result to the input's range (skimage's <c>clip=True</c>, which nnU-Net uses): cubic overshoot removed.</param>
        public static float[] Resize(float[] data, Int3 shape, Int3 target, Interpolation[] orders, bool clip = true)
        {
            if (data.LongLength != shape.Volume) throw new ArgumentException($"{data.LongLength} values for shape {shape.ToSizeString()}", nameof(data));
            if (target.D < 1 || target.H < 1 || target.W < 1) throw new ArgumentException("target shape must be positive: " + target, nameof(target));
            float[] current = data;
            Int3 currentShape = shape;
            for (int axis = 0; axis < 3; axis++)
            {
                if (currentShape[axis] == target[axis]) continue;
                Int3 next = axis == 0 ? new Int3(target.D, currentShape.H, currentShape.W) : axis == 1 ? new Int3(currentShape.D, target.H, currentShape.W) : new Int3(currentShape.D, currentShape.H, target.W);
                current = ResizeAxis(current, currentShape, next, axis, orders[axis]);
                currentShape = next;
            }
            if (ReferenceEquals(current, data)) return (float[])data.Clone();
            if (clip)
            {
                float min = float.MaxValue, max = float.MinValue;
                foreach (float v in data) { if (v < min) min = v; if (v > max) max = v; }
                for (long n = 0; n < current.LongLength; n++) current[n] = Math.Clamp(current[n], min, max);
            }
            return current;
        }

        /// <summary>The same order on every axis.</summary>
        public static float[] Resize(float[] data, Int3 shape, Int3 target, Interpolation order, bool clip = true)
            => Resize(data, shape, target, new[] { order, order, order }, clip);

        /// <summary>
        /// Resizes a label map as nnU-Net's <c>resize_segmentation</c>: for each value present (ascending, -1 included),
        /// the 0/1 mask of that value is resized with <paramref name="orders"/> and voxels at 0.5 or more take the value
        /// (later values win). With order 0 on every axis it is a plain nearest-neighbour resize.
        /// </summary>
        public static short[] ResizeLabels(short[] labels, Int3 shape, Int3 target, Interpolation[] orders)
        {
            if (shape == target) return (short[])labels.Clone();
            var result = new short[target.Volume];
            var present = new System.Collections.Generic.SortedSet<short>(labels);
            if (Array.TrueForAll(orders, o => o == Interpolation.Nearest))
            {
                var index = new float[labels.Length];
                for (int n = 0; n < labels.Length; n++) index[n] = labels[n];
                float[] resized = Resize(index, shape, target, orders, clip: false);
                for (long n = 0; n < resized.LongLength; n++) result[n] = (short)resized[n];
                return result;
            }
            var mask = new float[labels.Length];
            foreach (short value in present)
            {
                for (int n = 0; n < labels.Length; n++) mask[n] = labels[n] == value ? 1f : 0f;
                float[] resized = Resize(mask, shape, target, orders, clip: false);
                for (long n = 0; n < resized.LongLength; n++) if (resized[n] >= 0.5f) result[n] = value;
            }
            return result;
        }

        /// <summary>
        /// The taps of resizing one axis from <paramref name="inLength"/> to <paramref name="outLength"/> samples with a linear or
        /// nearest order (what <see cref="Resize(float[], Int3, Int3, Interpolation[], bool)"/> applies along that axis): output
        /// <c>o</c> is the sum over <c>t</c> of <c>weight[o * taps + t] * input[index[o * taps + t]]</c>, summed in double.
        /// Streaming resizers apply one axis at a time with these.
        /// </summary>
        public static (int[] Index, float[] Weight, int Taps) AxisTaps(int inLength, int outLength, Interpolation order)
        {
            if (order == Interpolation.Cubic) throw new ArgumentException("cubic resizing needs the whole line (its prefilter); only linear and nearest taps are exposed", nameof(order));
            Kernel kernel = Kernel.For(inLength, outLength, order);
            return (kernel.Index, kernel.Weight, kernel.Taps);
        }

        private static float[] ResizeAxis(float[] data, Int3 shape, Int3 target, int axis, Interpolation order)
        {
            int inLength = shape[axis], outLength = target[axis];
            long stride = axis == 0 ? (long)shape.H * shape.W : axis == 1 ? shape.W : 1;
            long outerCount = axis == 0 ? 1 : shape.D;
            long innerCount = axis == 2 ? shape.H : stride; // lines per outer block: axis 0 -> H*W, axis 1 -> W, axis 2 -> H
            long outerStrideIn = (long)shape.D * shape.H * shape.W / Math.Max(1, outerCount);
            long outerStrideOut = target.Volume / Math.Max(1, outerCount);
            long outStride = axis == 0 ? (long)target.H * target.W : axis == 1 ? target.W : 1;
            Kernel kernel = Kernel.For(inLength, outLength, order);
            var result = new float[target.Volume];
            long lines = outerCount * innerCount;
            Parallel.For(0, (int)Math.Min(lines, 64), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, chunk =>
            {
                var line = new float[inLength + 2 * SplinePad];
                long chunkSize = (lines + 63) / 64;
                for (long l = chunk * chunkSize; l < Math.Min(lines, (chunk + 1) * chunkSize); l++)
                {
                    long outer = l / innerCount, inner = l % innerCount;
                    long inBase, outBase;
                    if (axis == 2) { inBase = outer * outerStrideIn + inner * shape.W; outBase = outer * outerStrideOut + inner * target.W; }
                    else { inBase = outer * outerStrideIn + inner; outBase = outer * outerStrideOut + inner; }
                    kernel.Apply(data, inBase, stride, result, outBase, outStride, line);
                }
            });
            return result;
        }

        /// <summary>Precomputed taps and weights for one axis's resize.</summary>
        private sealed class Kernel
        {
            private readonly Interpolation _order;
            private readonly int _inLength, _outLength, _taps;
            private readonly int[] _index;
            private readonly float[] _weight;

            private Kernel(Interpolation order, int inLength, int outLength, int taps)
            {
                _order = order;
                _inLength = inLength;
                _outLength = outLength;
                _taps = taps;
                _index = new int[outLength * taps];
                _weight = new float[outLength * taps];
            }

            public int[] Index => _index;

            public float[] Weight => _weight;

            public int Taps => _taps;

            public static Kernel For(int inLength, int outLength, Interpolation order)
            {
                int taps = order == Interpolation.Cubic ? 4 : order == Interpolation.Linear ? 2 : 1;
                var kernel = new Kernel(order, inLength, outLength, taps);
                double scale = (double)inLength / outLength;
                for (int o = 0; o < outLength; o++)
                {
                    double x = (o + 0.5) * scale - 0.5;
                    int at = o * taps;
                    switch (order)
                    {
                        case Interpolation.Nearest:
                            kernel._index[at] = Math.Clamp((int)Math.Floor(x + 0.5), 0, inLength - 1);
                            kernel._weight[at] = 1;
                            break;
                        case Interpolation.Linear:
                        {
                            double c = Math.Clamp(x, 0, inLength - 1);
                            int i0 = (int)Math.Floor(c);
                            int i1 = Math.Min(i0 + 1, inLength - 1);
                            double w = c - i0;
                            kernel._index[at] = i0; kernel._weight[at] = (float)(1 - w);
                            kernel._index[at + 1] = i1; kernel._weight[at + 1] = (float)w;
                            break;
                        }
                        default:
                        {
                            // Coordinates in the padded line; clamp so every tap stays inside it.
                            double c = Math.Clamp(x, -SplinePad + 1.0, inLength - 1 + SplinePad - 2.0) + SplinePad;
                            int i0 = (int)Math.Floor(c);
                            for (int t = 0; t < 4; t++)
                            {
                                int k = i0 - 1 + t;
                                kernel._index[at + t] = k;
                                kernel._weight[at + t] = (float)CubicBSpline.Basis(c - k);
                            }
                            break;
                        }
                    }
                }
                return kernel;
            }

            public void Apply(float[] input, long inBase, long inStride, float[] output, long outBase, long outStride, float[] line)
            {
                if (_order == Interpolation.Cubic)
                {
                    int n = _inLength;
                    for (int i = 0; i < n; i++) line[SplinePad + i] = input[inBase + i * inStride];
                    for (int i = 0; i < SplinePad; i++)
                    {
                        line[i] = line[SplinePad];
                        line[SplinePad + n + i] = line[SplinePad + n - 1];
                    }
                    CubicBSpline.Prefilter(line.AsSpan(0, n + 2 * SplinePad));
                    for (int o = 0; o < _outLength; o++)
                    {
                        int at = o * 4;
                        double sum = 0;
                        for (int t = 0; t < 4; t++) sum += _weight[at + t] * (double)line[_index[at + t]];
                        output[outBase + o * outStride] = (float)sum;
                    }
                    return;
                }
                for (int o = 0; o < _outLength; o++)
                {
                    int at = o * _taps;
                    double sum = 0;
                    for (int t = 0; t < _taps; t++) sum += _weight[at + t] * (double)input[inBase + _index[at + t] * inStride];
                    output[outBase + o * outStride] = (float)sum;
                }
            }
        }
    }
}
