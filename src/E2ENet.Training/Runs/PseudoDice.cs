using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace E2ENet.Training.Runs
{
    /// <summary>
    /// nnU-Net's online evaluation on validation patches: the argmax of the full-resolution head against the target,
    /// true/false positives and false negatives per foreground class summed over every patch of the epoch, then
    /// Dice = 2 tp / (2 tp + fp + fn) per class (classes never present nor predicted count as NaN and are skipped in the mean).
    /// </summary>
    public sealed class PseudoDice
    {
        private readonly long[] _tp, _fp, _fn;

        /// <summary>Creates the accumulator for <paramref name="classes"/> classes (background included).</summary>
        public PseudoDice(int classes)
        {
            _tp = new long[classes];
            _fp = new long[classes];
            _fn = new long[classes];
        }

        /// <summary>Adds a batch: logits (B, K, D, H, W) and target (B, 1, D, H, W).</summary>
        public void Add(Tensor logits, Tensor target)
        {
            using var scope = NewDisposeScope();
            Tensor predicted = logits.argmax(1).cpu();
            Tensor truth = target.squeeze(1).cpu();
            for (int k = 1; k < _tp.Length; k++)
            {
                using Scalar label = TorchScalars.Of((long)k);
                Tensor p = predicted.eq(label);
                Tensor t = truth.eq(label);
                _tp[k] += (p & t).sum().item<long>();
                _fp[k] += (p & t.logical_not()).sum().item<long>();
                _fn[k] += (p.logical_not() & t).sum().item<long>();
            }
        }

        /// <summary>Dice per foreground class (NaN where the class was neither present nor predicted).</summary>
        public double[] PerClass()
            => Enumerable.Range(1, _tp.Length - 1)
                .Select(k => 2 * _tp[k] + _fp[k] + _fn[k] == 0 ? double.NaN : 2.0 * _tp[k] / (2 * _tp[k] + _fp[k] + _fn[k]))
                .ToArray();

        /// <summary>Mean over foreground classes, NaN skipped (0 when every class is NaN).</summary>
        public double Mean()
        {
            var values = PerClass().Where(v => !double.IsNaN(v)).ToList();
            return values.Count == 0 ? 0 : values.Average();
        }
    }
}
