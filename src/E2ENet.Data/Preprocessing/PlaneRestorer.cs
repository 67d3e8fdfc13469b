using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Semantics;

namespace E2ENet.Data.Preprocessing
{
    /// <summary>
    /// Puts class probabilities of a preprocessed case back on its original grid as nnU-Net v1 does (transpose back, resample
    /// each class linearly, order 0 along an anisotropic axis, argmax, place inside the crop of an all-background volume), plane
    /// by plane: it takes the planes of the preprocessed grid along its first axis in order (classes x H x W each) and turns them
    /// into label planes as soon as the resampling along that axis has the planes it needs (two at most), so it never holds
    /// more than a few planes of probabilities. Resizing is separable: the first axis is applied across planes, the other two
    /// within each class's plane, with the taps and double accumulation of <see cref="Resampler"/>; the result equals the
    /// whole-volume resize up to float rounding (and is identical when the first axis is already the file's first).
    /// </summary>
    public sealed class PlaneRestorer
    {
        private readonly int _classes;
        private readonly Int3 _shape;
        private readonly int[] _forward;
        private readonly int[] _crop;
        private readonly int[] _cropStart;
        private readonly int[] _original;
        private readonly Interpolation[] _orders;
        private readonly int _axis0, _outLength;
        private readonly int[] _tapIndex;
        private readonly float[] _tapWeight;
        private readonly int _taps;
        private readonly bool _identity0;
        private readonly int _p, _q;
        private readonly Dictionary<int, float[]> _planes = new Dictionary<int, float[]>();
        private readonly short[] _labels;
        private readonly Inference.ProbabilityWriter? _probabilities;
        private int _received, _next;

        /// <summary>
        /// A restorer for <paramref name="classes"/> classes of a case of <paramref name="geometry"/>; with
        /// <paramref name="probabilities"/>, the restored probabilities of every class also go there, plane by plane.
        /// </summary>
        public PlaneRestorer(int classes, CaseGeometry geometry, Inference.ProbabilityWriter? probabilities = null)
        {
            _classes = classes;
            _probabilities = probabilities;
            _shape = new Int3(geometry.ShapeAfterResampling[0], geometry.ShapeAfterResampling[1], geometry.ShapeAfterResampling[2]);
            _forward = geometry.TransposeForward.ToArray();
            _crop = geometry.CropSize.ToArray();
            _cropStart = geometry.CropStart.ToArray();
            _original = geometry.OriginalShape.ToArray();
            int[] backward = VolumeOps.Inverse(_forward);
            double[] current = backward.Select(a => geometry.SpacingAfterResampling[a]).ToArray();
            _orders = Planner.Orders(geometry.OriginalSpacing, current, Interpolation.Linear);
            _axis0 = _forward[0];
            _outLength = _crop[_axis0];
            _identity0 = _shape.D == _outLength;
            if (!_identity0) (_tapIndex, _tapWeight, _taps) = Resampler.AxisTaps(_shape.D, _outLength, _orders[_axis0]);
            else (_tapIndex, _tapWeight, _taps) = (Array.Empty<int>(), Array.Empty<float>(), 1);
            _p = Math.Min(_forward[1], _forward[2]);
            _q = Math.Max(_forward[1], _forward[2]);
            _labels = new short[(long)_original[0] * _original[1] * _original[2]];
        }

        /// <summary>Values one plane must have: classes x H x W of the preprocessed grid.</summary>
        public long PlaneLength => (long)_classes * _shape.H * _shape.W;

        /// <summary>Takes plane <paramref name="index"/> (they must come in order from 0) of the probabilities, classes x H x W.</summary>
        /// <exception cref="DataException">E4301 when the plane is not classes x H x W.</exception>
        public void Add(int index, float[] plane)
        {
            if (index != _received) throw new ArgumentException($"plane {index} came after plane {_received - 1}; planes must come in order", nameof(index));
            if (plane.LongLength != PlaneLength)
                throw new DataException(DataErrors.PredictorShape, null, $"{plane.LongLength} probabilities in plane {index}; {_classes} classes of {_shape.H}x{_shape.W} need {PlaneLength}");
            _planes[index] = plane;
            _received++;
            while (_next < _outLength && LastTap(_next) < _received)
            {
                Emit(_next);
                _next++;
            }
            int keepFrom = _next < _outLength ? FirstTap(_next) : int.MaxValue;
            foreach (int old in _planes.Keys.Where(k => k < keepFrom).ToList()) _planes.Remove(old);
        }

        /// <summary>The labels in the file's array order, shape <see cref="CaseGeometry.OriginalShape"/>, once every plane was added.</summary>
        public short[] Finish()
        {
            if (_received != _shape.D || _next != _outLength) throw new InvalidOperationException($"{_received} of {_shape.D} planes were added");
            return _labels;
        }

        private int FirstTap(int output) => _identity0 ? output : Enumerable.Range(0, _taps).Min(t => _tapIndex[output * _taps + t]);

        private int LastTap(int output) => _identity0 ? output : Enumerable.Range(0, _taps).Max(t => _tapIndex[output * _taps + t]);

        /// <summary>Output plane <paramref name="output"/> along the file axis of the preprocessed grid's first axis: resample, argmax, place.</summary>
        private void Emit(int output)
        {
            int h = _shape.H, w = _shape.W, area = h * w;
            float[] plane;
            if (_identity0)
            {
                plane = _planes[output];
            }
            else
            {
                plane = new float[PlaneLength];
                for (long n = 0; n < plane.LongLength; n++)
                {
                    double sum = 0;
                    for (int t = 0; t < _taps; t++) sum += _tapWeight[output * _taps + t] * (double)_planes[_tapIndex[output * _taps + t]][n];
                    plane[n] = (float)sum;
                }
            }
            // The two other axes, in the file's order: (p, q) with p < q.
            bool swap = _forward[1] > _forward[2];
            int sizeP = swap ? w : h, sizeQ = swap ? h : w;
            int cropP = _crop[_p], cropQ = _crop[_q];
            var best = new float[(long)cropP * cropQ];
            var argmax = new short[best.LongLength];
            var orders = new[] { Interpolation.Nearest, _orders[_p], _orders[_q] };
            var channel = new float[area];
            for (int k = 0; k < _classes; k++)
            {
                if (!swap) Array.Copy(plane, (long)k * area, channel, 0, area);
                else
                {
                    for (int i = 0; i < h; i++)
                        for (int j = 0; j < w; j++) channel[(long)j * h + i] = plane[(long)k * area + (long)i * w + j];
                }
                float[] resized = sizeP == cropP && sizeQ == cropQ ? channel : Resampler.Resize(channel, new Int3(1, sizeP, sizeQ), new Int3(1, cropP, cropQ), orders, clip: false);
                _probabilities?.Add(output, k, resized);
                for (long n = 0; n < resized.LongLength; n++)
                    if (k == 0 || resized[n] > best[n]) { best[n] = resized[n]; argmax[n] = (short)k; }
            }
            // Place it: coordinate cropStart[axis0] + output along axis0, cropStart[p] + i along p, cropStart[q] + j along q.
            long[] strides = { (long)_original[1] * _original[2], _original[2], 1 };
            long baseIndex = (long)(_cropStart[_axis0] + output) * strides[_axis0] + (long)_cropStart[_p] * strides[_p] + (long)_cropStart[_q] * strides[_q];
            for (int i = 0; i < cropP; i++)
            {
                long row = baseIndex + i * strides[_p];
                for (int j = 0; j < cropQ; j++) _labels[row + j * strides[_q]] = argmax[(long)i * cropQ + j];
            }
        }
    }
}
