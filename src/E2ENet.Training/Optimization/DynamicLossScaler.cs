using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace E2ENet.Training.Optimization
{
    /// <summary>
    /// Dynamic loss scaling for float16 training (the rule of PyTorch's GradScaler, Micikevicius et al. 2018): the loss is
    /// multiplied by <see cref="Scale"/> before the backward pass so that small gradients do not flush to zero in float16;
    /// the float32 gradients are divided by it again before clipping and the optimizer step. When any gradient is NaN or
    /// infinite the step is skipped and the scale halves; after <see cref="GrowthInterval"/> good steps in a row it doubles.
    /// Its state (scale, good steps) is saved with each checkpoint, so a resumed run scales exactly as it would have.
    /// </summary>
    public sealed class DynamicLossScaler
    {
        /// <summary>The first scale (2^16, as PyTorch).</summary>
        public const double InitialScale = 65536;

        /// <summary>
        /// Creates a scaler at <paramref name="scale"/> with <paramref name="goodSteps"/> good steps in a row and
        /// <paramref name="skipped"/> skipped steps behind it (a resumed run passes its checkpoint's).
        /// </summary>
        public DynamicLossScaler(double scale = InitialScale, int goodSteps = 0, long skipped = 0, int growthInterval = 2000)
        {
            if (!(scale > 0) || double.IsInfinity(scale)) throw new ArgumentOutOfRangeException(nameof(scale), "the loss scale must be a positive finite number");
            if (growthInterval < 1) throw new ArgumentOutOfRangeException(nameof(growthInterval));
            Scale = scale;
            GoodSteps = goodSteps;
            Skipped = skipped;
            GrowthInterval = growthInterval;
        }

        /// <summary>The factor the loss is multiplied by.</summary>
        public double Scale { get; private set; }

        /// <summary>Good steps since the scale last changed.</summary>
        public int GoodSteps { get; private set; }

        /// <summary>Good steps in a row after which the scale doubles.</summary>
        public int GrowthInterval { get; }

        /// <summary>Steps skipped so far by this scaler (gradients not finite).</summary>
        public long Skipped { get; private set; }

        /// <summary>The loss times the scale (what to call <c>backward</c> on).</summary>
        public Tensor ScaleLoss(Tensor loss) => loss * Scale;

        /// <summary>
        /// Divides every gradient by the scale, in place, and says whether all of them are finite (one device sync). When they
        /// are not, the caller skips the step (and should zero the gradients).
        /// </summary>
        public bool Unscale(IEnumerable<Tensor> gradients)
        {
            using var scope = NewDisposeScope();
            Tensor? bad = null;
            double inverse = 1.0 / Scale;
            foreach (Tensor gradient in gradients)
            {
                gradient.mul_(inverse);
                Tensor count = gradient.isfinite().logical_not().sum();
                bad = bad is null ? count : bad + count;
            }
            return bad is null || bad.item<long>() == 0;
        }

        /// <summary>After a step: a finite step counts towards growth (doubling at the interval); a skipped one halves the scale.</summary>
        public void Update(bool finite)
        {
            if (finite)
            {
                GoodSteps++;
                if (GoodSteps >= GrowthInterval)
                {
                    Scale = Math.Min(Scale * 2, 1e30);
                    GoodSteps = 0;
                }
            }
            else
            {
                Scale = Math.Max(Scale / 2, 1e-30);
                GoodSteps = 0;
                Skipped++;
            }
        }
    }
}
