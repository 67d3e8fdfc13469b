using System;
using System.Collections.Generic;
using E2ENet.Compiler.Ir;
using TorchSharp;
using static TorchSharp.torch;

namespace E2ENet.Training.Losses
{
    /// <summary>
    /// The loss over the four heads (full resolution first), each against its target downsampled to the head's resolution,
    /// weighted by the model's <c>heads.deep_supervision</c> normalised to sum 1 (docs/method.md, "Heads and deep supervision": 8/15, 4/15, 2/15, 1/15).
    /// Heads of weight 0 are skipped.
    /// </summary>
    public sealed class DeepSupervisionLoss
    {
        private readonly DiceCrossEntropyLoss _loss;
        private readonly double[] _weights;

        /// <summary>Creates the loss for a network.</summary>
        public DeepSupervisionLoss(NetworkIr network)
        {
            _loss = new DiceCrossEntropyLoss(network.Spec.Training.Loss);
            _weights = new double[network.Heads.Count];
            for (int k = 0; k < _weights.Length; k++) _weights[k] = network.Heads[k].Weight;
        }

        /// <summary>The normalised head weights.</summary>
        public IReadOnlyList<double> Weights => _weights;

        /// <summary>The weighted sum of the heads' losses.</summary>
        public Tensor Compute(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> targets)
        {
            if (outputs.Count != _weights.Length || targets.Count != _weights.Length)
            {
                throw new ArgumentException($"deep supervision needs {_weights.Length} outputs and targets, got {outputs.Count} and {targets.Count}");
            }
            using var scope = NewDisposeScope();
            Tensor? total = null;
            for (int k = 0; k < _weights.Length; k++)
            {
                if (_weights[k] == 0) continue;
                using Scalar weight = TorchScalars.Of(_weights[k]);
                Tensor term = _loss.Compute(outputs[k], targets[k]).mul(weight);
                total = total is null ? term : total.add(term, TorchScalars.One);
            }
            return total!.MoveToOuterDisposeScope();
        }
    }
}
