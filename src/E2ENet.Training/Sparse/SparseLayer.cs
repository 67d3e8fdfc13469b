using System;
using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using static TorchSharp.torch;

namespace E2ENet.Training.Sparse
{
    /// <summary>
    /// One sparse tensor of DSFF (a fusion conv or transposed conv weight) and its mask.
    /// <para>
    /// Units: with <see cref="SparsityUnit.Kernel"/> one unit is one (row, column) pair of the weight's first two dimensions,
    /// i.e. one whole kernel with all its taps (mask [rows, columns]); with <see cref="SparsityUnit.Channel"/> one unit is one
    /// input channel (a conv weight [out, in, k...] is masked along dimension 1, a transposed conv weight [in, out, k...]
    /// along dimension 0); with <see cref="SparsityUnit.Group"/> one unit is one input channel of a group of consecutive output
    /// channels (<see cref="MaskIr"/> gives the geometry), and each group keeps the same number of inputs. The mask is kept on
    /// the CPU as 0/1 floats, unit-major; the weight is multiplied by it, broadcast.
    /// </para>
    /// </summary>
    public sealed class SparseLayer
    {
        private readonly float[] _mask;

        internal SparseLayer(ParameterIr parameter, Tensor weight)
        {
            if (parameter.Mask == null) throw new ArgumentException($"{parameter.Name} is not sparse", nameof(parameter));
            Name = parameter.Name;
            Ir = parameter.Mask;
            Unit = parameter.Mask.Unit;
            Transposed = parameter.Role == ParameterRole.UpWeight;
            Rows = parameter.Mask.Rows;
            Columns = parameter.Mask.Columns;
            Units = checked((int)parameter.Mask.Units);
            Kept = checked((int)parameter.Mask.Kept);
            Weight = weight;
            if (!weight.shape.SequenceEqual(parameter.Shape))
            {
                throw new ArgumentException($"{Name}: the network's weight is [{string.Join(", ", weight.shape)}] but the IR says {parameter.ShapeText}");
            }
            _mask = Enumerable.Repeat(1f, Units).ToArray();
        }

        /// <summary>The parameter's state-dict name.</summary>
        public string Name { get; }

        /// <summary>The mask's description in the IR (unit geometry, kept counts).</summary>
        public MaskIr Ir { get; }

        /// <summary>What a unit is.</summary>
        public SparsityUnit Unit { get; }

        /// <summary>True for a transposed convolution (weight [in, out, k...]).</summary>
        public bool Transposed { get; }

        /// <summary>The weight's first dimension.</summary>
        public int Rows { get; }

        /// <summary>The weight's second dimension.</summary>
        public int Columns { get; }

        /// <summary>Number of units.</summary>
        public int Units { get; }

        /// <summary>Units kept active, exactly, after initialisation and after every evolution round.</summary>
        public int Kept { get; internal set; }

        /// <summary>The weight tensor (a parameter of the network).</summary>
        public Tensor Weight { get; }

        /// <summary>A copy of the mask (1 active, 0 pruned), unit-major.</summary>
        public float[] Mask => (float[])_mask.Clone();

        /// <summary>Number of active units.</summary>
        public int ActiveCount => _mask.Count(m => m != 0);

        /// <summary>Input channels of the layer (the dimension channel units run along).</summary>
        public int InputChannels => Transposed ? Rows : Columns;

        /// <summary>The shape the mask takes to multiply the weight: [rows, cols, 1, 1, 1] or the input-channel axis.</summary>
        internal long[] BroadcastShape => Unit == SparsityUnit.Channel
            ? Transposed ? new long[] { Rows, 1, 1, 1, 1 } : new long[] { 1, Columns, 1, 1, 1 }
            : new long[] { Rows, Columns, 1, 1, 1 };

        /// <summary>The unit shape of exported masks: [rows, cols] for kernels, [input channels] for channels, [out / group, in] (or [in, out / group]) for groups.</summary>
        public long[] UnitShape => Ir.UnitShape;

        /// <summary>The sets of units with a fixed kept count each (one per output group with unit group; otherwise the whole layer).</summary>
        internal int[][] KeptSets => _keptSets ??= Ir.KeptSets();

        /// <summary>Units kept in each of <see cref="KeptSets"/>.</summary>
        internal int KeptPerSet => Unit == SparsityUnit.Group ? Kept / KeptSets.Length : Kept;

        private int[][]? _keptSets;

        internal void SetMask(float[] mask)
        {
            if (mask.Length != Units) throw new ArgumentException($"{Name}: a mask of {mask.Length} units for a layer of {Units}");
            Array.Copy(mask, _mask, Units);
        }

        /// <summary>The mask as a tensor of <see cref="BroadcastShape"/> on <paramref name="device"/>.</summary>
        internal Tensor BroadcastMask(float[] values, Device device)
            => tensor(Unit == SparsityUnit.Group ? Ir.ExpandToKernels(values) : values, BroadcastShape, dtype: float32, device: device);

        /// <summary>Per-unit sum of absolute values of <paramref name="source"/> (the weight or its gradient), unit-major, on the CPU.</summary>
        internal float[] UnitL1(Tensor source)
        {
            using var scope = NewDisposeScope();
            Tensor absolute = source.detach().abs().to(float32);
            Tensor reduced = Unit == SparsityUnit.Channel
                ? absolute.sum(Transposed ? new long[] { 1, 2, 3, 4 } : new long[] { 0, 2, 3, 4 })
                : absolute.sum(new long[] { 2, 3, 4 });
            float[] values = reduced.cpu().contiguous().data<float>().ToArray();
            if (Unit != SparsityUnit.Group) return values;
            // Group units: the kernels' norms summed over each unit's outputs, in double and a fixed order (deterministic).
            var sums = new double[Units];
            for (int r = 0; r < Rows; r++)
            {
                for (int c = 0; c < Columns; c++) sums[Ir.UnitOf(r, c)] += values[(long)r * Columns + c];
            }
            return sums.Select(v => (float)v).ToArray();
        }
    }
}
