using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace E2ENet.Training.Optimization
{
    /// <summary>What the optimizers share: the named parameters, the step count, clearing gradients, restoring a saved state buffer.</summary>
    public abstract class ParameterOptimizer : IParameterOptimizer
    {
        /// <summary>Takes the parameters by state-dict name.</summary>
        protected ParameterOptimizer(IEnumerable<(string Name, Tensor Parameter)> parameters) => Parameters = parameters.ToList();

        /// <summary>The parameters by state-dict name, in the order given.</summary>
        protected IReadOnlyList<(string Name, Tensor Parameter)> Parameters { get; }

        /// <inheritdoc />
        public long Steps { get; set; }

        /// <inheritdoc />
        public abstract void Step(double learningRate);

        /// <inheritdoc />
        public void ZeroGrad()
        {
            foreach (var (_, parameter) in Parameters)
            {
                Tensor? grad = parameter.grad;
                if (grad is not null)
                {
                    grad.Dispose();
                    parameter.grad = null;
                }
            }
        }

        /// <inheritdoc />
        public abstract IEnumerable<Tensor> StateOf(string name);

        /// <inheritdoc />
        public abstract IReadOnlyDictionary<string, Tensor> ExportState();

        /// <inheritdoc />
        public abstract void ImportState(IReadOnlyDictionary<string, Tensor> state);

        /// <summary>
        /// Copies the saved buffer <paramref name="key"/> (if present) into <paramref name="target"/>[<paramref name="name"/>] on the
        /// parameter's dtype and device, replacing (and disposing) what was there; a shape that is not the parameter's is an error.
        /// </summary>
        protected static void RestoreBuffer(IReadOnlyDictionary<string, Tensor> state, string key, string name, Tensor parameter, Dictionary<string, Tensor> target)
        {
            if (!state.TryGetValue(key, out Tensor? saved)) return;
            if (!saved.shape.SequenceEqual(parameter.shape))
            {
                throw new InvalidOperationException($"saved {key} is [{string.Join(", ", saved.shape)}], the parameter is [{string.Join(", ", parameter.shape)}]");
            }
            if (target.TryGetValue(name, out Tensor? old)) old.Dispose();
            target[name] = saved.to(parameter.dtype, parameter.device).clone().DetachFromDisposeScope();
        }
    }
}
