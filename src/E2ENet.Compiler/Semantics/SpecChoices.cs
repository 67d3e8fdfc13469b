namespace E2ENet.Compiler.Semantics
{
    /// <summary>
    /// The one place that says which symbol of the .e2e language stands for which value of a model's closed choices: the schema
    /// accepts <see cref="SymbolMap{T}.Symbols"/>, the model checker parses them into <see cref="ModelSpec"/>'s enums, and
    /// reports and generated comments print them back with <c>ToSymbol()</c>.
    /// </summary>
    public static class SpecChoices
    {
        /// <summary><c>block.norm.type</c>.</summary>
        public static readonly SymbolMap<NormKind> Norm = new SymbolMap<NormKind>(("instance", NormKind.Instance));

        /// <summary><c>block.act.type</c>.</summary>
        public static readonly SymbolMap<ActivationKind> Activation = new SymbolMap<ActivationKind>(
            ("leaky_relu", ActivationKind.LeakyRelu), ("relu", ActivationKind.Relu));

        /// <summary><c>input.normalization</c> (each channel's).</summary>
        public static readonly SymbolMap<InputNormalization> Normalization = new SymbolMap<InputNormalization>(
            ("ct", InputNormalization.Ct), ("zscore", InputNormalization.ZScore), ("none", InputNormalization.None));

        /// <summary><c>fusion.unit</c>.</summary>
        public static readonly SymbolMap<SparsityUnit> Unit = new SymbolMap<SparsityUnit>(("kernel", SparsityUnit.Kernel), ("channel", SparsityUnit.Channel), ("group", SparsityUnit.Group));

        /// <summary><c>fusion.init</c>.</summary>
        public static readonly SymbolMap<FusionInit> Init = new SymbolMap<FusionInit>(("uniform", FusionInit.Uniform), ("erk", FusionInit.Erk));

        /// <summary><c>decoder.type</c>.</summary>
        public static readonly SymbolMap<DecoderKind> Decoder = new SymbolMap<DecoderKind>(("fusion", DecoderKind.Fusion), ("unet", DecoderKind.UNet));

        /// <summary><c>evolve.every.unit</c>.</summary>
        public static readonly SymbolMap<IntervalUnit> Interval = new SymbolMap<IntervalUnit>(
            ("iterations", IntervalUnit.Iterations), ("epochs", IntervalUnit.Epochs));

        /// <summary><c>evolve.prune.criterion</c>.</summary>
        public static readonly SymbolMap<PruneCriterion> Criterion = new SymbolMap<PruneCriterion>(("l1", PruneCriterion.L1));

        /// <summary><c>evolve.prune.decay</c>.</summary>
        public static readonly SymbolMap<PruneDecay> Decay = new SymbolMap<PruneDecay>(
            ("cosine", PruneDecay.Cosine), ("linear", PruneDecay.Linear), ("constant", PruneDecay.Constant));

        /// <summary><c>evolve.regrow</c>.</summary>
        public static readonly SymbolMap<RegrowRule> Regrow = new SymbolMap<RegrowRule>(("random", RegrowRule.Random), ("gradient", RegrowRule.Gradient));

        /// <summary><c>training.optimizer.type</c>.</summary>
        public static readonly SymbolMap<OptimizerKind> Optimizer = new SymbolMap<OptimizerKind>(("sgd", OptimizerKind.Sgd), ("adamw", OptimizerKind.AdamW));

        /// <summary><c>training.schedule.type</c>.</summary>
        public static readonly SymbolMap<ScheduleKind> Schedule = new SymbolMap<ScheduleKind>(
            ("poly", ScheduleKind.Poly), ("cosine", ScheduleKind.Cosine), ("constant", ScheduleKind.Constant));

        /// <summary><c>training.loss.type</c>.</summary>
        public static readonly SymbolMap<LossKind> Loss = new SymbolMap<LossKind>(("dice_ce", LossKind.DiceCe));

        /// <summary>The symbol of <paramref name="value"/> (<c>ct</c>, <c>zscore</c>, <c>none</c>).</summary>
        public static string ToSymbol(this InputNormalization value) => Normalization.Symbol(value);

        /// <summary>The symbol of <paramref name="value"/> (<c>instance</c>).</summary>
        public static string ToSymbol(this NormKind value) => Norm.Symbol(value);

        /// <summary>The symbol of <paramref name="value"/> (<c>leaky_relu</c>, <c>relu</c>).</summary>
        public static string ToSymbol(this ActivationKind value) => Activation.Symbol(value);

        /// <summary>The symbol of <paramref name="value"/> (<c>kernel</c>, <c>channel</c>).</summary>
        public static string ToSymbol(this SparsityUnit value) => Unit.Symbol(value);

        /// <summary>The symbol of <paramref name="value"/> (<c>uniform</c>, <c>erk</c>).</summary>
        public static string ToSymbol(this FusionInit value) => Init.Symbol(value);

        /// <summary>The symbol of <paramref name="value"/> (<c>fusion</c>, <c>unet</c>).</summary>
        public static string ToSymbol(this DecoderKind value) => Decoder.Symbol(value);

        /// <summary>The symbol of <paramref name="value"/> (<c>iterations</c>, <c>epochs</c>).</summary>
        public static string ToSymbol(this IntervalUnit value) => Interval.Symbol(value);

        /// <summary>The symbol of <paramref name="value"/> (<c>l1</c>).</summary>
        public static string ToSymbol(this PruneCriterion value) => Criterion.Symbol(value);

        /// <summary>The symbol of <paramref name="value"/> (<c>cosine</c>, <c>linear</c>, <c>constant</c>).</summary>
        public static string ToSymbol(this PruneDecay value) => Decay.Symbol(value);

        /// <summary>The symbol of <paramref name="value"/> (<c>random</c>, <c>gradient</c>).</summary>
        public static string ToSymbol(this RegrowRule value) => Regrow.Symbol(value);

        /// <summary>The symbol of <paramref name="value"/> (<c>sgd</c>, <c>adamw</c>).</summary>
        public static string ToSymbol(this OptimizerKind value) => Optimizer.Symbol(value);

        /// <summary>The symbol of <paramref name="value"/> (<c>poly</c>, <c>cosine</c>, <c>constant</c>).</summary>
        public static string ToSymbol(this ScheduleKind value) => Schedule.Symbol(value);

        /// <summary>The symbol of <paramref name="value"/> (<c>dice_ce</c>).</summary>
        public static string ToSymbol(this LossKind value) => Loss.Symbol(value);
    }
}
