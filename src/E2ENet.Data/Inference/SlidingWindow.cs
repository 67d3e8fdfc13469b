using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Semantics;
using TorchSharp;
using static TorchSharp.torch;

namespace E2ENet.Data.Inference
{
    /// <summary>
    /// nnU-Net's sliding-window inference on one preprocessed image:
    /// <list type="number">
    /// <item>pad with zeros to at least the patch (half before, the rest after, per axis);</item>
    /// <item>tile start positions per axis: n = ceil((size - patch) / (patch x step)) + 1 tiles, evenly spread from 0 to
    /// size - patch and rounded (<see cref="Steps"/>);</item>
    /// <item>each tile: softmax of the predictor's logits, averaged over every mirroring of the chosen axes (flip,
    /// predict, softmax, flip back), times the Gaussian importance map;</item>
    /// <item>sum of weighted softmaxes divided by the sum of weights, padding removed.</item>
    /// </list>
    /// The result is the per-class probabilities (K, D, H, W); <c>argmax</c> over K is the segmentation.
    /// </summary>
    public static class SlidingWindow
    {
        /// <summary>
        /// The alpha of the accumulating <c>add_</c>: TorchSharp's one-argument <c>add_(Tensor)</c> passes a temporary Scalar 1
        /// that a garbage collection on another thread can finalize while libtorch still reads it; a static one stays reachable.
        /// </summary>
        private static readonly Scalar One = 1.ToScalar();

        /// <summary>nnU-Net's tile start positions along one axis (<c>compute_steps_for_sliding_window</c>).</summary>
        public static int[] Steps(int imageSize, int patchSize, double step)
        {
            if (imageSize < patchSize) throw new ArgumentException($"image size {imageSize} is smaller than the patch {patchSize}: pad first");
            double target = patchSize * step;
            int count = (int)Math.Ceiling((imageSize - patchSize) / target) + 1;
            int max = imageSize - patchSize;
            double actual = count > 1 ? (double)max / (count - 1) : 0;
            return Enumerable.Range(0, count).Select(i => (int)Math.Round(actual * i, MidpointRounding.ToEven)).ToArray();
        }

        /// <summary>Every mirroring combination of <paramref name="axes"/> as tensor dimensions (axis + 2), the empty one first.</summary>
        public static IReadOnlyList<long[]> MirrorCombinations(int[] axes)
        {
            var result = new List<long[]>();
            for (int mask = 0; mask < 1 << axes.Length; mask++)
                result.Add(axes.Where((_, i) => (mask & (1 << i)) != 0).Select(a => (long)a + 2).ToArray());
            return result;
        }

        /// <summary>
        /// Predicts class probabilities for a preprocessed image.
        /// </summary>
        /// <param name="image">(C, D, H, W) float32, any device.</param>
        /// <param name="predictor">The network.</param>
        /// <param name="options">Patch, step, mirroring, device.</param>
        /// <param name="progress">One report per tile.</param>
        /// <returns>(K, D, H, W) float32 probabilities on the CPU; the caller disposes it.</returns>
        /// <exception cref="DataException">E4301 when the predictor's output shape is wrong, E4302 when it is not finite.</exception>
        public static Tensor PredictProbabilities(Tensor image, PatchPredictor predictor, SlidingWindowOptions options, IProgress<DataProgress>? progress = null)
        {
            options.Validate();
            if (image.dim() != 4) throw new DataException(DataErrors.InputMismatch, null, $"the image must be (C, D, H, W); it has shape [{string.Join(", ", image.shape)}]");
            var size = new Int3((int)image.shape[1], (int)image.shape[2], (int)image.shape[3]);
            long area = (long)size.H * size.W;
            float[]? all = null;
            long classes = 0;
            using (var tiles = new TensorTiles(image, options))
            {
                PredictPlanes(tiles, predictor, options, (z, plane) =>
                {
                    if (all == null)
                    {
                        classes = plane.LongLength / area;
                        all = new float[classes * size.Volume];
                    }
                    for (long k = 0; k < classes; k++) Array.Copy(plane, k * area, all, k * size.Volume + z * area, area);
                }, progress);
            }
            return tensor(all!, new[] { classes, size.D, size.H, size.W });
        }

        /// <summary>
        /// Predicts class probabilities for a preprocessed image held as a float32 array (C, D, H, W), plane by plane: each
        /// finished plane along D goes to <paramref name="sink"/> in order, as classes x H x W values. The image never becomes a
        /// tensor (tiles are copied out of it) and only a window of one patch's depth of sums is kept, so memory is the image
        /// and about K x patch depth x H x W, not K x D x H x W. The sums are those of <see cref="PredictProbabilities"/> exactly.
        /// </summary>
        /// <exception cref="DataException">E4301 when the predictor's output shape is wrong, E4302 when it is not finite.</exception>
        public static void PredictPlanes(float[] image, int channels, Int3 size, PatchPredictor predictor, SlidingWindowOptions options,
            Action<int, float[]> sink, IProgress<DataProgress>? progress = null)
        {
            PredictPlanes(image, channels, size, new[] { new EnsembleMember(predictor, options.MirrorAxes) }, options, sink, progress);
        }

        /// <summary>
        /// The same for an ensemble: each tile's probabilities are the mean over <paramref name="members"/> of each member's
        /// softmax averaged over its own mirrorings (<see cref="EnsembleMember.MirrorAxes"/>; the options' mirror axes are not
        /// used), so the planes are the mean of the members' planes and memory stays that of one prediction.
        /// </summary>
        /// <exception cref="DataException">E4301 when a predictor's output shape is wrong or members disagree on the classes, E4302 when it is not finite.</exception>
        public static void PredictPlanes(float[] image, int channels, Int3 size, IReadOnlyList<EnsembleMember> members, SlidingWindowOptions options,
            Action<int, float[]> sink, IProgress<DataProgress>? progress = null)
        {
            options.Validate();
            if (members.Count == 0) throw new ArgumentException("an ensemble needs at least one member", nameof(members));
            foreach (EnsembleMember member in members)
                new SlidingWindowOptions { Patch = options.Patch, Step = options.Step, SigmaScale = options.SigmaScale, MirrorAxes = member.MirrorAxes.ToArray() }.Validate();
            if (image.LongLength != channels * size.Volume)
                throw new DataException(DataErrors.InputMismatch, null, $"{image.LongLength} values for {channels} channel(s) of {size.ToSizeString()}");
            using var tiles = new ArrayTiles(image, channels, size, options);
            PredictPlanes(tiles, members, options, sink, progress);
        }

        private static void PredictPlanes(TileSource tiles, PatchPredictor predictor, SlidingWindowOptions options, Action<int, float[]> sink, IProgress<DataProgress>? progress)
            => PredictPlanes(tiles, new[] { new EnsembleMember(predictor, options.MirrorAxes) }, options, sink, progress);

        private static void PredictPlanes(TileSource tiles, IReadOnlyList<EnsembleMember> members, SlidingWindowOptions options, Action<int, float[]> sink, IProgress<DataProgress>? progress)
        {
            Device device = options.Device ?? CPU;
            Int3 patch = options.Patch;
            long[] padded = tiles.Padded, before = tiles.Before;
            Int3 size = tiles.Size;
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();

            // Tiles: rows of equal start along D, in increasing order; a plane is final once the next row starts past it.
            int[][] steps = Enumerable.Range(0, 3).Select(axis => Steps((int)padded[axis], patch[axis], options.Step)).ToArray();
            int count = steps[0].Length * steps[1].Length * steps[2].Length;
            Tensor gaussian = options.UseGaussian
                ? tensor(GaussianImportance.Compute(patch, options.SigmaScale), new long[] { patch.D, patch.H, patch.W }).to(device)
                : ones(new long[] { patch.D, patch.H, patch.W }, float32, device);
            Tensor? sums = null;
            Tensor weights = zeros(new long[] { patch.D, padded[1], padded[2] }, float32, device);
            IReadOnlyList<long[]>[] mirrors = members.Select(m => MirrorCombinations(m.MirrorAxes.ToArray())).ToArray();
            int done = 0, windowStart = 0;

            void Emit(int from, int to)
            {
                // Planes [from, to) of the padded image, held at [from - windowStart, to - windowStart) of the window.
                int first = Math.Max(from, (int)before[0]), last = Math.Min(to, (int)(before[0] + size.D));
                if (sums is null || last <= first) return;
                for (int z = first; z < last; z++)
                {
                    using var planeScope = NewDisposeScope();
                    Tensor plane = (sums.select(1, z - windowStart) / weights.select(0, z - windowStart).unsqueeze(0))
                        .narrow(1, before[1], size.H).narrow(2, before[2], size.W).to(CPU).contiguous();
                    sink(z - (int)before[0], plane.data<float>().ToArray());
                }
                LargeArrays.ReclaimIfChurned();
            }

            void Shift(int to)
            {
                int by = to - windowStart;
                if (by <= 0) return;
                foreach (Tensor window in new[] { sums!, weights.unsqueeze(0) })
                {
                    long depth = window.shape[1];
                    if (by < depth)
                    {
                        using Tensor kept = window.narrow(1, by, depth - by).clone();
                        window.zero_();
                        window.narrow(1, 0, depth - by).copy_(kept);
                    }
                    else window.zero_();
                }
                windowStart = to;
            }

            foreach (int d in steps[0])
            {
                if (sums is not null && d > windowStart)
                {
                    Emit(windowStart, d);
                    Shift(d);
                }
                foreach (int h in steps[1])
                    foreach (int w in steps[2])
                    {
                        using var tileScope = NewDisposeScope();
                        Tensor tile = tiles.Tile(d, h, w);
                        Tensor probabilities = EnsembleSoftmax(tile, members, mirrors, device);
                        if (sums is null)
                        {
                            sums = zeros(new[] { probabilities.shape[1], patch.D, padded[1], padded[2] }, float32, device).MoveToOuterDisposeScope();
                            windowStart = d;
                        }
                        else if (probabilities.shape[1] != sums.shape[0])
                            throw new DataException(DataErrors.PredictorShape, null, $"the predictor returned {probabilities.shape[1]} classes for one tile and {sums.shape[0]} for another");
                        sums.narrow(1, d - windowStart, patch.D).narrow(2, h, patch.H).narrow(3, w, patch.W).add_(probabilities[0] * gaussian, One);
                        weights.narrow(0, d - windowStart, patch.D).narrow(1, h, patch.H).narrow(2, w, patch.W).add_(gaussian, One);
                        progress?.Report(new DataProgress("predict", ++done, count, null));
                        if (tiles is ArrayTiles) LargeArrays.ReclaimIfChurned();
                    }
            }
            Emit(windowStart, (int)padded[0]);
        }

        /// <summary>Where tiles come from: the image padded (virtually or not) to at least the patch, half before and the rest after.</summary>
        private abstract class TileSource : IDisposable
        {
            protected TileSource(Int3 size, Int3 patch)
            {
                Size = size;
                Before = new long[3];
                Padded = new long[3];
                for (int axis = 0; axis < 3; axis++)
                {
                    long missing = Math.Max(0, patch[axis] - size[axis]);
                    Before[axis] = missing / 2;
                    Padded[axis] = size[axis] + missing;
                }
            }

            public Int3 Size { get; }

            public long[] Before { get; }

            public long[] Padded { get; }

            /// <summary>The tile (1, C, patch) at padded position (d, h, w), on the options' device.</summary>
            public abstract Tensor Tile(int d, int h, int w);

            public virtual void Dispose()
            {
            }
        }

        /// <summary>Tiles of a tensor image: padded once with zeros, then narrowed.</summary>
        private sealed class TensorTiles : TileSource
        {
            private readonly Tensor _input;
            private readonly Int3 _patch;

            public TensorTiles(Tensor image, SlidingWindowOptions options)
                : base(new Int3((int)image.shape[1], (int)image.shape[2], (int)image.shape[3]), options.Patch)
            {
                _patch = options.Patch;
                Tensor input = image.to(float32).to(options.Device ?? CPU);
                if (Before.Any(b => b > 0) || Padded.Where((p, axis) => p > Size[axis]).Any())
                {
                    long[] after = Enumerable.Range(0, 3).Select(axis => Padded[axis] - Size[axis] - Before[axis]).ToArray();
                    input = nn.functional.pad(input, new[] { Before[2], after[2], Before[1], after[1], Before[0], after[0] });
                }
                _input = input;
            }

            public override Tensor Tile(int d, int h, int w) => _input.narrow(1, d, _patch.D).narrow(2, h, _patch.H).narrow(3, w, _patch.W).unsqueeze(0);

            public override void Dispose() => _input.Dispose();
        }

        /// <summary>Tiles copied out of a float32 array (C, D, H, W) on the CPU; the padding is zeros that are never stored.</summary>
        private sealed class ArrayTiles : TileSource
        {
            private readonly float[] _image;
            private readonly int _channels;
            private readonly Int3 _patch;
            private readonly Device _device;
            private readonly float[] _buffer;

            public ArrayTiles(float[] image, int channels, Int3 size, SlidingWindowOptions options)
                : base(size, options.Patch)
            {
                _image = image;
                _channels = channels;
                _patch = options.Patch;
                _device = options.Device ?? CPU;
                _buffer = new float[channels * _patch.Volume];
            }

            public override Tensor Tile(int d, int h, int w)
            {
                Array.Clear(_buffer);
                long plane = (long)Size.H * Size.W;
                for (int c = 0; c < _channels; c++)
                    for (int a = 0; a < _patch.D; a++)
                    {
                        long z = d + a - Before[0];
                        if (z < 0 || z >= Size.D) continue;
                        for (int b = 0; b < _patch.H; b++)
                        {
                            long y = h + b - Before[1];
                            if (y < 0 || y >= Size.H) continue;
                            long x0 = Math.Max(0, w - Before[2]), x1 = Math.Min(Size.W, w - Before[2] + _patch.W);
                            if (x1 <= x0) continue;
                            long source = c * Size.Volume + z * plane + y * Size.W + x0;
                            long target = ((long)(c * _patch.D + a) * _patch.H + b) * _patch.W + (x0 - (w - Before[2]));
                            Array.Copy(_image, source, _buffer, target, x1 - x0);
                        }
                    }
                return tensor(_buffer, new long[] { 1, _channels, _patch.D, _patch.H, _patch.W }).to(_device);
            }
        }

        /// <summary>The mean over the members of each one's mirrored softmax over a tile (1, C, P...).</summary>
        private static Tensor EnsembleSoftmax(Tensor tile, IReadOnlyList<EnsembleMember> members, IReadOnlyList<long[]>[] mirrors, Device device)
        {
            if (members.Count == 1) return MirroredSoftmax(tile, members[0].Predict, mirrors[0], device);
            Tensor? sum = null;
            for (int m = 0; m < members.Count; m++)
            {
                Tensor probabilities = MirroredSoftmax(tile, members[m].Predict, mirrors[m], device);
                if (sum is not null && probabilities.shape[1] != sum.shape[1])
                    throw new DataException(DataErrors.PredictorShape, null, $"ensemble member {m + 1} predicts {probabilities.shape[1]} classes; member 1 predicts {sum.shape[1]}");
                sum = sum is null ? probabilities : sum + probabilities;
            }
            return sum! / members.Count;
        }

        /// <summary>The softmax of the predictor over a tile (1, C, P...), averaged over the mirror combinations.</summary>
        private static Tensor MirroredSoftmax(Tensor tile, PatchPredictor predictor, IReadOnlyList<long[]> mirrors, Device device)
        {
            Tensor? sum = null;
            foreach (long[] dims in mirrors)
            {
                Tensor input = dims.Length > 0 ? tile.flip(dims) : tile;
                Tensor logits = predictor(input);
                Check(logits, tile);
                Tensor probabilities = logits.to(float32).to(device).softmax(1);
                if (dims.Length > 0) probabilities = probabilities.flip(dims);
                sum = sum is null ? probabilities : sum + probabilities;
            }
            return sum! / mirrors.Count;
        }

        private static void Check(Tensor logits, Tensor input)
        {
            long[] shape = logits.shape, expected = input.shape;
            if (shape.Length != 5 || shape[0] != expected[0] || shape[1] < 2 || shape[2] != expected[2] || shape[3] != expected[3] || shape[4] != expected[4])
                throw new DataException(DataErrors.PredictorShape, null,
                    $"for an input of shape [{string.Join(", ", expected)}] the predictor returned [{string.Join(", ", shape)}]; expected [{expected[0]}, classes (2 or more), {expected[2]}, {expected[3]}, {expected[4]}]");
            using Tensor finite = isfinite(logits).all();
            if (!finite.item<bool>()) throw new DataException(DataErrors.PredictorNonFinite, null, "the predictor returned NaN or infinite logits");
        }
    }
}
