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
            Device device = options.Device ?? CPU;
            Int3 patch = options.Patch;
            long[] size = { image.shape[1], image.shape[2], image.shape[3] };

            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            // 1. Pad to at least the patch.
            long[] before = new long[3], after = new long[3];
            for (int axis = 0; axis < 3; axis++)
            {
                long missing = Math.Max(0, patch[axis] - size[axis]);
                before[axis] = missing / 2;
                after[axis] = missing - before[axis];
            }
            Tensor input = image.to(float32).to(device);
            if (before.Any(b => b > 0) || after.Any(a => a > 0))
                input = nn.functional.pad(input, new[] { before[2], after[2], before[1], after[1], before[0], after[0] });
            long[] padded = { input.shape[1], input.shape[2], input.shape[3] };

            // 2. Tiles.
            int[][] steps = Enumerable.Range(0, 3).Select(axis => Steps((int)padded[axis], patch[axis], options.Step)).ToArray();
            int tiles = steps[0].Length * steps[1].Length * steps[2].Length;
            Tensor gaussian = options.UseGaussian
                ? tensor(GaussianImportance.Compute(patch, options.SigmaScale), new long[] { patch.D, patch.H, patch.W }).to(device)
                : ones(new long[] { patch.D, patch.H, patch.W }, float32, device);
            Tensor? aggregated = null;
            Tensor weights = zeros(padded, float32, device);
            IReadOnlyList<long[]> mirrors = MirrorCombinations(options.MirrorAxes);
            int done = 0;
            foreach (int d in steps[0])
                foreach (int h in steps[1])
                    foreach (int w in steps[2])
                    {
                        using var tileScope = NewDisposeScope();
                        Tensor tile = input.narrow(1, d, patch.D).narrow(2, h, patch.H).narrow(3, w, patch.W).unsqueeze(0);
                        Tensor probabilities = MirroredSoftmax(tile, predictor, mirrors, device);
                        if (aggregated is null)
                        {
                            aggregated = zeros(new[] { probabilities.shape[1], padded[0], padded[1], padded[2] }, float32, device).MoveToOuterDisposeScope();
                        }
                        else if (probabilities.shape[1] != aggregated.shape[0])
                            throw new DataException(DataErrors.PredictorShape, null, $"the predictor returned {probabilities.shape[1]} classes for one tile and {aggregated.shape[0]} for another");
                        aggregated.narrow(1, d, patch.D).narrow(2, h, patch.H).narrow(3, w, patch.W).add_(probabilities[0] * gaussian, One);
                        weights.narrow(0, d, patch.D).narrow(1, h, patch.H).narrow(2, w, patch.W).add_(gaussian, One);
                        progress?.Report(new DataProgress("predict", ++done, tiles, null));
                    }

            // 3. Normalize, remove padding.
            Tensor result = (aggregated! / weights.unsqueeze(0))
                .narrow(1, before[0], size[0]).narrow(2, before[1], size[1]).narrow(3, before[2], size[2])
                .to(CPU).contiguous();
            return result.MoveToOuterDisposeScope();
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
