using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using E2ENet.Compiler.Diagnostics;
using E2ENet.Compiler.Text;

namespace E2ENet.Compiler.Semantics
{
    /// <summary>Checks a model's resolved settings as a whole and turns them into a typed <see cref="ModelSpec"/>.</summary>
    public static class ModelChecker
    {
        private static readonly HashSet<string> CSharpKeywords = new HashSet<string>
        {
            "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
            "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
            "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
            "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
            "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
            "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
            "using", "virtual", "void", "volatile", "while",
        };

        /// <summary>
        /// Checks <paramref name="settings"/> and builds the spec; returns null when an error was reported.
        /// <paramref name="modelLocation"/> is used for problems with keys nobody set.
        /// </summary>
        public static ModelSpec? Check(string name, string? parent, string sourcePath, ResolvedSettings settings, SourceLocation modelLocation, List<Diagnostic> diagnostics)
        {
            int errorsBefore = diagnostics.Count(d => d.IsError);
            SourceLocation Where(string path) => settings[path].Origin ?? modelLocation;
            void Report(DiagnosticDescriptor descriptor, string path, params object?[] args) => diagnostics.Add(descriptor.Create(Where(path), args));

            foreach (SchemaLeaf leaf in E2ESchema.Leaves)
            {
                if (settings[leaf].Value == null)
                {
                    diagnostics.Add(DiagnosticDescriptors.RequiredKey.Create(modelLocation, name, leaf.Path, leaf.Example));
                }
            }
            if (diagnostics.Count(d => d.IsError) > errorsBefore) return null;

            var read = new Reader(settings);

            // Input
            int channels = (int)read.Int("input.channels");
            Int3 patch = read.Int3("input.patch");
            double[] spacing = read.OptionalList("input.spacing").Select(Reader.Real).ToArray();
            string[] names = read.OptionalList("input.names").Select(Reader.Name).ToArray();
            InputNormalization[] normalization = read.List("input.normalization").Select(v => SpecChoices.Normalization.Parse(Reader.Name(v))).ToArray();
            if (names.Length != 0 && names.Length != channels)
            {
                Report(DiagnosticDescriptors.ChannelNameCount, "input.names", "names", names.Length, channels);
            }
            if (normalization.Length != 1 && normalization.Length != channels)
            {
                Report(DiagnosticDescriptors.ChannelNameCount, "input.normalization", "normalization", normalization.Length, channels);
            }
            else if (normalization.Length == 1)
            {
                normalization = Enumerable.Repeat(normalization[0], channels).ToArray();
            }

            // Classes and labels
            int classes = (int)read.Int("classes");
            string[] labels = read.OptionalList("labels").Select(Reader.Name).ToArray();
            if (labels.Length != 0 && labels.Length != classes)
            {
                Report(DiagnosticDescriptors.LabelCount, "labels", labels.Length, classes);
            }

            // Decoder: E2ENet's fusion decoder, or nnU-Net's U-Net (which takes nnU-Net's defaults where the model leaves ours).
            var decoder = new DecoderSpec(read.Choice("decoder.type", SpecChoices.Decoder), (int)read.Int("decoder.blocks"));
            bool unet = decoder.IsUNet;
            bool Defaulted(string path) => settings[path].IsDefault;

            // Pools set the number of levels.
            Int3[] pools = read.List("pools").Select(Reader.ToInt3).ToArray();
            int levels = pools.Length + 1;

            // Widths
            int[] widths;
            IReadOnlyList<ConfigValue> widthList = read.OptionalList("widths.list");
            if (widthList.Count > 0)
            {
                widths = widthList.Select(v => (int)Reader.Integer(v)).ToArray();
                if (widths.Length != levels)
                {
                    Report(DiagnosticDescriptors.InconsistentValues, "widths.list", string.Format(CultureInfo.InvariantCulture,
                        "widths lists {0} levels but the {1} pools make {2}; give one width per level", widths.Length, pools.Length, levels));
                }
            }
            else
            {
                long baseWidth = read.Int("widths.base");
                long maxWidth = read.Int("widths.max");
                widths = Enumerable.Range(0, levels).Select(level => (int)Math.Min(baseWidth << level, maxWidth)).ToArray();
            }

            // Encoder
            int[] blocks = read.List("encoder.blocks").Select(v => (int)Reader.Integer(v)).ToArray();
            if (blocks.Length == 1) blocks = Enumerable.Repeat(blocks[0], levels).ToArray();
            else if (blocks.Length != levels)
            {
                Report(DiagnosticDescriptors.InconsistentValues, "encoder.blocks", string.Format(CultureInfo.InvariantCulture,
                    "encoder.blocks lists {0} levels but the {1} pools make {2}; give one number for all levels or one per level", blocks.Length, pools.Length, levels));
            }

            // Block: one kernel for every level, or one per level
            IReadOnlyList<ConfigValue> kernelValue = read.List("block.kernel");
            Int3[] kernels = unet && Defaulted("block.kernel")
                ? Enumerable.Repeat(Int3.All(3), levels).ToArray()
                : kernelValue[0] is ListValue ? kernelValue.Select(Reader.ToInt3).ToArray() : Enumerable.Repeat(Reader.ToInt3(new ListValue(new EquatableArray<ConfigValue>(kernelValue.ToArray()))), levels).ToArray();
            if (kernels.Length != levels)
            {
                Report(DiagnosticDescriptors.InconsistentValues, "block.kernel", string.Format(CultureInfo.InvariantCulture,
                    "block.kernel lists {0} kernels but the {1} pools make {2} levels; give one kernel for all levels or one per level", kernels.Length, pools.Length, levels));
                kernels = Enumerable.Repeat(kernels[0], levels).ToArray();
            }
            Int3 kernel = kernels[0];
            foreach (Int3 k in kernels.Distinct())
            {
                if (k.D % 2 == 0 || k.H % 2 == 0 || k.W % 2 == 0) Report(DiagnosticDescriptors.KernelEven, "block.kernel", k);
            }
            int[] shift = unet && Defaulted("block.shift") ? Array.Empty<int>() : read.OptionalList("block.shift").Select(v => (int)Reader.Integer(v)).ToArray();
            if (shift.Length > 0)
            {
                if (shift.Length % 2 == 0)
                {
                    Report(DiagnosticDescriptors.ShiftCountEven, "block.shift", shift.Length);
                }
                else
                {
                    int half = shift.Length / 2;
                    bool increasing = shift.Zip(shift.Skip(1), (a, b) => b > a).All(x => x);
                    bool symmetric = Enumerable.Range(0, shift.Length).All(k => shift[k] == -shift[shift.Length - 1 - k]);
                    if (!increasing || !symmetric || shift[half] != 0)
                    {
                        string example = "[" + string.Join(", ", Enumerable.Range(-half, shift.Length)) + "]";
                        Report(DiagnosticDescriptors.ShiftNotCentred, "block.shift", "[" + string.Join(", ", shift) + "]", example);
                    }
                }
            }
            if (shift.Length == 1 && shift[0] == 0) shift = Array.Empty<int>();
            var norm = new NormSpec(read.Choice("block.norm.type", SpecChoices.Norm), read.Real("block.norm.eps"), read.Bool("block.norm.affine"));
            var act = new ActivationSpec(read.Choice("block.act.type", SpecChoices.Activation), read.Real("block.act.slope"));
            var block = new BlockSpec(kernel, new EquatableArray<int>(shift), read.Bool("block.bias"), norm, act);

            // Fusion
            int stages = (int)read.Int("fusion.stages");
            if (stages != 5 && !unet) Report(DiagnosticDescriptors.FusionStages, "fusion.stages", stages);
            if (pools.Length + 1 != 6 && stages == 5 && !unet)
            {
                Report(DiagnosticDescriptors.InconsistentValues, "pools", "pools must list 5 factors for a 5-stage fusion decoder");
            }
            double sparsity = unet && Defaulted("fusion.sparsity") ? 0 : read.Real("fusion.sparsity");
            if (unet && sparsity > 0)
            {
                Report(DiagnosticDescriptors.InconsistentValues, "fusion.sparsity",
                    "fusion sparsity applies to E2ENet's fusion decoder; a U-Net (decoder unet) is dense: remove fusion.sparsity or set it to 0");
            }
            SparsityUnit unit = read.Choice("fusion.unit", SpecChoices.Unit);
            int groups = unit == SparsityUnit.Group ? (int)read.Int("fusion.groups") : 1;
            if (unit == SparsityUnit.Group && sparsity > 0 && widths.Any(w => w % groups != 0))
            {
                Report(DiagnosticDescriptors.InconsistentValues, "fusion.groups", string.Format(CultureInfo.InvariantCulture,
                    "unit group splits every layer's outputs into {0} equal groups, but the widths are [{1}]; choose a number of groups that divides every width (for example {2})",
                    groups, string.Join(", ", widths), LargestDivisorUpTo(Gcd(widths), groups)));
            }
            var fusion = new FusionSpec(stages, sparsity, unit, read.Choice("fusion.init", SpecChoices.Init), groups);

            // Geometry: divisibility, bottleneck, shift against depth
            CheckGeometry(patch, pools, shift, Where, diagnostics);

            // Evolution
            var evolve = new EvolveSpec(read.Bool("evolve.enabled"), read.Real("evolve.every.count"),
                read.Choice("evolve.every.unit", SpecChoices.Interval),
                read.Choice("evolve.prune.criterion", SpecChoices.Criterion), read.Real("evolve.prune.from"), read.Real("evolve.prune.to"),
                read.Choice("evolve.prune.decay", SpecChoices.Decay), read.Choice("evolve.regrow", SpecChoices.Regrow));
            if (evolve.Unit == IntervalUnit.Iterations && evolve.Every != Math.Floor(evolve.Every))
            {
                Report(DiagnosticDescriptors.InconsistentValues, "evolve.every.count",
                    string.Format(CultureInfo.InvariantCulture, "evolve every {0} iterations is not a whole number of iterations; round it, or give the interval in epochs", evolve.Every));
            }
            if (evolve.PruneTo > evolve.PruneFrom)
            {
                Report(DiagnosticDescriptors.InconsistentValues, "evolve.prune.to",
                    string.Format(CultureInfo.InvariantCulture, "the prune rate goes up from {0} to {1}; it should decay (for example 'evolve prune l1 0.5 -> 0.001 cosine')", evolve.PruneFrom, evolve.PruneTo));
            }

            // Heads
            double[] ds = read.List("heads.deep_supervision").Select(Reader.Real).ToArray();
            int headCount = unet ? levels - 1 : 4;
            if (unet && Defaulted("heads.deep_supervision"))
            {
                // nnU-Net v2 (nnUNetTrainer._build_loss): 1 / 2^k per decoder output, full resolution first, the lowest resolution 0.
                ds = Enumerable.Range(0, headCount).Select(k => k == headCount - 1 && headCount > 1 ? 0.0 : 1.0 / (1 << k)).ToArray();
            }
            else if (ds.Length != headCount)
            {
                Report(DiagnosticDescriptors.InconsistentValues, "heads.deep_supervision", string.Format(CultureInfo.InvariantCulture,
                    "heads.deep_supervision lists {0} weights but the model has {1} heads (full resolution first); give one weight per head", ds.Length, headCount));
                ds = Enumerable.Range(0, headCount).Select(k => k < ds.Length ? ds[k] : 0).ToArray();
            }
            if (ds[0] <= 0)
            {
                Report(DiagnosticDescriptors.DeepSupervisionWeights, "heads.deep_supervision", "[" + string.Join(", ", ds.Select(FloatValue.Format)) + "]",
                    "the full-resolution head (the first weight) must have a positive weight, for example [8, 4, 2, 1] or [1, 0, 0, 0]");
            }

            // Training
            var optimizer = new OptimizerSpec(read.Choice("training.optimizer.type", SpecChoices.Optimizer), read.Real("training.optimizer.momentum"),
                read.Bool("training.optimizer.nesterov"), read.Real("training.optimizer.weight_decay"),
                Reader.Real(read.List("training.optimizer.betas")[0]), Reader.Real(read.List("training.optimizer.betas")[1]),
                read.Real("training.optimizer.eps"));
            var schedule = new ScheduleSpec(read.Choice("training.schedule.type", SpecChoices.Schedule), read.Real("training.schedule.exponent"));
            var loss = new LossSpec(read.Choice("training.loss.type", SpecChoices.Loss), read.Real("training.loss.smooth"), read.Real("training.loss.dice"), read.Real("training.loss.ce"));
            if (loss.DiceWeight + loss.CeWeight <= 0)
            {
                Report(DiagnosticDescriptors.InconsistentValues, "training.loss.dice", "the loss weights training.loss.dice and training.loss.ce are both 0; give one of them a positive weight");
            }
            AugmentationSpec Augmentation(string name, string range)
            {
                RealRange r = read.Range("training.augment." + name + "." + range);
                if (r.Min > r.Max)
                {
                    Report(DiagnosticDescriptors.InconsistentValues, "training.augment." + name + "." + range,
                        $"training.augment.{name}.{range} {r} is reversed; write the smaller bound first");
                }
                return new AugmentationSpec(read.Real("training.augment." + name + ".p"), r);
            }
            int[] augmentMirror = read.List("training.augment.mirror.axes").Select(v => (int)Reader.Integer(v)).ToArray();
            if (augmentMirror.Distinct().Count() != augmentMirror.Length)
            {
                Report(DiagnosticDescriptors.MirrorAxes, "training.augment.mirror.axes", "training.augment.mirror.axes", "[" + string.Join(", ", augmentMirror) + "]");
            }
            var augment = new AugmentSpec(
                new AugmentationSpec(read.Real("training.augment.rotation.p"), new RealRange(-read.Real("training.augment.rotation.degrees"), read.Real("training.augment.rotation.degrees"))),
                Augmentation("scaling", "range"), Augmentation("noise", "variance"), Augmentation("blur", "sigma"),
                Augmentation("brightness", "range"), Augmentation("contrast", "range"), Augmentation("low_resolution", "zoom"),
                Augmentation("gamma", "range"), read.Real("training.augment.mirror.p"), new EquatableArray<int>(augmentMirror));
            ConfigValue? clipValue = settings.Value("training.clip");
            double? clip = clipValue is NoneValue ? null : Reader.Real(clipValue!);
            var training = new TrainingSpec(optimizer, read.Real("training.lr"), schedule, (int)read.Int("training.epochs"), (int)read.Int("training.iterations"),
                (int)read.Int("training.batch"), clip, read.Real("training.oversample"), read.Bool("training.mixed_precision"), (int)read.Int("training.folds"),
                loss, augment);
            if (evolve.Enabled && fusion.IsSparse)
            {
                double everyIterations = evolve.Unit == IntervalUnit.Epochs ? evolve.Every * training.IterationsPerEpoch : evolve.Every;
                if (everyIterations >= training.TotalIterations)
                {
                    Report(DiagnosticDescriptors.EvolutionNeverRuns, "evolve.every.count",
                        FloatValue.Format(evolve.Every) + (evolve.Unit == IntervalUnit.Epochs ? " epochs" : " iterations"), training.TotalIterations);
                }
            }

            // Inference
            int[] mirror = read.OptionalList("inference.mirror").Select(v => (int)Reader.Integer(v)).ToArray();
            if (mirror.Distinct().Count() != mirror.Length)
            {
                Report(DiagnosticDescriptors.MirrorAxes, "inference.mirror", "inference.mirror", "[" + string.Join(", ", mirror) + "]");
            }
            var inference = new InferenceSpec(read.Real("inference.step"), new EquatableArray<int>(mirror), read.Real("inference.sigma"));

            // Codegen
            ConfigValue? classValue = settings.Value("codegen.class");
            string className = classValue is NoneValue || classValue == null ? name : Reader.Name(classValue);
            if (CSharpKeywords.Contains(className))
            {
                diagnostics.Add(DiagnosticDescriptors.InvalidModelName.Create(settings["codegen.class"].Origin ?? modelLocation, className,
                    "it is a C# keyword, so the generated class cannot have that name; rename the model or set 'codegen class OtherName'"));
            }
            string ns = Reader.Name(settings.Value("codegen.namespace")!);
            if (ns.Split('.').Any(CSharpKeywords.Contains))
            {
                Report(DiagnosticDescriptors.InconsistentValues, "codegen.namespace", $"codegen.namespace '{ns}' contains a C# keyword; choose another namespace");
            }
            var codegen = new CodegenSpec(ns, className);

            ConfigValue? descriptionValue = settings.Value("description");
            string? description = descriptionValue is NoneValue || descriptionValue == null ? null : Reader.Name(descriptionValue);

            if (diagnostics.Count(d => d.IsError) > errorsBefore) return null;
            return new ModelSpec(name, parent, sourcePath, description,
                new InputSpec(channels, patch, new EquatableArray<double>(spacing), new EquatableArray<string>(names), new EquatableArray<InputNormalization>(normalization)),
                classes, new EquatableArray<string>(labels), new EquatableArray<int>(widths), new EquatableArray<Int3>(pools),
                new EquatableArray<int>(blocks), block, new EquatableArray<Int3>(kernels), decoder, fusion, evolve, new HeadsSpec(new EquatableArray<double>(ds)), training, inference, codegen,
                (unet ? settings.WithResolvedDefaults(UNetDefaults(kernels, ds)) : settings).ToE2E(name));
        }

        /// <summary>The values a U-Net takes where its source leaves a key at E2ENet's default (written out in the canonical source).</summary>
        private static IEnumerable<(string Path, ConfigValue Value)> UNetDefaults(Int3[] kernels, double[] ds)
        {
            ConfigValue Triple(Int3 k) => new ListValue(new EquatableArray<ConfigValue>(new ConfigValue[] { new IntValue(k.D), new IntValue(k.H), new IntValue(k.W) }));
            yield return ("block.kernel", kernels.Distinct().Count() == 1 ? Triple(kernels[0]) : new ListValue(new EquatableArray<ConfigValue>(kernels.Select(Triple).ToArray())));
            yield return ("block.shift", NoneValue.Instance);
            yield return ("fusion.sparsity", new FloatValue(0));
            yield return ("heads.deep_supervision", new ListValue(new EquatableArray<ConfigValue>(ds.Select(w => (ConfigValue)new FloatValue(w)).ToArray())));
        }

        private static void CheckGeometry(Int3 patch, Int3[] pools, int[] shift, Func<string, SourceLocation> where, List<Diagnostic> diagnostics)
        {
            bool divisible = true;
            var contract = new E2ENet.Compiler.Ir.InputContract(string.Empty, 1, E2ENet.Compiler.Ir.InputContract.Divisor(pools));
            for (int axis = 0; axis < 3; axis++)
            {
                long product = contract.DivisibleBy[axis];
                if (patch[axis] % product != 0)
                {
                    divisible = false;
                    long suggestion = Math.Max(product, (long)Math.Round((double)patch[axis] / product) * product);
                    diagnostics.Add(DiagnosticDescriptors.PatchNotDivisible.Create(where("input.patch"), AxisName(axis), patch[axis], product, suggestion));
                }
            }
            if (!divisible) return;
            Int3 size = patch;
            var sizes = new List<Int3> { size };
            foreach (Int3 pool in pools)
            {
                size /= pool;
                sizes.Add(size);
            }
            if (contract.BottleneckVoxels(patch) <= 1)
            {
                diagnostics.Add(DiagnosticDescriptors.BottleneckTooSmall.Create(where("input.patch"), size.ToSizeString(), patch));
            }
            if (shift.Length > 0)
            {
                int largest = shift.Max(Math.Abs);
                for (int level = 0; level < sizes.Count; level++)
                {
                    if (largest >= sizes[level].D)
                    {
                        diagnostics.Add(DiagnosticDescriptors.ShiftExceedsDepth.Create(where("block.shift"), largest, sizes[level].D, level, patch));
                        break;
                    }
                }
            }
        }

        private static int LargestDivisorUpTo(int value, int limit) => Enumerable.Range(1, limit).Last(d => value % d == 0);

        private static int Gcd(int[] values)
        {
            int result = 0;
            foreach (int value in values)
            {
                int a = result, b = Math.Abs(value);
                while (b != 0) (a, b) = (b, a % b);
                result = a;
            }
            return Math.Max(1, result);
        }

        private static string AxisName(int axis) => axis == 0 ? "0 (D)" : axis == 1 ? "1 (H)" : "2 (W)";

        /// <summary>Typed access to resolved values (the binder has already checked every type).</summary>
        private sealed class Reader
        {
            private readonly ResolvedSettings _settings;

            public Reader(ResolvedSettings settings) => _settings = settings;

            private ConfigValue Get(string path) => _settings.Value(path) ?? throw new InvalidOperationException("unset " + path);

            public long Int(string path) => Integer(Get(path));

            public double Real(string path) => Real(Get(path));

            public bool Bool(string path) => ((BoolValue)Get(path)).Value;

            public string Symbol(string path) => Name(Get(path));

            /// <summary>The enum value of a closed choice (the schema accepted only <paramref name="map"/>'s symbols).</summary>
            public T Choice<T>(string path, SymbolMap<T> map)
                where T : struct, Enum
                => map.Parse(Symbol(path));

            public IReadOnlyList<ConfigValue> List(string path) => ((ListValue)Get(path)).Items.ToArray();

            public IReadOnlyList<ConfigValue> OptionalList(string path) => Get(path) is ListValue list ? list.Items.ToArray() : Array.Empty<ConfigValue>();

            public Int3 Int3(string path) => ToInt3(Get(path));

            public RealRange Range(string path)
            {
                var items = List(path);
                return new RealRange(Real(items[0]), Real(items[1]));
            }

            public static long Integer(ConfigValue value) => ((IntValue)value).Value;

            public static double Real(ConfigValue value) => value is IntValue i ? i.Value : ((FloatValue)value).Value;

            public static string Name(ConfigValue value) => value switch
            {
                SymbolValue s => s.Value,
                TextValue t => t.Value,
                _ => value.ToE2E(),
            };

            public static Int3 ToInt3(ConfigValue value)
            {
                var items = ((ListValue)value).Items;
                return new Int3((int)Integer(items[0]), (int)Integer(items[1]), (int)Integer(items[2]));
            }
        }
    }
}
