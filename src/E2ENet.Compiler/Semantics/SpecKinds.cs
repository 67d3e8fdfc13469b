namespace E2ENet.Compiler.Semantics
{
    // The closed choices of a model: each is a symbol in the .e2e language (SpecChoices maps one to the other, once), an enum
    // value in ModelSpec, so that the training library, the run-time network, the generator and the exporter switch on them.

    /// <summary>How one input channel's intensities are normalized before the network (<c>input.normalization</c>, nnU-Net's schemes).</summary>
    public enum InputNormalization
    {
        /// <summary>Per case: subtract the mean, divide by the standard deviation (<c>zscore</c>).</summary>
        ZScore,

        /// <summary>Clip to the foreground's 0.5 and 99.5 percentiles over the dataset, then its mean and sd (<c>ct</c>).</summary>
        Ct,

        /// <summary>The intensities as they are (<c>none</c>).</summary>
        None,
    }

    /// <summary>The normalization after each convolution (<c>block.norm.type</c>).</summary>
    public enum NormKind
    {
        /// <summary>Instance normalization (<c>instance</c>).</summary>
        Instance,
    }

    /// <summary>The activation after each normalization (<c>block.act.type</c>).</summary>
    public enum ActivationKind
    {
        /// <summary>Leaky ReLU with <see cref="ActivationSpec.Slope"/> (<c>leaky_relu</c>).</summary>
        LeakyRelu,

        /// <summary>ReLU (<c>relu</c>).</summary>
        Relu,
    }

    /// <summary>What a sparsity mask bit covers (<c>fusion.unit</c>).</summary>
    public enum SparsityUnit
    {
        /// <summary>One whole kernel: an (output channel, input channel) pair (the paper).</summary>
        Kernel,

        /// <summary>One whole input channel of a layer (hardware-friendly; export can remove it).</summary>
        Channel,

        /// <summary>
        /// One input channel of one of <see cref="FusionSpec.Groups"/> groups of consecutive output channels: every output of a group
        /// reads the same inputs, and every group the same number of them (constant fan-in), so export runs one Gather and one
        /// grouped convolution that executes only the kept connections.
        /// </summary>
        Group,
    }

    /// <summary>The initial sparse topology's densities (<c>fusion.init</c>).</summary>
    public enum FusionInit
    {
        /// <summary>The same density in every layer (<c>uniform</c>).</summary>
        Uniform,

        /// <summary>Erdos-Renyi-Kernel densities (<c>erk</c>).</summary>
        Erk,
    }

    /// <summary>The decoder architecture (<c>decoder.type</c>).</summary>
    public enum DecoderKind
    {
        /// <summary>E2ENet's nested fusion decoder (the paper).</summary>
        Fusion,

        /// <summary>nnU-Net's plain U-Net decoder (dynamic_network_architectures' <c>PlainConvUNet</c>).</summary>
        UNet,
    }

    /// <summary>The unit of the evolution interval (<c>evolve.every.unit</c>).</summary>
    public enum IntervalUnit
    {
        /// <summary>Optimizer iterations.</summary>
        Iterations,

        /// <summary>Epochs.</summary>
        Epochs,
    }

    /// <summary>How units are ranked for pruning (<c>evolve.prune.criterion</c>).</summary>
    public enum PruneCriterion
    {
        /// <summary>Smallest L1 norm first (<c>l1</c>, the paper).</summary>
        L1,
    }

    /// <summary>How the prune rate goes from <c>evolve.prune.from</c> to <c>evolve.prune.to</c> (<c>evolve.prune.decay</c>).</summary>
    public enum PruneDecay
    {
        /// <summary>Half a cosine (<c>cosine</c>).</summary>
        Cosine,

        /// <summary>A straight line (<c>linear</c>).</summary>
        Linear,

        /// <summary>The start rate throughout (<c>constant</c>).</summary>
        Constant,
    }

    /// <summary>How pruned units are replaced in an evolution round (<c>evolve.regrow</c>).</summary>
    public enum RegrowRule
    {
        /// <summary>Uniformly at random among all inactive units (the just-pruned ones included): the paper (<c>random</c>).</summary>
        Random,

        /// <summary>The inactive units whose gradient has the largest L1 norm, RigL-style (<c>gradient</c>).</summary>
        Gradient,
    }

    /// <summary>The optimizer (<c>training.optimizer.type</c>).</summary>
    public enum OptimizerKind
    {
        /// <summary>SGD with (Nesterov) momentum (<c>sgd</c>).</summary>
        Sgd,

        /// <summary>AdamW (<c>adamw</c>).</summary>
        AdamW,
    }

    /// <summary>The learning-rate schedule (<c>training.schedule.type</c>).</summary>
    public enum ScheduleKind
    {
        /// <summary><c>lr * (1 - epoch/epochs)^exponent</c> (<c>poly</c>).</summary>
        Poly,

        /// <summary>Half a cosine (<c>cosine</c>).</summary>
        Cosine,

        /// <summary>The initial rate throughout (<c>constant</c>).</summary>
        Constant,
    }

    /// <summary>The loss (<c>training.loss.type</c>).</summary>
    public enum LossKind
    {
        /// <summary>Soft Dice (background excluded) plus cross-entropy (<c>dice_ce</c>).</summary>
        DiceCe,
    }
}
