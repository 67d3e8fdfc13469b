using System.Globalization;
using System.Linq;

namespace E2ENet.Compiler.Semantics
{
    /// <summary>Three integers along depth, height and width.</summary>
    public readonly record struct Int3(int D, int H, int W)
    {
        /// <summary>The value along axis 0 (D), 1 (H) or 2 (W).</summary>
        public int this[int axis] => axis == 0 ? D : axis == 1 ? H : W;

        /// <summary>D * H * W.</summary>
        public long Volume => (long)D * H * W;

        /// <summary>The same value on every axis.</summary>
        public static Int3 All(int value) => new Int3(value, value, value);

        /// <summary>Axis-wise product.</summary>
        public static Int3 operator *(Int3 a, Int3 b) => new Int3(a.D * b.D, a.H * b.H, a.W * b.W);

        /// <summary>Axis-wise integer division.</summary>
        public static Int3 operator /(Int3 a, Int3 b) => new Int3(a.D / b.D, a.H / b.H, a.W / b.W);

        /// <summary><c>[d, h, w]</c>.</summary>
        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "[{0}, {1}, {2}]", D, H, W);

        /// <summary><c>d x h x w</c>.</summary>
        public string ToSizeString() => string.Format(CultureInfo.InvariantCulture, "{0}x{1}x{2}", D, H, W);
    }

    /// <summary>A closed interval of reals.</summary>
    public readonly record struct RealRange(double Min, double Max)
    {
        /// <inheritdoc />
        public override string ToString() => "[" + FloatValue.Format(Min) + ", " + FloatValue.Format(Max) + "]";
    }

    /// <summary>The network's input.</summary>
    public sealed record InputSpec(int Channels, Int3 Patch, EquatableArray<double> Spacing, EquatableArray<string> Names, EquatableArray<InputNormalization> Normalization);

    /// <summary>Instance normalization's parameters.</summary>
    public sealed record NormSpec(NormKind Kind, double Eps, bool Affine);

    /// <summary>The activation.</summary>
    public sealed record ActivationSpec(ActivationKind Kind, double Slope)
    {
        /// <summary>The negative slope the activation applies: <see cref="Slope"/> for leaky ReLU, 0 for ReLU.</summary>
        public double NegativeSlope => Kind == ActivationKind.Relu ? 0.0 : Slope;
    }

    /// <summary>The basic block.</summary>
    public sealed record BlockSpec(Int3 Kernel, EquatableArray<int> Shift, bool Bias, NormSpec Norm, ActivationSpec Activation)
    {
        /// <summary>Padding that keeps the spatial size: half the kernel.</summary>
        public Int3 Padding => new Int3(Kernel.D / 2, Kernel.H / 2, Kernel.W / 2);

        /// <summary>Whether blocks shift channel groups along depth.</summary>
        public bool HasShift => Shift.Count > 1 || (Shift.Count == 1 && Shift[0] != 0);
    }

    /// <summary>Dynamic Sparse Feature Fusion settings.</summary>
    public sealed record FusionSpec(int Stages, double Sparsity, SparsityUnit Unit, FusionInit Init, int Groups = 1)
    {
        /// <summary>Kept share of units: 1 - sparsity.</summary>
        public double Density => 1 - Sparsity;

        /// <summary>True when fusion layers carry masks.</summary>
        public bool IsSparse => Sparsity > 0;
    }

    /// <summary>The decoder: its kind, and for a U-Net the blocks per decoder level.</summary>
    public sealed record DecoderSpec(DecoderKind Kind, int Blocks)
    {
        /// <summary>True for nnU-Net's U-Net decoder.</summary>
        public bool IsUNet => Kind == DecoderKind.UNet;
    }

    /// <summary>Topology evolution settings.</summary>
    public sealed record EvolveSpec(bool Enabled, double Every, IntervalUnit Unit, PruneCriterion Criterion, double PruneFrom, double PruneTo, PruneDecay Decay, RegrowRule Regrow);

    /// <summary>Deep-supervision weights of the four heads, full resolution first.</summary>
    public sealed record HeadsSpec(EquatableArray<double> DeepSupervision)
    {
        /// <summary>The weights normalised to sum 1.</summary>
        public double[] NormalizedWeights
        {
            get
            {
                double sum = DeepSupervision.Sum();
                return DeepSupervision.Select(w => sum > 0 ? w / sum : 0).ToArray();
            }
        }
    }

    /// <summary>The optimizer.</summary>
    public sealed record OptimizerSpec(OptimizerKind Kind, double Momentum, bool Nesterov, double WeightDecay, double Beta1, double Beta2, double Eps);

    /// <summary>The learning-rate schedule.</summary>
    public sealed record ScheduleSpec(ScheduleKind Kind, double Exponent);

    /// <summary>The loss.</summary>
    public sealed record LossSpec(LossKind Kind, double Smooth, double DiceWeight, double CeWeight);

    /// <summary>One augmentation: its probability and its range (the meaning of the range depends on the augmentation).</summary>
    public sealed record AugmentationSpec(double Probability, RealRange Range)
    {
        /// <summary>True when it is ever applied.</summary>
        public bool Enabled => Probability > 0;
    }

    /// <summary>nnU-Net's augmentations.</summary>
    public sealed record AugmentSpec(
        AugmentationSpec Rotation,
        AugmentationSpec Scaling,
        AugmentationSpec Noise,
        AugmentationSpec Blur,
        AugmentationSpec Brightness,
        AugmentationSpec Contrast,
        AugmentationSpec LowResolution,
        AugmentationSpec Gamma,
        double MirrorProbability,
        EquatableArray<int> MirrorAxes);

    /// <summary>The training recipe.</summary>
    public sealed record TrainingSpec(
        OptimizerSpec Optimizer,
        double LearningRate,
        ScheduleSpec Schedule,
        int Epochs,
        int IterationsPerEpoch,
        int Batch,
        double? Clip,
        double Oversample,
        bool MixedPrecision,
        int Folds,
        LossSpec Loss,
        AugmentSpec Augment)
    {
        /// <summary>Epochs x iterations per epoch.</summary>
        public long TotalIterations => (long)Epochs * IterationsPerEpoch;
    }

    /// <summary>Sliding-window inference.</summary>
    public sealed record InferenceSpec(double Step, EquatableArray<int> MirrorAxes, double Sigma);

    /// <summary>Names of generated code.</summary>
    public sealed record CodegenSpec(string Namespace, string ClassName);

    /// <summary>
    /// A fully resolved model: inheritance, defaults and overrides applied, every value checked. Equatable, with no
    /// syntax or locations in it, so that the source generator can cache on it.
    /// </summary>
    public sealed record ModelSpec(
        string Name,
        string? Parent,
        string SourcePath,
        string? Description,
        InputSpec Input,
        int Classes,
        EquatableArray<string> Labels,
        EquatableArray<int> Widths,
        EquatableArray<Int3> Pools,
        EquatableArray<int> EncoderBlocks,
        BlockSpec Block,
        EquatableArray<Int3> Kernels,
        DecoderSpec Decoder,
        FusionSpec Fusion,
        EvolveSpec Evolve,
        HeadsSpec Heads,
        TrainingSpec Training,
        InferenceSpec Inference,
        CodegenSpec Codegen,
        string CanonicalSource)
    {
        /// <summary>The number of levels (encoder depth): pools + 1.</summary>
        public int Levels => Pools.Count + 1;

        /// <summary>The convolution kernel of a level's blocks (<see cref="Kernels"/>: one per level).</summary>
        public Int3 KernelOf(int level) => Kernels[level];

        /// <summary>The padding of a level's blocks: half the kernel.</summary>
        public Int3 PaddingOf(int level) => new Int3(Kernels[level].D / 2, Kernels[level].H / 2, Kernels[level].W / 2);
    }
}
