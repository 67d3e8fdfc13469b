using System.Collections.Generic;
using E2ENet.Compiler.Semantics;

namespace E2ENet.Onnx.Bundle
{
    /// <summary>A graph input or output: name, shape (numbers and symbols), element type.</summary>
    public sealed record TensorSignature(string Name, IReadOnlyList<string> Shape, string Type);

    /// <summary>One check an export passed: which two outputs were compared, the relative error and the tolerance.</summary>
    public sealed record ExportCheck(string Name, string Against, double RelativeError, double Tolerance);

    /// <summary>
    /// <c>manifest.json</c> of a bundle: everything needed to run <c>model.onnx</c> without the <c>.e2e</c> file or the
    /// weights (the model's canonical source is inside, with its hash), where it came from, and how it was checked. The
    /// pruning report is written beside these fields (<c>report</c>) and as <c>report.json</c>. <see cref="Plan"/> names the
    /// preprocessing plan (<c>plan.json</c> of <c>e2enet dataset preprocess</c>: axis order, target spacing, intensity
    /// statistics) when the export was given one, so that <c>e2enet predict --bundle</c> preprocesses images as training did.
    /// </summary>
    public sealed record BundleManifest(
        int FormatVersion,
        string Model,
        string? Description,
        string ToolVersion,
        string Source,
        string SourceSha256,
        string? WeightsFile,
        string? WeightsSha256,
        string OnnxFile,
        string OnnxSha256,
        long OnnxBytes,
        int Opset,
        long IrVersion,
        string Precision,
        bool Pruned,
        string Lowering,
        TensorSignature Input,
        TensorSignature Output,
        Int3 DivisibleBy,
        int InputChannels,
        IReadOnlyList<string> InputNames,
        Int3 Patch,
        IReadOnlyList<double>? Spacing,
        IReadOnlyList<string> Normalization,
        int Classes,
        IReadOnlyList<string> Labels,
        double Step,
        IReadOnlyList<int> MirrorAxes,
        double Sigma,
        Int3 VerificationPatch,
        int VerificationSeed,
        IReadOnlyList<ExportCheck> Checks,
        string? Triton,
        string? Plan = null,
        string? PlanSha256 = null)
    {
        /// <summary>The value of <c>format</c>.</summary>
        public const string Format = "e2enet-bundle";

        /// <summary>The format version this tool writes and reads.</summary>
        public const int CurrentVersion = 1;

        /// <summary>The manifest's file name.</summary>
        public const string FileName = "manifest.json";

        /// <summary>The model's file name.</summary>
        public const string ModelFileName = "model.onnx";

        /// <summary>The preprocessing plan's file name in a bundle.</summary>
        public const string PlanFileName = "plan.json";

        /// <summary>The report's file name.</summary>
        public const string ReportFileName = "report.json";
    }
}
