namespace E2ENet.Compiler.Diagnostics
{
    /// <summary>
    /// The catalogue of every diagnostic the front end reports. Ids are stable: once shipped, an id keeps its meaning.
    /// Each one is documented in docs/diagnostics.md (a test checks that).
    /// </summary>
    public static class DiagnosticDescriptors
    {
        private const string Syntax = "Syntax";
        private const string Declarations = "Declarations";
        private const string Values = "Values";
        private const string Network = "Network";
        private const string Generator = "Generator";

        // ---- E2E00xx: characters, tokens, syntax -------------------------------------------------------------

        /// <summary>A character that cannot start any token.</summary>
        public static readonly DiagnosticDescriptor UnexpectedCharacter = new DiagnosticDescriptor("E2E0001",
            "Unexpected character", "unexpected character {0}; remove it (comments start with '//')", DiagnosticSeverity.Error, Syntax);

        /// <summary>A string without its closing quote.</summary>
        public static readonly DiagnosticDescriptor UnterminatedString = new DiagnosticDescriptor("E2E0002",
            "Unterminated string", "string is not closed; add a '\"' before the end of the line", DiagnosticSeverity.Error, Syntax);

        /// <summary>A block comment without its end.</summary>
        public static readonly DiagnosticDescriptor UnterminatedComment = new DiagnosticDescriptor("E2E0003",
            "Unterminated comment", "block comment is not closed; add '*/'", DiagnosticSeverity.Error, Syntax);

        /// <summary>A number that cannot be read or does not fit.</summary>
        public static readonly DiagnosticDescriptor InvalidNumber = new DiagnosticDescriptor("E2E0004",
            "Invalid number", "'{0}' is not a valid number: {1}", DiagnosticSeverity.Error, Syntax);

        /// <summary>Something else was expected at this place.</summary>
        public static readonly DiagnosticDescriptor Expected = new DiagnosticDescriptor("E2E0005",
            "Syntax error", "expected {0} but found {1}", DiagnosticSeverity.Error, Syntax);

        /// <summary>A token that cannot appear here.</summary>
        public static readonly DiagnosticDescriptor UnexpectedToken = new DiagnosticDescriptor("E2E0006",
            "Unexpected token", "unexpected {0}{1}", DiagnosticSeverity.Error, Syntax);

        /// <summary>A bracket, parenthesis or brace that is never closed.</summary>
        public static readonly DiagnosticDescriptor Unclosed = new DiagnosticDescriptor("E2E0007",
            "Unclosed bracket", "'{0}' is not closed; add '{1}'", DiagnosticSeverity.Error, Syntax);

        /// <summary>Lists, calls or blocks nested deeper than the language allows.</summary>
        public static readonly DiagnosticDescriptor NestingTooDeep = new DiagnosticDescriptor("E2E0008",
            "Nesting too deep", "nesting deeper than {0} levels; flatten the value", DiagnosticSeverity.Error, Syntax);

        /// <summary>A source larger than the front end reads.</summary>
        public static readonly DiagnosticDescriptor FileTooLarge = new DiagnosticDescriptor("E2E0009",
            "File too large", "the file has {0} characters, more than the {1} an .e2e file may have; split it", DiagnosticSeverity.Error, Syntax);

        /// <summary>Something other than a model or an import at the top of a file.</summary>
        public static readonly DiagnosticDescriptor ExpectedDeclaration = new DiagnosticDescriptor("E2E0010",
            "Expected a declaration", "expected 'model Name {{ ... }}' or 'import \"file.e2e\"' but found {0}", DiagnosticSeverity.Error, Syntax);

        /// <summary>An imported file that cannot be read.</summary>
        public static readonly DiagnosticDescriptor ImportNotFound = new DiagnosticDescriptor("E2E0011",
            "Imported file not found", "cannot read imported file '{0}': {1}", DiagnosticSeverity.Error, Syntax);

        /// <summary>An input file that cannot be read.</summary>
        public static readonly DiagnosticDescriptor FileNotReadable = new DiagnosticDescriptor("E2E0012",
            "File not readable", "cannot read '{0}': {1}", DiagnosticSeverity.Error, Syntax);

        // ---- E2E01xx: models and inheritance ----------------------------------------------------------------

        /// <summary>Two models with one name in a set of files.</summary>
        public static readonly DiagnosticDescriptor DuplicateModel = new DiagnosticDescriptor("E2E0101",
            "Duplicate model", "model '{0}' is already declared at {1}; rename one of them", DiagnosticSeverity.Error, Declarations);

        /// <summary>A parent that no file of the set declares.</summary>
        public static readonly DiagnosticDescriptor UnknownParent = new DiagnosticDescriptor("E2E0102",
            "Unknown parent model", "model '{0}' inherits from '{1}', which no file of this set declares{2}", DiagnosticSeverity.Error, Declarations);

        /// <summary>A model that inherits from itself, directly or not.</summary>
        public static readonly DiagnosticDescriptor InheritanceCycle = new DiagnosticDescriptor("E2E0103",
            "Inheritance cycle", "model '{0}' inherits from itself: {1}; break the cycle", DiagnosticSeverity.Error, Declarations);

        /// <summary>A model asked for by name that does not exist.</summary>
        public static readonly DiagnosticDescriptor UnknownModel = new DiagnosticDescriptor("E2E0104",
            "Unknown model", "there is no model '{0}'{1}", DiagnosticSeverity.Error, Declarations);

        /// <summary>A file that declares no model.</summary>
        public static readonly DiagnosticDescriptor NoModels = new DiagnosticDescriptor("E2E0105",
            "No models", "the file declares no model; add 'model Name {{ ... }}'", DiagnosticSeverity.Warning, Declarations);

        /// <summary>A model name that is not a usable identifier.</summary>
        public static readonly DiagnosticDescriptor InvalidModelName = new DiagnosticDescriptor("E2E0106",
            "Invalid model name", "'{0}' cannot name a model: {1}", DiagnosticSeverity.Error, Declarations);

        // ---- E2E02xx: keys and values ------------------------------------------------------------------------

        /// <summary>A key the language does not have.</summary>
        public static readonly DiagnosticDescriptor UnknownKey = new DiagnosticDescriptor("E2E0201",
            "Unknown key", "unknown key '{0}'{1}", DiagnosticSeverity.Error, Values);

        /// <summary>A key without its value.</summary>
        public static readonly DiagnosticDescriptor MissingValue = new DiagnosticDescriptor("E2E0202",
            "Missing value", "'{0}' needs a value: {1}", DiagnosticSeverity.Error, Values);

        /// <summary>A value of the wrong kind.</summary>
        public static readonly DiagnosticDescriptor WrongType = new DiagnosticDescriptor("E2E0203",
            "Wrong kind of value", "'{0}' must be {1}, not {2}", DiagnosticSeverity.Error, Values);

        /// <summary>A number outside its allowed range.</summary>
        public static readonly DiagnosticDescriptor OutOfRange = new DiagnosticDescriptor("E2E0204",
            "Value out of range", "'{0}' is {1}, but it must be {2}", DiagnosticSeverity.Error, Values);

        /// <summary>A list with the wrong number of items.</summary>
        public static readonly DiagnosticDescriptor WrongLength = new DiagnosticDescriptor("E2E0205",
            "Wrong number of items", "'{0}' has {1} item(s) but needs {2}", DiagnosticSeverity.Error, Values);

        /// <summary>A word that is not one of the allowed choices.</summary>
        public static readonly DiagnosticDescriptor UnknownChoice = new DiagnosticDescriptor("E2E0206",
            "Unknown choice", "'{0}' cannot be '{1}'; choose one of {2}{3}", DiagnosticSeverity.Error, Values);

        /// <summary>A key given twice in one model.</summary>
        public static readonly DiagnosticDescriptor DuplicateKey = new DiagnosticDescriptor("E2E0207",
            "Key set twice", "'{0}' is already set in this model at line {1}; the later value wins. Remove one of them", DiagnosticSeverity.Warning, Values);

        /// <summary>An argument name that the function does not take.</summary>
        public static readonly DiagnosticDescriptor UnknownArgument = new DiagnosticDescriptor("E2E0208",
            "Unknown argument", "{0} takes no argument '{1}'{2}", DiagnosticSeverity.Error, Values);

        /// <summary>A choice the language knows but this version does not implement.</summary>
        public static readonly DiagnosticDescriptor NotSupported = new DiagnosticDescriptor("E2E0209",
            "Not supported", "{0}", DiagnosticSeverity.Error, Values);

        /// <summary>A required key that neither the model nor its parents set.</summary>
        public static readonly DiagnosticDescriptor RequiredKey = new DiagnosticDescriptor("E2E0210",
            "Required key missing", "model '{0}' does not set '{1}'; add for example '{2}'", DiagnosticSeverity.Error, Values);

        /// <summary>Too many values where one is expected.</summary>
        public static readonly DiagnosticDescriptor TooManyValues = new DiagnosticDescriptor("E2E0211",
            "Too many values", "'{0}' takes one value; {1}", DiagnosticSeverity.Error, Values);

        /// <summary>A malformed --set override.</summary>
        public static readonly DiagnosticDescriptor BadOverride = new DiagnosticDescriptor("E2E0212",
            "Malformed override", "'--set {0}' is not of the form path=value (for example --set fusion.sparsity=0.9)", DiagnosticSeverity.Error, Values);

        /// <summary>The same argument given twice in one call.</summary>
        public static readonly DiagnosticDescriptor DuplicateArgument = new DiagnosticDescriptor("E2E0213",
            "Argument given twice", "{0} is given argument '{1}' twice; keep one", DiagnosticSeverity.Error, Values);

        // ---- E2E03xx: the network ----------------------------------------------------------------------------

        /// <summary>A patch axis the pools do not divide.</summary>
        public static readonly DiagnosticDescriptor PatchNotDivisible = new DiagnosticDescriptor("E2E0301",
            "Patch not divisible by the pools", "input.patch axis {0} is {1}, which the product of the pools on that axis ({2}) does not divide; use a multiple of {2}, such as {3}", DiagnosticSeverity.Error, Network);

        /// <summary>A bottleneck of one voxel, where instance normalization is undefined.</summary>
        public static readonly DiagnosticDescriptor BottleneckTooSmall = new DiagnosticDescriptor("E2E0302",
            "Bottleneck too small", "the bottleneck is {0} at patch {1}: instance normalization needs more than one voxel; enlarge input.patch or reduce pools", DiagnosticSeverity.Error, Network);

        /// <summary>Shift offsets whose count is even.</summary>
        public static readonly DiagnosticDescriptor ShiftCountEven = new DiagnosticDescriptor("E2E0303",
            "Even number of shift offsets", "block.shift has {0} offsets; it needs an odd count centred on 0, such as [-1, 0, 1]", DiagnosticSeverity.Error, Network);

        /// <summary>Shift offsets that are not increasing and centred on zero.</summary>
        public static readonly DiagnosticDescriptor ShiftNotCentred = new DiagnosticDescriptor("E2E0304",
            "Shift offsets not centred", "block.shift {0} must increase strictly and be symmetric around 0 (offset k of S is -(S div 2) + k in the paper), such as {1}", DiagnosticSeverity.Error, Network);

        /// <summary>The number of fusion stages is not five.</summary>
        public static readonly DiagnosticDescriptor FusionStages = new DiagnosticDescriptor("E2E0306",
            "Unsupported fusion depth", "fusion.stages is {0}: only 5 stages (the paper's 6-level network) are supported yet; set 'fusion stages 5'", DiagnosticSeverity.Error, Network);

        /// <summary>Label names that do not match the number of classes.</summary>
        public static readonly DiagnosticDescriptor LabelCount = new DiagnosticDescriptor("E2E0307",
            "Label names do not match classes", "labels names {0} class(es) but classes is {1}; give one name per class, background first", DiagnosticSeverity.Error, Network);

        /// <summary>Channel names that do not match the number of input channels.</summary>
        public static readonly DiagnosticDescriptor ChannelNameCount = new DiagnosticDescriptor("E2E0308",
            "Channel names do not match channels", "input.{0} has {1} item(s) but input.channels is {2}; give one per channel (or a single value for all)", DiagnosticSeverity.Error, Network);

        /// <summary>An even convolution kernel size.</summary>
        public static readonly DiagnosticDescriptor KernelEven = new DiagnosticDescriptor("E2E0309",
            "Even kernel size", "block.kernel {0} has an even size; every axis must be odd (1, 3, 5 ...) so that padding keeps the size", DiagnosticSeverity.Error, Network);

        /// <summary>A sparse layer that keeps no kernel at all.</summary>
        public static readonly DiagnosticDescriptor LayerFullyPruned = new DiagnosticDescriptor("E2E0310",
            "Layer fully pruned", "at fusion.sparsity {0} the layer '{1}' ({2} units) keeps no unit; lower the sparsity or widen the network", DiagnosticSeverity.Warning, Network);

        /// <summary>A bad deep-supervision weight list.</summary>
        public static readonly DiagnosticDescriptor DeepSupervisionWeights = new DiagnosticDescriptor("E2E0311",
            "Bad deep-supervision weights", "heads.deep_supervision {0}: {1}", DiagnosticSeverity.Error, Network);

        /// <summary>Mirror axes that repeat.</summary>
        public static readonly DiagnosticDescriptor MirrorAxes = new DiagnosticDescriptor("E2E0313",
            "Bad mirror axes", "{0} {1} repeats an axis; list each of 0 (depth), 1, 2 at most once", DiagnosticSeverity.Error, Network);

        /// <summary>An evolution interval longer than the whole training.</summary>
        public static readonly DiagnosticDescriptor EvolutionNeverRuns = new DiagnosticDescriptor("E2E0314",
            "Topology never evolves", "evolve.every is {0} but training has {1} iterations in all: the sparse topology never evolves; shorten the interval or set 'evolve enabled false'", DiagnosticSeverity.Warning, Network);

        /// <summary>A shift as large as the depth at some level, which zeroes whole channel groups.</summary>
        public static readonly DiagnosticDescriptor ShiftExceedsDepth = new DiagnosticDescriptor("E2E0315",
            "Shift as large as the depth", "block.shift offset {0} is not smaller than the depth {1} at level {2} (patch {3}): shifted channel groups are all zeros there; use a deeper patch or smaller offsets", DiagnosticSeverity.Warning, Network);

        /// <summary>A network whose counts overflow 64-bit integers.</summary>
        public static readonly DiagnosticDescriptor TooLargeToCount = new DiagnosticDescriptor("E2E0316",
            "Network too large", "the network is too large to count ({0} overflows 64-bit integers); reduce widths or patch", DiagnosticSeverity.Error, Network);

        /// <summary>A training schedule value that contradicts another.</summary>
        public static readonly DiagnosticDescriptor InconsistentValues = new DiagnosticDescriptor("E2E0317",
            "Inconsistent values", "{0}", DiagnosticSeverity.Error, Network);

        // ---- E2E05xx: the source generator ------------------------------------------------------------------

        /// <summary>The source generator failed unexpectedly on a set of files (a bug; reported instead of a crash).</summary>
        public static readonly DiagnosticDescriptor GeneratorFailed = new DiagnosticDescriptor("E2E0501",
            "Source generator failed", "the E2ENet source generator failed on {0}: {1}; no class was generated for it. Please report this with the file", DiagnosticSeverity.Error, Generator);

        /// <summary>Two models that would generate the same C# class.</summary>
        public static readonly DiagnosticDescriptor GeneratedNameCollision = new DiagnosticDescriptor("E2E0502",
            "Generated class name taken", "model '{0}' would generate class '{1}', which model '{2}' at {3} already generates; set 'codegen class OtherName' (or another 'codegen namespace') in one of them", DiagnosticSeverity.Error, Generator);

        /// <summary>A project with .e2e files that does not reference the runtime the generated classes need.</summary>
        public static readonly DiagnosticDescriptor RuntimeNotReferenced = new DiagnosticDescriptor("E2E0503",
            "E2ENet.Torch not referenced", "the project has .e2e files but does not reference E2ENet.Torch ({0} not found), which the generated networks need; add <PackageReference Include=\"E2ENet.Generators\" /> (it brings E2ENet.Torch and TorchSharp) or a reference to E2ENet.Torch. No class was generated", DiagnosticSeverity.Error, Generator);

        /// <summary>Every descriptor, in id order.</summary>
        public static readonly DiagnosticDescriptor[] All =
        {
            UnexpectedCharacter, UnterminatedString, UnterminatedComment, InvalidNumber, Expected, UnexpectedToken, Unclosed,
            NestingTooDeep, FileTooLarge, ExpectedDeclaration, ImportNotFound, FileNotReadable,
            DuplicateModel, UnknownParent, InheritanceCycle, UnknownModel, NoModels, InvalidModelName,
            UnknownKey, MissingValue, WrongType, OutOfRange, WrongLength, UnknownChoice, DuplicateKey, UnknownArgument,
            NotSupported, RequiredKey, TooManyValues, BadOverride, DuplicateArgument,
            PatchNotDivisible, BottleneckTooSmall, ShiftCountEven, ShiftNotCentred, FusionStages, LabelCount,
            ChannelNameCount, KernelEven, LayerFullyPruned, DeepSupervisionWeights, MirrorAxes, EvolutionNeverRuns,
            ShiftExceedsDepth, TooLargeToCount, InconsistentValues,
            GeneratorFailed, GeneratedNameCollision, RuntimeNotReferenced,
        };
    }
}
