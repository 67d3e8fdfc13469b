using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace E2ENet.Training.Optimization
{
    /// <summary>
    /// SGD with (Nesterov) momentum and weight decay, exactly as torch.optim.SGD (dampening 0), nnU-Net's optimizer:
    /// <code>
    ///   g = grad + weight_decay * p;  buf = g on the first step, else momentum * buf + g;
    ///   g = g + momentum * buf (Nesterov) or buf;  p -= lr * g
    /// </code>
    /// Its momentum buffers are named after the parameters, so that DSFF masks them after every step.
    /// </summary>
    public sealed class SgdOptimizer : ParameterOptimizer
    {
        private readonly Dictionary<string, Tensor> _momentum = new Dictionary<string, Tensor>();

        /// <summary>Creates the optimizer.</summary>
        public SgdOptimizer(IEnumerable<(string Name, Tensor Parameter)> parameters, double momentum, bool nesterov, double weightDecay)
            : base(parameters)
        {
            Momentum = momentum;
            Nesterov = nesterov;
            WeightDecay = weightDecay;
        }

        /// <summary>Momentum factor.</summary>
        public double Momentum { get; }

        /// <summary>Whether the update uses Nesterov momentum.</summary>
        public bool Nesterov { get; }

        /// <summary>L2 weight decay added to the gradient.</summary>
        public double WeightDecay { get; }

        /// <inheritdoc />
        public override void Step(double learningRate)
        {
            using var _ = no_grad();
            // Numbers enter as Scalars held by using variables: see TorchScalars.
            using Scalar decay = TorchScalars.Of(WeightDecay), momentum = TorchScalars.Of(Momentum), step = TorchScalars.Of(-learningRate);
            foreach (var (name, parameter) in Parameters)
            {
                Tensor? grad = parameter.grad;
                if (grad is null) continue;
                using var scope = NewDisposeScope();
                Tensor g = WeightDecay != 0 ? grad.add(parameter, alpha: decay) : grad;
                if (Momentum != 0)
                {
                    if (!_momentum.TryGetValue(name, out Tensor? buffer))
                    {
                        buffer = g.detach().clone().DetachFromDisposeScope();
                        _momentum[name] = buffer;
                    }
                    else
                    {
                        buffer.mul_(momentum).add_(g, TorchScalars.One);
                    }
                    g = Nesterov ? g.add(buffer, alpha: momentum) : buffer;
                }
                parameter.add_(g, alpha: step);
            }
            Steps++;
        }

        /// <inheritdoc />
        public override IEnumerable<Tensor> StateOf(string name)
        {
            if (_momentum.TryGetValue(name, out Tensor? buffer)) yield return buffer;
        }

        /// <inheritdoc />
        public override IReadOnlyDictionary<string, Tensor> ExportState() => _momentum.ToDictionary(p => "momentum." + p.Key, p => p.Value);

        /// <inheritdoc />
        public override void ImportState(IReadOnlyDictionary<string, Tensor> state)
        {
            foreach (var (name, parameter) in Parameters) RestoreBuffer(state, "momentum." + name, name, parameter, _momentum);
        }
    }
}
