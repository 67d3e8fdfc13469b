using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using static TorchSharp.torch;

namespace E2ENet.Torch.Weights
{
    /// <summary>
    /// The mask of one sparse weight (a fusion convolution or a transposed convolution), at the unit the model says
    /// (<see cref="MaskIr.Unit"/>): <c>kernel</c>, one bit per (first axis, second axis) pair of the weight, i.e.
    /// (out, in) for a convolution [out, in, kD, kH, kW] and (in, out) for a transposed convolution [in, out, kD, kH, kW];
    /// <c>channel</c>, one bit per input channel (axis 1 of a convolution, axis 0 of a transposed convolution); <c>group</c>, one
    /// bit per (output group, input channel) (see <see cref="MaskIr"/>).
    /// </summary>
    public sealed class SparseMask : System.IDisposable
    {
        internal SparseMask(ParameterIr parameter, Tensor units, long active)
        {
            Parameter = parameter;
            Units = units;
            Active = active;
        }

        /// <summary>The parameter, e.g. <c>loc0.4.0.blocks.0.conv.weight</c>, with its shape and <see cref="MaskIr"/>.</summary>
        public ParameterIr Parameter { get; }

        /// <summary>The state-dict key.</summary>
        public string Name => Parameter.Name;

        /// <summary>The mask as the IR describes it (units, kept units).</summary>
        public MaskIr Ir => Parameter.Mask!;

        /// <summary>
        /// One bool per unit: [rows, columns] (the weight's first two axes) for kernel units, [input channels] for channel units,
        /// <see cref="MaskIr.UnitShape"/> for group units.
        /// </summary>
        public Tensor Units { get; }

        /// <summary>Active (true) units.</summary>
        public long Active { get; }

        /// <summary>
        /// The mask as float32 shaped to broadcast over the weight (multiply the weight, its gradient or its momentum by it):
        /// [rows, columns, 1, 1, 1] for kernel units; [1, in, 1, 1, 1] (convolution) or [in, 1, 1, 1, 1] (transposed) for channel units.
        /// </summary>
        public Tensor WeightMask()
        {
            using Tensor values = Units.to_type(ScalarType.Float32);
            if (Ir.Unit == SparsityUnit.Kernel) return values.reshape(Units.shape[0], Units.shape[1], 1, 1, 1);
            if (Ir.Unit == SparsityUnit.Group)
            {
                // [out / group, in] -> [out, in] (or [in, out / group] -> [in, out]): every output of a group shares its bits.
                using Tensor kernels = values.repeat_interleave(Ir.Group, Ir.Transposed ? 1 : 0);
                return kernels.reshape(Ir.Rows, Ir.Columns, 1, 1, 1);
            }
            return Parameter.Role == ParameterRole.UpWeight ? values.reshape(-1, 1, 1, 1, 1) : values.reshape(1, -1, 1, 1, 1);
        }

        /// <summary>Derives the mask of a weight from its zero units (a unit is active when any of its taps is non-zero).</summary>
        public static SparseMask FromWeight(ParameterIr parameter, Tensor weight)
        {
            if (parameter.Mask == null) throw new System.ArgumentException(parameter.Name + " is not a sparse parameter", nameof(parameter));
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            Tensor nonzero = weight.detach().ne(0);
            Tensor units;
            if (parameter.Mask.Unit == SparsityUnit.Kernel)
            {
                units = nonzero.flatten(2).any(2);
            }
            else if (parameter.Mask.Unit == SparsityUnit.Group)
            {
                MaskIr mask = parameter.Mask;
                Tensor kernels = nonzero.flatten(2).any(2);
                units = mask.Transposed
                    ? kernels.reshape(mask.Rows, mask.Columns / mask.Group, mask.Group).any(2)
                    : kernels.reshape(mask.Rows / mask.Group, mask.Group, mask.Columns).any(1);
            }
            else
            {
                bool transposed = parameter.Role == ParameterRole.UpWeight;
                Tensor perInput = transposed ? nonzero.flatten(1) : nonzero.transpose(0, 1).flatten(1);
                units = perInput.any(1);
            }
            long active = units.sum().item<long>();
            return new SparseMask(parameter, units.MoveToOuterDisposeScope(), active);
        }

        /// <inheritdoc />
        public void Dispose() => Units.Dispose();
    }
}
