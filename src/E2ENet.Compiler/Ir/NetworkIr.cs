using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using E2ENet.Compiler.Semantics;

namespace E2ENet.Compiler.Ir
{
    /// <summary>A node of the fusion graph: <c>x[Level][Stage]</c>; stage 0 is the encoder.</summary>
    public readonly record struct NodeId(int Level, int Stage)
    {
        /// <summary><c>x23</c>: level 2, stage 3 (the paper's notation).</summary>
        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "x{0}{1}", Level, Stage);
    }

    /// <summary>
    /// The mask of a sparse layer: how many units it has and how many it keeps, over a weight whose first two axes are
    /// <see cref="Rows"/> x <see cref="Columns"/> (a convolution's [out, in], a transposed convolution's [in, out]).
    /// <para>
    /// Unit geometry, unit-major: <c>kernel</c> one unit per (row, column), mask [rows, columns]; <c>channel</c> one unit per
    /// input channel, mask [in]; <c>group</c> one unit per (group of <see cref="Group"/> consecutive output channels, input
    /// channel), mask [out / group, in] for a convolution and [in, out / group] for a transposed one. With <c>group</c> every
    /// output group keeps the same number of inputs, <see cref="FanIn"/> (constant fan-in), so <see cref="Kept"/> =
    /// groups x fan-in; the other units choose their kept units freely within the layer.
    /// </para>
    /// </summary>
    public sealed record MaskIr(SparsityUnit Unit, long Units, long Kept, int Rows, int Columns, int Group = 1, bool Transposed = false)
    {
        /// <summary>Kept share of units.</summary>
        public double Density => Units == 0 ? 0 : (double)Kept / Units;

        /// <summary>Input channels of the layer.</summary>
        public int InChannels => Transposed ? Rows : Columns;

        /// <summary>Output channels of the layer.</summary>
        public int OutChannels => Transposed ? Columns : Rows;

        /// <summary>The mask's shape (see the remarks of <see cref="MaskIr"/>).</summary>
        public long[] UnitShape => Unit switch
        {
            SparsityUnit.Kernel => new long[] { Rows, Columns },
            SparsityUnit.Channel => new long[] { InChannels },
            _ => Transposed ? new long[] { Rows, Columns / Group } : new long[] { Rows / Group, Columns },
        };

        /// <summary>
        /// The sets of units whose kept count is fixed: with <c>group</c> one set per output group (its units, one per input
        /// channel, ascending), each keeping <see cref="FanIn"/>; otherwise one set, the whole layer, keeping <see cref="Kept"/>.
        /// </summary>
        public int[][] KeptSets()
        {
            if (Unit != SparsityUnit.Group) return new[] { Enumerable.Range(0, checked((int)Units)).ToArray() };
            int groups = OutChannels / Group;
            int inputs = InChannels;
            return Enumerable.Range(0, groups)
                .Select(g => Enumerable.Range(0, inputs).Select(i => Transposed ? i * groups + g : g * inputs + i).ToArray())
                .ToArray();
        }

        /// <summary>Units kept per set of <see cref="KeptSets"/>.</summary>
        public long FanIn => Unit == SparsityUnit.Group ? Kept / (OutChannels / Group) : Kept;

        /// <summary>The unit that covers kernel (<paramref name="row"/>, <paramref name="column"/>) of the weight.</summary>
        public long UnitOf(int row, int column) => Unit switch
        {
            SparsityUnit.Kernel => (long)row * Columns + column,
            SparsityUnit.Channel => Transposed ? row : column,
            _ => Transposed ? (long)row * (Columns / Group) + column / Group : (long)(row / Group) * Columns + column,
        };

        /// <summary>Per kernel (row-major over [rows, columns]) of the weight, the 0/1 of its unit in <paramref name="units"/>.</summary>
        public float[] ExpandToKernels(float[] units)
        {
            var kernels = new float[(long)Rows * Columns];
            for (int r = 0; r < Rows; r++)
            {
                for (int c = 0; c < Columns; c++) kernels[(long)r * Columns + c] = units[UnitOf(r, c)];
            }
            return kernels;
        }
    }

    /// <summary>
    /// One basic block: [depth shift] -> Conv3d -> InstanceNorm3d -> activation. Its parameters are
    /// <c>{Name}.conv.weight</c>, <c>{Name}.conv.bias</c>, <c>{Name}.instnorm.weight</c>, <c>{Name}.instnorm.bias</c>.
    /// </summary>
    public sealed record BlockIr(
        string Name,
        int Level,
        int InChannels,
        int OutChannels,
        Int3 Kernel,
        Int3 Stride,
        Int3 Padding,
        EquatableArray<int> Shift,
        MaskIr? Mask,
        Int3 InputSize,
        Int3 OutputSize,
        string Norm = "instnorm")
    {
        /// <summary>State-dict key of the convolution weight.</summary>
        public string ConvWeight => Name + ".conv.weight";

        /// <summary>State-dict key of the convolution bias.</summary>
        public string ConvBias => Name + ".conv.bias";

        /// <summary>State-dict key of the norm scale (<c>{Name}.instnorm.weight</c> in E2ENet, <c>{Name}.norm.weight</c> in nnU-Net).</summary>
        public string NormWeight => Name + "." + Norm + ".weight";

        /// <summary>State-dict key of the norm shift.</summary>
        public string NormBias => Name + "." + Norm + ".bias";

        /// <summary>Shift groups' chunk size: ceil(C / S) (docs/method.md, "Restricted depth shift").</summary>
        public int ShiftChunk => Shift.Count == 0 ? InChannels : (InChannels + Shift.Count - 1) / Shift.Count;
    }

    /// <summary>
    /// A transposed convolution with kernel = stride that upsamples a coarser level (a fusion node's coarser source; a U-Net
    /// decoder level's input). Parameters <c>{Name}.weight</c> and, with <see cref="Bias"/> (nnU-Net), <c>{Name}.bias</c>.
    /// </summary>
    public sealed record UpIr(string Name, int Level, int InChannels, int OutChannels, Int3 Kernel, MaskIr? Mask, Int3 InputSize, Int3 OutputSize, bool Bias = false)
    {
        /// <summary>State-dict key of the weight, shaped [InChannels, OutChannels, kD, kH, kW].</summary>
        public string Weight => Name + ".weight";

        /// <summary>State-dict key of the bias [OutChannels], when there is one.</summary>
        public string BiasName => Name + ".bias";
    }

    /// <summary>Where a fusion node's input channels come from.</summary>
    public enum SourceKind
    {
        /// <summary>The same level, previous stage.</summary>
        Same,

        /// <summary>The coarser level, upsampled by the node's transposed convolution.</summary>
        Up,

        /// <summary>The finer level, max-pooled.</summary>
        Down,
    }

    /// <summary>One part of a fusion node's concatenation, in concat order.</summary>
    public sealed record FusionInputIr(SourceKind Kind, NodeId From, int Channels, int Offset);

    /// <summary>A fusion node x[L][j]: concat(same, up(coarser), down(finer)) -> block [-> block].</summary>
    public sealed record FusionNodeIr(
        NodeId Id,
        string Name,
        int Width,
        Int3 Size,
        UpIr Up,
        Int3? DownPool,
        EquatableArray<FusionInputIr> Inputs,
        EquatableArray<BlockIr> Blocks)
    {
        /// <summary>Channels of the concatenation.</summary>
        public int ConcatChannels => Inputs.Sum(i => i.Channels);
    }

    /// <summary>An encoder level: its blocks (the first strided for levels above 0).</summary>
    public sealed record EncoderLevelIr(int Level, int Width, Int3 Size, EquatableArray<BlockIr> Blocks);

    /// <summary>A 1x1x1 segmentation head: parameter <c>{Name}.weight</c>, and <c>{Name}.bias</c> with <see cref="Bias"/> (nnU-Net's heads).</summary>
    public sealed record HeadIr(string Name, int Index, NodeId On, int InChannels, int Classes, Int3 Size, double Weight, bool Bias = false)
    {
        /// <summary>State-dict key of the bias, when there is one.</summary>
        public string BiasName => Name + ".bias";

        /// <summary>The schedule value it reads (the node's name, <c>x05</c>).</summary>
        public string Input => On.ToString();

        /// <summary>State-dict key of the weight.</summary>
        public string WeightName => Name + ".weight";
    }

    /// <summary>What a parameter is.</summary>
    public enum ParameterRole
    {
        /// <summary>A block's convolution weight.</summary>
        ConvWeight,

        /// <summary>A block's convolution bias.</summary>
        ConvBias,

        /// <summary>Instance norm scale.</summary>
        NormWeight,

        /// <summary>Instance norm shift.</summary>
        NormBias,

        /// <summary>A transposed convolution's weight.</summary>
        UpWeight,

        /// <summary>A head's weight.</summary>
        HeadWeight,

        /// <summary>A transposed convolution's bias (nnU-Net).</summary>
        UpBias,

        /// <summary>A head's bias (nnU-Net).</summary>
        HeadBias,
    }

    /// <summary>One tensor of the state dict.</summary>
    public sealed record ParameterIr(string Name, EquatableArray<long> Shape, ParameterRole Role, MaskIr? Mask)
    {
        /// <summary>Number of elements.</summary>
        public long Count => Shape.Aggregate(1L, (a, b) => a * b);

        /// <summary>Elements in kept units (all of them when dense).</summary>
        public long ActiveCount => Mask == null ? Count : Count / Mask.Units * Mask.Kept;

        /// <summary>The shape as <c>[a, b, c]</c>.</summary>
        public string ShapeText => "[" + string.Join(", ", Shape) + "]";
    }

    /// <summary>A second state-dict name (<see cref="Alias"/>) of a parameter (<see cref="Parameter"/>).</summary>
    public sealed record StateDictAlias(string Alias, string Parameter);

    /// <summary>Parameters and multiply-accumulates, dense and counting only active units.</summary>
    public sealed record Counts(long DenseParameters, long ActiveParameters, long DenseMacs, long ActiveMacs)
    {
        /// <summary>Nothing.</summary>
        public static readonly Counts Zero = new Counts(0, 0, 0, 0);

        /// <summary>Sum (checked).</summary>
        public static Counts operator +(Counts a, Counts b) => new Counts(
            checked(a.DenseParameters + b.DenseParameters), checked(a.ActiveParameters + b.ActiveParameters),
            checked(a.DenseMacs + b.DenseMacs), checked(a.ActiveMacs + b.ActiveMacs));
    }

    /// <summary>The cost of one layer (a block's conv with its norm, a transposed conv, or a head).</summary>
    public sealed record LayerCost(string Layer, int Level, Counts Counts);

    /// <summary>Totals of one level.</summary>
    public sealed record LevelSummary(int Level, int Width, Int3 Size, Counts Counts);

    /// <summary>
    /// The network graph of docs/method.md for one model at its patch: every block, fusion node and head with its shapes,
    /// every parameter under the authors' state-dict name, sparse layers with their masks, and exact counts.
    /// The one IR the generator, the run-time builder, the ONNX emitter and the counter share.
    /// </summary>
    public sealed record NetworkIr(
        ModelSpec Spec,
        EquatableArray<int> Widths,
        EquatableArray<Int3> Sizes,
        EquatableArray<EncoderLevelIr> Encoder,
        EquatableArray<FusionNodeIr> Fusion,
        EquatableArray<HeadIr> Heads,
        EquatableArray<ParameterIr> Parameters,
        EquatableArray<LayerCost> Costs,
        EquatableArray<LevelSummary> Levels,
        Counts Totals,
        long TrainingMemoryBytes,
        ModuleIr Modules,
        EquatableArray<StepIr> Schedule)
    {
        /// <summary>
        /// Other names the same tensors have in state dicts of the model's origin (nnU-Net: <c>{conv block}.all_modules.0.weight</c>
        /// for <c>{conv block}.conv.weight</c>, <c>decoder.encoder.*</c> for <c>encoder.*</c>: PyTorch saves a module shared in
        /// two places twice): loaders accept them when they hold the same values, savers can write them. Empty for E2ENet.
        /// </summary>
        public EquatableArray<StateDictAlias> Aliases { get; init; } = new EquatableArray<StateDictAlias>(new StateDictAlias[0]);

        /// <summary>Every block, in evaluation order (the order of <see cref="Schedule"/>).</summary>
        public IEnumerable<BlockIr> Blocks => Schedule.Where(s => s.Kind == StepKind.Run).SelectMany(s => Modules.Find(s.Module!).Blocks);

        /// <summary>The parameters that carry masks.</summary>
        public IEnumerable<ParameterIr> SparseParameters => Parameters.Where(p => p.Mask != null);

        /// <summary>The node a fusion node or encoder level produces.</summary>
        public FusionNodeIr? Node(NodeId id) => Fusion.FirstOrDefault(f => f.Id == id);
    }
}
