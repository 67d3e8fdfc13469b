using System.Collections.Generic;
using System.Linq;

namespace E2ENet.Compiler.Semantics
{
    /// <summary>
    /// Every key of the .e2e language, its type, its default and its meaning. Defaults are the paper's AMOS configuration
    /// (docs/method.md) and, for training, the nnU-Net v1 recipe. docs/language.md is checked against this (a test).
    /// </summary>
    public static class E2ESchema
    {
        /// <summary>The root section: the keys of a model body.</summary>
        public static readonly SchemaSection Root = Build();

        /// <summary>Every leaf, in reference order.</summary>
        public static readonly IReadOnlyList<SchemaLeaf> Leaves = Root.Leaves().ToList();

        private static ConfigValue I(long v) => new IntValue(v);

        private static ConfigValue F(double v) => new FloatValue(v);

        private static ConfigValue B(bool v) => new BoolValue(v);

        private static ConfigValue S(string v) => new SymbolValue(v);

        private static ConfigValue L(params ConfigValue[] items) => new ListValue(new EquatableArray<ConfigValue>(items));

        private static ConfigValue Ints(params long[] items) => L(items.Select(I).ToArray());

        private static ConfigValue Floats(params double[] items) => L(items.Select(F).ToArray());

        private static SchemaLeaf Leaf(string name, ValueType type, ConfigValue? @default, string doc, string? example = null, string[]? resets = null)
            => new SchemaLeaf(name, type, @default, doc, example, resets);

        private static SchemaSection Section(string name, string doc, DirectForm? direct, params SchemaNode[] children)
            => new SchemaSection(name, doc, direct, children);

        private static ValueType Probability => new FloatType(0, 1);

        private static ValueType Range(double min, double max, string example)
            => new ListType(new FloatType(min, max), 2, 2, example: example);

        private static SchemaSection Augmentation(string name, string doc, double p, params SchemaNode[] parameters)
            => Section(name, doc + " Write a probability, 'off' or 'on'.", new ProbabilityForm("p"),
                new[] { (SchemaNode)Leaf("p", Probability, F(p), "Probability of applying it to a sample.") }.Concat(parameters).ToArray());

        private static SchemaSection Build()
        {
            var int3 = new ListType(new IntType(1, 4096), 3, 3, example: "[64, 160, 160]");
            var pool3 = new ListType(new IntType(1, 16), 3, 3, example: "[2, 2, 2]");

            return Section("", "A model body.", null,
                Leaf("description", new OptionalType(new NameType(NameRule.Any)), NoneValue.Instance,
                    "Free text shown in reports and generated documentation.", "description \"AMOS CT, S=0.8\""),
                Section("input", "The network's input.", null,
                    Leaf("channels", new IntType(1, 1024), I(1), "Input channels (imaging modalities).", "input channels 1"),
                    Leaf("patch", int3, null, "Training patch size [D, H, W]; D is the axis with the largest voxel spacing. Each axis must be divisible by the product of the pools on that axis.", "input patch [64, 160, 160]"),
                    Leaf("spacing", new OptionalType(new ListType(new FloatType(0, 1e4, minInclusive: false), 3, 3, example: "[2.0, 0.8, 0.8]")), NoneValue.Instance,
                        "Target voxel spacing in mm [D, H, W] (none: the dataset's median spacing).", "input spacing [2.0, 0.8, 0.8]"),
                    Leaf("names", new OptionalType(new ListType(new NameType(NameRule.Any), 1, 1024, allowScalar: true, example: "[T1, T1ce, T2, FLAIR]")), NoneValue.Instance,
                        "Channel names, one per channel.", "input names [T1, T1ce, T2, FLAIR]"),
                    Leaf("normalization", new ListType(new ChoiceType(SpecChoices.Normalization.Symbols), 1, 1024, allowScalar: true, example: "[ct]"), L(S("zscore")),
                        "Intensity normalization per channel (one value for all): ct (clip to foreground 0.5/99.5 percentiles, z-score with foreground statistics), zscore (per image), none.",
                        "input normalization ct")),
                Leaf("classes", new IntType(2, 1000), null, "Output classes, background included.", "classes 16"),
                Leaf("labels", new OptionalType(new ListType(new NameType(NameRule.Any), 2, 1000, example: "[background, liver]")), NoneValue.Instance,
                    "Class names, background first; one per class.", "labels [background, spleen, liver]"),
                Section("widths", "Channels per level. C[L] = min(base * 2^L, max), or an explicit list (one per level: the pools plus one).", new ListForm("list"),
                    Leaf("base", new IntType(1, 4096), I(48), "Width of level 0.", "widths base 48", resets: new[] { "list" }),
                    Leaf("max", new IntType(1, 8192), I(320), "Width cap.", "widths max 320", resets: new[] { "list" }),
                    Leaf("list", new OptionalType(new ListType(new IntType(1, 8192), 2, 9, example: "[32, 64, 128, 256, 320, 320]")), NoneValue.Instance,
                        "Explicit widths of every level, one per level (overrides base and max).", "widths [32, 64, 128, 256, 320, 320]")),
                Leaf("pools", new ListType(pool3, 1, 8, example: "[2, 2, 2] x 5"), L(Enumerable.Repeat(Ints(2, 2, 2), 5).ToArray()),
                    "Downsampling factors [D, H, W] between consecutive levels (anisotropic allowed): their count sets the levels (pools + 1); the fusion decoder needs 5.",
                    "pools [[1,2,2], [2,2,2] x 3, [1,2,2]]"),
                Section("encoder", "The efficient backbone.", null,
                    Leaf("blocks", new ListType(new IntType(1, 16), 1, 9, allowScalar: true, example: "2"), L(I(2)),
                        "Blocks per encoder level (one number for all levels, or one per level); the first block of every level but 0 is strided.", "encoder blocks 2")),
                Section("block", "The basic block: depth shift, convolution, instance norm, activation.", null,
                    Leaf("kernel", new PerLevelTripleType(new IntType(1, 7), "[1, 3, 3]", "[[1, 3, 3], [3, 3, 3] x 5]"), Ints(1, 3, 3),
                        "Convolution kernel [D, H, W] of every level, or one per level (nnU-Net plans); odd sizes; padding is half the kernel. A U-Net that leaves it at the default uses [3, 3, 3].",
                        "block kernel [[1, 3, 3], [1, 3, 3], [3, 3, 3] x 4]"),
                    Leaf("shift", new OptionalType(new ListType(new IntType(-64, 64), 1, 129, example: "[-1, 0, 1]"), "none", "off"), Ints(-1, 0, 1),
                        "Depth-shift offsets, one per channel group (chunks of ceil(C/S) channels); odd count, centred on 0; none: no shift.",
                        "block shift [-2, -1, 0, 1, 2]"),
                    Leaf("bias", BoolType.Instance, B(true), "Whether convolutions have a bias.", "block bias true"),
                    Section("norm", "Normalization after each convolution.",
                        new CallForm("type", new CallSignature("instance", "eps", "eps", "affine")),
                        Leaf("type", new ChoiceType(SpecChoices.Norm.Symbols, new Dictionary<string, string>
                        {
                            ["batch"] = "E2ENet uses instance normalization (batch statistics are unreliable at batch 2); use 'instance'",
                            ["group"] = "only instance normalization is implemented; use 'instance'",
                            ["layer"] = "only instance normalization is implemented; use 'instance'",
                        }), S("instance"), "The normalization.", "block norm instance"),
                        Leaf("eps", new FloatType(0, 1, minInclusive: false), F(1e-5), "Epsilon added to the variance.", "block norm instance(eps 1e-5)"),
                        Leaf("affine", BoolType.Instance, B(true), "Learnable scale and shift.", "block norm instance(affine true)")),
                    Section("act", "Activation after each normalization.",
                        new CallForm("type", new CallSignature("leaky_relu", "slope", "slope"), new CallSignature("relu", null)),
                        Leaf("type", new ChoiceType(SpecChoices.Activation.Symbols, new Dictionary<string, string>
                        {
                            ["gelu"] = "not implemented; use leaky_relu or relu",
                            ["prelu"] = "not implemented (it would add parameters the authors' checkpoints lack); use leaky_relu",
                            ["elu"] = "not implemented; use leaky_relu or relu",
                        }), S("leaky_relu"), "The activation.", "block act relu"),
                        Leaf("slope", new FloatType(0, 1), F(0.01), "Negative slope of leaky_relu.", "block act leaky_relu(0.01)"))),
                Section("fusion", "Dynamic Sparse Feature Fusion: the nested decoder and its sparsity.", null,
                    Leaf("stages", new IntType(1, 16), I(5), "Fusion stages; only 5 (a 6-level network) is supported.", "fusion stages 5"),
                    Leaf("sparsity", new FloatType(0, 1, maxInclusive: false), F(0.8),
                        "Sparsity S of fusion convolutions and transposed convolutions: kept units per layer = round(units x (1 - S)) (unit group: per output group round(inputs x (1 - S))); 0 is dense.", "fusion sparsity 0.8"),
                    Leaf("unit", new ChoiceType(SpecChoices.Unit.Symbols), S("kernel"),
                        "What one mask bit covers: kernel (one output x input channel pair, the paper), channel (a whole input channel, which export can remove) or group (one input channel of one of 'groups' groups of consecutive output channels, the same number per group, which export runs as one grouped convolution).",
                        "fusion unit channel"),
                    Leaf("groups", new IntType(1, 1024), I(2),
                        "Output groups per layer with unit group (every width must be a multiple): each group's outputs read the same inputs, the same number per group. 1 is the channel unit; fewer groups run faster, more groups approach the kernel unit. Ignored by the other units.",
                        "fusion unit group, groups 4"),
                    Leaf("init", new ChoiceType(SpecChoices.Init.Symbols), S("uniform"),
                        "Initial topology: uniform (the same density in every layer) or erk (Erdos-Renyi-Kernel).", "fusion init erk")),
                Section("decoder", "The decoder: E2ENet's nested fusion decoder, or nnU-Net's plain U-Net decoder (dynamic_network_architectures' PlainConvUNet).",
                    new CallForm("type", new CallSignature("fusion", null), new CallSignature("unet", "blocks", "blocks")),
                    Leaf("type", new ChoiceType(SpecChoices.Decoder.Symbols), S("fusion"),
                        "fusion (E2ENet: 15 fusion nodes, heads on x05, x14, x23, x32, state-dict names of the authors' code) or unet (transposed convolution, concatenated skip, blocks per level; a head per decoder level; nnU-Net's state-dict names). A U-Net uses no depth shift and no fusion sparsity unless the model sets them.",
                        "decoder unet"),
                    Leaf("blocks", new IntType(1, 16), I(2), "Blocks per U-Net decoder level (nnU-Net: n_conv_per_stage_decoder).", "decoder unet(blocks 2)")),
                Section("evolve", "How the sparse topology evolves during training. 'evolve off' keeps it fixed.", new SwitchForm("enabled"),
                    Leaf("enabled", BoolType.Instance, B(true), "Whether the topology evolves.", "evolve enabled false"),
                    Section("every", "The interval between evolution rounds: a number and a unit.", new QuantityForm("count", "unit"),
                        Leaf("count", new FloatType(0, 1e9, minInclusive: false), F(1200), "How many units between rounds.", "evolve every 1200 iterations"),
                        Leaf("unit", new ChoiceType(SpecChoices.Interval.Symbols), S("iterations"), "iterations or epochs.", "evolve every 5 epochs")),
                    Section("prune", "The prune-rate schedule: the share of active units pruned (and regrown) per round.", new ScheduleForm(),
                        Leaf("criterion", new ChoiceType(SpecChoices.Criterion.Symbols, new Dictionary<string, string>
                        {
                            ["l2"] = "only the paper's L1-norm criterion is implemented; use 'l1'",
                            ["magnitude"] = "only the paper's L1-norm criterion is implemented; use 'l1'",
                        }), S("l1"), "How units are ranked for pruning: l1 (smallest L1 norm first).", "evolve prune l1 0.5 -> 0.001 cosine"),
                        Leaf("from", new FloatType(0, 1, minInclusive: false), F(0.5), "Rate at the start of training.", "evolve prune.from 0.5"),
                        Leaf("to", new FloatType(0, 1), F(0.001), "Rate at the end of training.", "evolve prune.to 0.001"),
                        Leaf("decay", new ChoiceType(SpecChoices.Decay.Symbols), S("cosine"), "How the rate goes from start to end, per iteration.", "evolve prune.decay linear")),
                    Leaf("regrow", new ChoiceType(SpecChoices.Regrow.Symbols), S("random"),
                        "Where pruned units regrow: random (uniformly among inactive units) or gradient (largest gradient magnitude).", "evolve regrow gradient")),
                Section("heads", "Segmentation heads (1x1x1 convolutions: E2ENet's on x05, x14, x23, x32; a U-Net's on every decoder level).", null,
                    Leaf("deep_supervision", new ListType(new FloatType(0, 1e6), 1, 8, example: "[8, 4, 2, 1]"), Floats(8, 4, 2, 1),
                        "Loss weights of the heads, full resolution first, one per head; normalised to sum 1; [1, 0, 0, 0] trains without deep supervision. A U-Net that leaves it at the default uses nnU-Net's: 1/2^k, the lowest resolution 0.",
                        "heads deep_supervision [8, 4, 2, 1]")),
                Section("training", "The training recipe; defaults are nnU-Net v1's.", null,
                    Section("optimizer", "The optimizer.",
                        new CallForm("type", new CallSignature("sgd", null, "momentum", "nesterov", "weight_decay"),
                            new CallSignature("adamw", null, "betas", "eps", "weight_decay")),
                        Leaf("type", new ChoiceType(SpecChoices.Optimizer.Symbols), S("sgd"), "sgd or adamw.", "training optimizer sgd(momentum 0.99, nesterov true, weight_decay 3e-5)"),
                        Leaf("momentum", new FloatType(0, 1, maxInclusive: false), F(0.99), "SGD momentum.", "training optimizer.momentum 0.99"),
                        Leaf("nesterov", BoolType.Instance, B(true), "SGD Nesterov momentum.", "training optimizer.nesterov true"),
                        Leaf("weight_decay", new FloatType(0, 1), F(3e-5), "Weight decay.", "training optimizer.weight_decay 3e-5"),
                        Leaf("betas", new ListType(new FloatType(0, 1, maxInclusive: false), 2, 2, example: "[0.9, 0.999]"), Floats(0.9, 0.999), "AdamW betas.", "training optimizer adamw(betas [0.9, 0.999])"),
                        Leaf("eps", new FloatType(0, 1, minInclusive: false), F(1e-8), "AdamW epsilon.", "training optimizer adamw(eps 1e-8)")),
                    Leaf("lr", new FloatType(0, 10, minInclusive: false), F(0.01), "Initial learning rate.", "training lr 0.01"),
                    Section("schedule", "The learning-rate schedule, per epoch.",
                        new CallForm("type", new CallSignature("poly", "exponent", "exponent"), new CallSignature("cosine", null), new CallSignature("constant", null)),
                        Leaf("type", new ChoiceType(SpecChoices.Schedule.Symbols), S("poly"), "poly: lr * (1 - epoch/epochs)^exponent; cosine; constant.", "training schedule poly(0.9)"),
                        Leaf("exponent", new FloatType(0, 10, minInclusive: false), F(0.9), "Exponent of the poly schedule.", "training schedule.exponent 0.9")),
                    Leaf("epochs", new IntType(1, 1_000_000), I(1000), "Epochs.", "training epochs 1000"),
                    Leaf("iterations", new IntType(1, 10_000_000), I(250), "Iterations per epoch.", "training iterations 250"),
                    Leaf("batch", new IntType(1, 4096), I(2), "Patches per iteration.", "training batch 2"),
                    Leaf("clip", new OptionalType(new FloatType(0, 1e6, minInclusive: false), "none", "off"), F(12), "Gradient clipping: the largest global gradient norm (none: no clipping).", "training clip 12"),
                    Leaf("oversample", Probability, F(0.33), "Share of patches forced to contain foreground.", "training oversample 0.33"),
                    Leaf("mixed_precision", BoolType.Instance, B(true), "Mixed precision on CUDA: without --precision, training runs its convolutions in fp16 with dynamic loss scaling (norms, losses, optimizer and weights in float32); on the CPU training stays fp32 unless --precision says otherwise.", "training mixed_precision true"),
                    Leaf("folds", new IntType(1, 100), I(5), "Cross-validation folds.", "training folds 5"),
                    Section("loss", "The loss: soft Dice (background excluded) plus cross-entropy, on every head.",
                        new CallForm("type", new CallSignature("dice_ce", null, "smooth", "dice", "ce")),
                        Leaf("type", new ChoiceType(SpecChoices.Loss.Symbols), S("dice_ce"), "dice_ce.", "training loss dice_ce(smooth 1e-5)"),
                        Leaf("smooth", new FloatType(0, 1), F(1e-5), "Dice smoothing.", "training loss.smooth 1e-5"),
                        Leaf("dice", new FloatType(0, 100), F(1), "Weight of the Dice term.", "training loss.dice 1"),
                        Leaf("ce", new FloatType(0, 100), F(1), "Weight of the cross-entropy term.", "training loss.ce 1")),
                    Section("augment", "Data augmentation (nnU-Net's). 'augment off' turns every one off.", new AllProbabilitiesForm("p"),
                        Augmentation("rotation", "Random rotation.", 0.2,
                            Leaf("degrees", new FloatType(0, 180), F(30), "Largest angle per axis, in degrees.", "training augment.rotation.degrees 30")),
                        Augmentation("scaling", "Random zoom.", 0.2,
                            Leaf("range", Range(0.01, 100, "[0.7, 1.4]"), Floats(0.7, 1.4), "Zoom factors.", "training augment.scaling.range [0.7, 1.4]")),
                        Augmentation("noise", "Additive Gaussian noise.", 0.1,
                            Leaf("variance", Range(0, 100, "[0, 0.1]"), Floats(0, 0.1), "Noise variance range.", "training augment.noise.variance [0, 0.1]")),
                        Augmentation("blur", "Gaussian blur.", 0.2,
                            Leaf("sigma", Range(0, 100, "[0.5, 1]"), Floats(0.5, 1), "Blur sigma range, in voxels.", "training augment.blur.sigma [0.5, 1]")),
                        Augmentation("brightness", "Multiplicative brightness.", 0.15,
                            Leaf("range", Range(0, 100, "[0.75, 1.25]"), Floats(0.75, 1.25), "Multiplier range.", "training augment.brightness.range [0.75, 1.25]")),
                        Augmentation("contrast", "Contrast.", 0.15,
                            Leaf("range", Range(0, 100, "[0.75, 1.25]"), Floats(0.75, 1.25), "Contrast factor range.", "training augment.contrast.range [0.75, 1.25]")),
                        Augmentation("low_resolution", "Low-resolution simulation (downsample, then upsample).", 0.25,
                            Leaf("zoom", Range(0.01, 1, "[0.5, 1]"), Floats(0.5, 1), "Downsampling factor range.", "training augment.low_resolution.zoom [0.5, 1]")),
                        Augmentation("gamma", "Gamma.", 0.3,
                            Leaf("range", Range(0.01, 100, "[0.7, 1.5]"), Floats(0.7, 1.5), "Gamma range.", "training augment.gamma.range [0.7, 1.5]")),
                        Augmentation("mirror", "Mirroring.", 0.5,
                            Leaf("axes", new ListType(new IntType(0, 2), 0, 3, example: "[0, 1, 2]"), Ints(0, 1, 2), "Axes that may be mirrored (0 = depth).", "training augment.mirror.axes [1, 2]")))),
                Section("inference", "Sliding-window inference.", null,
                    Leaf("step", new FloatType(0, 1, minInclusive: false), F(0.5), "Window step as a fraction of the patch.", "inference step 0.5"),
                    Leaf("mirror", new OptionalType(new ListType(new IntType(0, 2), 0, 3, example: "[0, 1, 2]"), "none", "off"), Ints(0, 1, 2),
                        "Test-time mirroring axes (0 = depth); none: no mirroring.", "inference mirror [1, 2]"),
                    Leaf("sigma", new FloatType(0, 10, minInclusive: false), F(0.125), "Gaussian importance sigma, as a fraction of the patch.", "inference sigma 0.125")),
                Section("codegen", "Names of the generated C# class.", null,
                    Leaf("namespace", new NameType(NameRule.DottedIdentifier), S("E2ENet.Models"), "Namespace of the generated class.", "codegen namespace MyHospital.Models"),
                    Leaf("class", new OptionalType(new NameType(NameRule.Identifier)), NoneValue.Instance,
                        "Class name (none: the model's name).", "codegen class AmosCtNetwork")));
        }
    }
}
