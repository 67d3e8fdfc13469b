using System;
using E2ENet.Compiler.Semantics;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace E2ENet.Training.Losses
{
    /// <summary>
    /// nnU-Net v1's Dice + cross-entropy (docs/method.md, "Training recipe"): soft Dice on the softmax with tp, fp, fn summed over
    /// the batch and space ("batch Dice"), background excluded, <c>dc = (2 tp + smooth) / (2 tp + fp + fn + smooth + 1e-8)</c>,
    /// and the loss <c>ce_weight * CE + dice_weight * (-mean dc)</c>. Its value is negative when Dice dominates, as in nnU-Net;
    /// only its gradient matters.
    /// </summary>
    public sealed class DiceCrossEntropyLoss
    {
        /// <summary>Creates the loss from the model's <c>training.loss</c>.</summary>
        public DiceCrossEntropyLoss(LossSpec spec)
        {
            Smooth = spec.Smooth;
            DiceWeight = spec.DiceWeight;
            CeWeight = spec.CeWeight;
        }

        /// <summary>Dice smoothing.</summary>
        public double Smooth { get; }

        /// <summary>Weight of the Dice term.</summary>
        public double DiceWeight { get; }

        /// <summary>Weight of the cross-entropy term.</summary>
        public double CeWeight { get; }

        /// <summary>
        /// The loss of one head. <paramref name="logits"/> (B, K, D, H, W); <paramref name="target"/> (B, 1, D, H, W) or
        /// (B, D, H, W), integer class indices in [0, K).
        /// </summary>
        public Tensor Compute(Tensor logits, Tensor target)
        {
            if (logits.dim() != 5) throw new ArgumentException($"logits must be (B, K, D, H, W), got {logits.dim()} dimensions");
            using var scope = NewDisposeScope();
            Tensor labels = (target.dim() == 5 ? target.squeeze(1) : target).to(int64);
            if (!labels.shape.AsSpan().SequenceEqual(new[] { logits.shape[0], logits.shape[2], logits.shape[3], logits.shape[4] }))
            {
                throw new ArgumentException($"target shape [{string.Join(", ", target.shape)}] does not match logits [{string.Join(", ", logits.shape)}]");
            }
            long classes = logits.shape[1];
            // Every number enters as a Scalar held by a using variable: see TorchScalars.
            using Scalar ceWeight = TorchScalars.Of(CeWeight), diceWeight = TorchScalars.Of(-DiceWeight), two = TorchScalars.Of(2.0);
            using Scalar smooth = TorchScalars.Of(Smooth), denominatorSmooth = TorchScalars.Of(Smooth + 1e-8);
            Tensor total = zeros(Array.Empty<long>(), dtype: float32, device: logits.device);
            if (CeWeight != 0)
            {
                total = total.add(F.cross_entropy(logits.to(float32), labels).mul(ceWeight), TorchScalars.One);
            }
            if (DiceWeight != 0 && classes > 1)
            {
                Tensor probabilities = F.softmax(logits.to(float32), 1);
                Tensor onehot = F.one_hot(labels, classes).permute(0, 4, 1, 2, 3).to(float32);
                long[] axes = { 0, 2, 3, 4 };
                Tensor tp = probabilities.mul(onehot).sum(axes);
                Tensor fp = probabilities.sum(axes).sub(tp);
                Tensor fn = onehot.sum(axes).sub(tp);
                Tensor twoTp = tp.mul(two);
                Tensor dice = twoTp.add(smooth, TorchScalars.One).div(twoTp.add(fp, TorchScalars.One).add(fn, TorchScalars.One).add(denominatorSmooth, TorchScalars.One));
                total = total.add(dice.narrow(0, 1, classes - 1).mean().mul(diceWeight), TorchScalars.One);
            }
            return total.MoveToOuterDisposeScope();
        }
    }
}
