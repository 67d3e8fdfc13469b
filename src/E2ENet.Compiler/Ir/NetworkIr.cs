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

    /// <summary>The mask of a sparse layer: how many units it has and how many it keeps.</summary>
    public sealed record MaskIr(SparsityUnit Unit, long Units, long Kept, int Rows, int Columns)
    {
        /// <summary>Kept share of units.</summary>
        public double Density => Units == 0 ? 0 : (double)Kept / Units;
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
        Int3 OutputSize)
    {
        /// <summary>State-dict key of the convolution weight.</summary>
        public string ConvWeight => Name + ".conv.weight";

        /// <summary>State-dict key of the convolution bias.</summary>
        public string ConvBias => Name + ".conv.bias";

        /// <summary>State-dict key of the norm scale.</summary>
        public string NormWeight => Name + ".instnorm.weight";

        /// <summary>State-dict key of the norm shift.</summary>
        public string NormBias => Name + ".instnorm.bias";

        /// <summary>Shift groups' chunk size: ceil(C / S) (docs/method.md, "Restricted depth shift").</summary>
        public int ShiftChunk => Shift.Count == 0 ? InChannels : (InChannels + Shift.Count - 1) / Shift.Count;
    }

    /// <summary>A transposed convolution that upsamples the coarser source of a fusion node; no bias. Parameter <c>{Name}.weight</c>.</summary>
    public sealed record UpIr(string Name, int Level, int InChannels, int OutChannels, Int3 Kernel, MaskIr? Mask, Int3 InputSize, Int3 OutputSize)
    {
        /// <summary>State-dict key of the weight, shaped [InChannels, OutChannels, kD, kH, kW].</summary>
        public string Weight => Name + ".weight";
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

    /// <summary>A 1x1x1 segmentation head without bias. Parameter <c>{Name}.weight</c>.</summary>
    public sealed record HeadIr(string Name, int Index, NodeId On, int InChannels, int Classes, Int3 Size, double Weight)
    {
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
        long TrainingMemoryBytes)
    {
        /// <summary>Every block, in evaluation order: encoder level 0, then level by level with the fusion nodes it enables.</summary>
        public IEnumerable<BlockIr> Blocks => Encoder.SelectMany(e => e.Blocks).Concat(Fusion.SelectMany(f => f.Blocks));

        /// <summary>The parameters that carry masks.</summary>
        public IEnumerable<ParameterIr> SparseParameters => Parameters.Where(p => p.Mask != null);

        /// <summary>The node a fusion node or encoder level produces.</summary>
        public FusionNodeIr? Node(NodeId id) => Fusion.FirstOrDefault(f => f.Id == id);
    }
}
