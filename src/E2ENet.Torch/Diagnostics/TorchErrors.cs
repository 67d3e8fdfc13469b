using System.Collections.Generic;
using E2ENet.Compiler.Errors;

namespace E2ENet.Torch.Diagnostics
{
    /// <summary>
    /// The catalogue of every error the TorchSharp side reports (network building, weight and tensor files, the forward
    /// and bench commands). Ids are stable: once shipped, an id keeps its meaning. docs/weights.md documents each one
    /// (a test checks that). Ranges: E2E30xx models and inputs, E2E31xx torch.save files, E2E32xx state dicts against a model.
    /// </summary>
    public static class TorchErrors
    {
        // ---- E2E30xx: models and inputs -----------------------------------------------------------------------

        /// <summary>The .e2e file cannot be read or has errors.</summary>
        public static readonly ErrorDescriptor ModelNotBuilt = new ErrorDescriptor("E2E3001", "Model has errors");

        /// <summary>No model of that name in the files.</summary>
        public static readonly ErrorDescriptor UnknownModel = new ErrorDescriptor("E2E3002", "Unknown model");

        /// <summary>An input tensor of the wrong rank, channels or dtype.</summary>
        public static readonly ErrorDescriptor InputShape = new ErrorDescriptor("E2E3003", "Input shape does not fit the model");

        /// <summary>An input whose spatial size the pools do not divide.</summary>
        public static readonly ErrorDescriptor InputNotDivisible = new ErrorDescriptor("E2E3004", "Input size not divisible by the pools");

        /// <summary>A layer produced NaN or infinity from finite input (only with <c>FiniteChecks</c> on: tests, training diagnosis).</summary>
        public static readonly ErrorDescriptor NonFiniteOutput = new ErrorDescriptor("E2E3010", "Layer produced NaN or infinity");

        /// <summary><c>e2enet verify</c>: a batch gives other results than its samples one by one (the machine computes the model wrong).</summary>
        public static readonly ErrorDescriptor BatchInconsistent = new ErrorDescriptor("E2E3011", "Batch differs from its samples");

        // ---- E2E31xx: torch.save files ------------------------------------------------------------------------

        /// <summary>The file does not exist or cannot be read.</summary>
        public static readonly ErrorDescriptor FileNotReadable = new ErrorDescriptor("E2E3101", "File not readable");

        /// <summary>Not a zip archive as torch.save writes (truncated, corrupt, or the legacy non-zip format).</summary>
        public static readonly ErrorDescriptor NotAnArchive = new ErrorDescriptor("E2E3102", "Not a torch.save archive");

        /// <summary>A record the pickle refers to is missing from the archive.</summary>
        public static readonly ErrorDescriptor MissingRecord = new ErrorDescriptor("E2E3103", "Missing archive record");

        /// <summary>A record or the pickle is larger than the reader allows.</summary>
        public static readonly ErrorDescriptor TooLarge = new ErrorDescriptor("E2E3104", "Archive record too large");

        /// <summary>The pickle is truncated or inconsistent (stack underflow, bad memo reference, wrong argument kinds).</summary>
        public static readonly ErrorDescriptor MalformedPickle = new ErrorDescriptor("E2E3105", "Malformed pickle");

        /// <summary>A pickle opcode that torch.save never writes (INST, OBJ, EXT..., PERSID text form).</summary>
        public static readonly ErrorDescriptor UnsupportedOpcode = new ErrorDescriptor("E2E3106", "Unsupported pickle opcode");

        /// <summary>A pickle global outside the allow-list of what torch.save and trainers write; it is never executed.</summary>
        public static readonly ErrorDescriptor ForbiddenGlobal = new ErrorDescriptor("E2E3107", "Refused pickle global");

        /// <summary>A tensor whose shape, strides or offset are absurd or do not fit its storage.</summary>
        public static readonly ErrorDescriptor BadTensor = new ErrorDescriptor("E2E3108", "Invalid tensor record");

        /// <summary>A tensor of a dtype the reader or the model does not accept.</summary>
        public static readonly ErrorDescriptor UnsupportedDtype = new ErrorDescriptor("E2E3109", "Unsupported dtype");

        /// <summary>The file holds no dict of tensors (or no state_dict entry).</summary>
        public static readonly ErrorDescriptor NotAStateDict = new ErrorDescriptor("E2E3110", "Not a dict of tensors");

        /// <summary>A tensor the command needs is not in the file.</summary>
        public static readonly ErrorDescriptor MissingTensor = new ErrorDescriptor("E2E3111", "Tensor not in file");

        /// <summary>Writing a file failed (the previous file, if any, is left as it was).</summary>
        public static readonly ErrorDescriptor WriteFailed = new ErrorDescriptor("E2E3112", "Cannot write file");

        /// <summary>NaN or infinite values in a tensor that must be finite (weights, a network input).</summary>
        public static readonly ErrorDescriptor NonFinite = new ErrorDescriptor("E2E3113", "NaN or infinite values");
        /// <summary>A safetensors file whose header is malformed: bad length, JSON, fields, or offsets that do not tile the data.</summary>
        public static readonly ErrorDescriptor BadSafetensors = new ErrorDescriptor("E2E3114", "Invalid safetensors file");

        // ---- E2E32xx: state dicts against a model -------------------------------------------------------------

        /// <summary>Missing, unexpected or mis-shaped keys (all listed at once).</summary>
        public static readonly ErrorDescriptor StateDictMismatch = new ErrorDescriptor("E2E3201", "State dict does not match the model");

        /// <summary>A sparse weight with more non-zero kernels (or channels) than the model's sparsity keeps.</summary>
        public static readonly ErrorDescriptor TooDenseForMask = new ErrorDescriptor("E2E3202", "Weights denser than the model's sparsity");

        /// <summary>Every error, in id order.</summary>
        public static IReadOnlyList<ErrorDescriptor> All { get; } = new[]
        {
            ModelNotBuilt, UnknownModel, InputShape, InputNotDivisible, NonFiniteOutput, BatchInconsistent,
            FileNotReadable, NotAnArchive, MissingRecord, TooLarge, MalformedPickle, UnsupportedOpcode, ForbiddenGlobal,
            BadTensor, UnsupportedDtype, NotAStateDict, MissingTensor, WriteFailed, NonFinite, BadSafetensors,
            StateDictMismatch, TooDenseForMask,
        };
    }
}
