using System.Collections.Generic;
using static TorchSharp.torch;

namespace E2ENet.Training.Optimization
{
    /// <summary>
    /// An optimizer whose per-parameter state is addressable by the parameter's state-dict name, so that DSFF can mask it
    /// (and zero it for regrown units) and checkpoints can save and restore it exactly.
    /// </summary>
    public interface IParameterOptimizer
    {
        /// <summary>One update of every parameter that has a gradient, at learning rate <paramref name="learningRate"/>.</summary>
        void Step(double learningRate);

        /// <summary>Sets every gradient to null.</summary>
        void ZeroGrad();

        /// <summary>The state tensors of parameter <paramref name="name"/> that follow its sparsity (momentum; AdamW's moments).</summary>
        IEnumerable<Tensor> StateOf(string name);

        /// <summary>Every state tensor by key (<c>{state}.{parameter}</c>), for checkpoints.</summary>
        IReadOnlyDictionary<string, Tensor> ExportState();

        /// <summary>Restores state saved by <see cref="ExportState"/> (copies; shapes are checked).</summary>
        void ImportState(IReadOnlyDictionary<string, Tensor> state);

        /// <summary>Steps taken (AdamW's bias correction needs it).</summary>
        long Steps { get; set; }
    }
}
