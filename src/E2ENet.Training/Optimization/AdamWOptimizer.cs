using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace E2ENet.Training.Optimization
{
    /// <summary>
    /// AdamW (decoupled weight decay), as torch.optim.AdamW without amsgrad:
    /// <code>
    ///   p *= 1 - lr * wd;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
    ///   p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
    /// </code>
    /// </summary>
    public sealed class AdamWOptimizer : ParameterOptimizer
    {
        private readonly Dictionary<string, Tensor> _first = new Dictionary<string, Tensor>();
        private readonly Dictionary<string, Tensor> _second = new Dictionary<string, Tensor>();

        /// <summary>Creates the optimizer.</summary>
        public AdamWOptimizer(IEnumerable<(string Name, Tensor Parameter)> parameters, double beta1, double beta2, double eps, double weightDecay)
            : base(parameters)
        {
            Beta1 = beta1;
            Beta2 = beta2;
            Eps = eps;
            WeightDecay = weightDecay;
        }

        /// <summary>First-moment decay.</summary>
        public double Beta1 { get; }

        /// <summary>Second-moment decay.</summary>
        public double Beta2 { get; }

        /// <summary>Denominator epsilon.</summary>
        public double Eps { get; }

        /// <summary>Decoupled weight decay.</summary>
        public double WeightDecay { get; }

        /// <inheritdoc />
        public override void Step(double learningRate)
        {
            Steps++;
            double correction1 = 1 - Math.Pow(Beta1, Steps);
            double correction2 = 1 - Math.Pow(Beta2, Steps);
            using var _ = no_grad();
            // Numbers enter as Scalars held by using variables: see TorchScalars.
            using Scalar shrink = TorchScalars.Of(1 - learningRate * WeightDecay), beta1 = TorchScalars.Of(Beta1), oneMinusBeta1 = TorchScalars.Of(1 - Beta1);
            using Scalar beta2 = TorchScalars.Of(Beta2), oneMinusBeta2 = TorchScalars.Of(1 - Beta2), correction = TorchScalars.Of(correction2);
            using Scalar eps = TorchScalars.Of(Eps), step = TorchScalars.Of(-learningRate / correction1);
            foreach (var (name, parameter) in Parameters)
            {
                Tensor? grad = parameter.grad;
                if (grad is null) continue;
                using var scope = NewDisposeScope();
                if (!_first.TryGetValue(name, out Tensor? m))
                {
                    m = zeros_like(parameter).DetachFromDisposeScope();
                    _first[name] = m;
                }
                if (!_second.TryGetValue(name, out Tensor? v))
                {
                    v = zeros_like(parameter).DetachFromDisposeScope();
                    _second[name] = v;
                }
                if (WeightDecay != 0) parameter.mul_(shrink);
                m.mul_(beta1).add_(grad, alpha: oneMinusBeta1);
                v.mul_(beta2).addcmul_(grad, grad, value: oneMinusBeta2);
                Tensor denominator = v.div(correction).sqrt_().add_(eps, TorchScalars.One);
                parameter.addcdiv_(m, denominator, value: step);
            }
        }

        /// <inheritdoc />
        public override IEnumerable<Tensor> StateOf(string name)
        {
            if (_first.TryGetValue(name, out Tensor? m)) yield return m;
            if (_second.TryGetValue(name, out Tensor? v)) yield return v;
        }

        /// <inheritdoc />
        public override IReadOnlyDictionary<string, Tensor> ExportState()
            => _first.Select(p => ("exp_avg." + p.Key, p.Value)).Concat(_second.Select(p => ("exp_avg_sq." + p.Key, p.Value)))
                .ToDictionary(p => p.Item1, p => p.Item2);

        /// <inheritdoc />
        public override void ImportState(IReadOnlyDictionary<string, Tensor> state)
        {
            foreach (var (name, parameter) in Parameters)
            {
                RestoreBuffer(state, "exp_avg." + name, name, parameter, _first);
                RestoreBuffer(state, "exp_avg_sq." + name, name, parameter, _second);
            }
        }
    }
}
