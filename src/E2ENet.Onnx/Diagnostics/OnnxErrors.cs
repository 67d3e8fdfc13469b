using System.Collections.Generic;
using E2ENet.Compiler.Errors;

namespace E2ENet.Onnx.Diagnostics
{
    /// <summary>
    /// The catalogue of every error the exporter, the bundles and ONNX Runtime inference report. Ids are stable: once
    /// shipped, an id keeps its meaning. docs/onnx.md documents each one (a test checks that). Ranges: E2E60xx what the
    /// command was given (runs, options, targets), E2E61xx checks of an export, E2E62xx bundles, E2E63xx running a bundle,
    /// E2E64xx benchmarks.
    /// </summary>
    public static class OnnxErrors
    {
        // ---- E2E60xx: what the command was given -----------------------------------------------------------------

        /// <summary>A run folder without <c>model.e2e</c> or <c>weights.pt</c>.</summary>
        public static readonly ErrorDescriptor RunFolderInvalid = new ErrorDescriptor("E2E6001", "Not a training run folder");

        /// <summary>An option out of range (opset, patch, tolerance).</summary>
        public static readonly ErrorDescriptor OptionInvalid = new ErrorDescriptor("E2E6002", "Invalid export option");

        /// <summary>The bundle's target exists and is not a bundle, or is one and --force was not given.</summary>
        public static readonly ErrorDescriptor TargetExists = new ErrorDescriptor("E2E6003", "Export target exists");

        /// <summary>The graph would exceed what one ONNX file holds (2 GiB).</summary>
        public static readonly ErrorDescriptor UnsupportedModel = new ErrorDescriptor("E2E6004", "Model not exportable");

        /// <summary>The images to predict are missing or incomplete (a case without one of its channel files).</summary>
        public static readonly ErrorDescriptor PredictInputInvalid = new ErrorDescriptor("E2E6005", "Images to predict not usable");

        /// <summary>Prediction needs a preprocessing plan and none was given or found.</summary>
        public static readonly ErrorDescriptor PlanMissing = new ErrorDescriptor("E2E6006", "No preprocessing plan");

        /// <summary>The prediction folder is the input folder, or a label volume would be written over an input image.</summary>
        public static readonly ErrorDescriptor OutputOverwritesInput = new ErrorDescriptor("E2E6007", "Prediction would overwrite its input");

        /// <summary>Runs or bundles given to one <c>predict</c> that cannot be ensembled (plans, classes, labels, patch or window differ).</summary>
        public static readonly ErrorDescriptor EnsembleMismatch = new ErrorDescriptor("E2E6008", "Ensemble members disagree");

        // ---- E2E61xx: checks of an export ------------------------------------------------------------------------

        /// <summary>ONNX Runtime's output differs from the TorchSharp network's by more than the tolerance.</summary>
        public static readonly ErrorDescriptor RuntimeMismatch = new ErrorDescriptor("E2E6101", "Exported graph differs from the network");

        /// <summary>The pruned graph differs from the dense export by more than the tolerance.</summary>
        public static readonly ErrorDescriptor PrunedMismatch = new ErrorDescriptor("E2E6102", "Pruned graph differs from the dense graph");

        /// <summary>The fp16 graph differs from the fp32 graph by more than the tolerance.</summary>
        public static readonly ErrorDescriptor Fp16Mismatch = new ErrorDescriptor("E2E6103", "fp16 graph too far from fp32");

        /// <summary>Two lowerings of one layer disagree while the exporter measures them (a defect of the exporter).</summary>
        public static readonly ErrorDescriptor LoweringMismatch = new ErrorDescriptor("E2E6104", "Layer lowerings disagree");

        /// <summary>ONNX Runtime refused the emitted graph (a defect of the exporter, or an ONNX Runtime without the opset).</summary>
        public static readonly ErrorDescriptor GraphRejected = new ErrorDescriptor("E2E6105", "ONNX Runtime rejected the graph");

        // ---- E2E62xx: bundles ------------------------------------------------------------------------------------

        /// <summary>The bundle folder does not exist.</summary>
        public static readonly ErrorDescriptor BundleNotFound = new ErrorDescriptor("E2E6201", "Bundle not found");

        /// <summary><c>manifest.json</c> is missing, unreadable, not JSON, or lacks a field.</summary>
        public static readonly ErrorDescriptor ManifestInvalid = new ErrorDescriptor("E2E6202", "Bundle manifest invalid");

        /// <summary>The bundle's <c>model.onnx</c> is missing or does not match the manifest's hash.</summary>
        public static readonly ErrorDescriptor BundleCorrupt = new ErrorDescriptor("E2E6203", "Bundle model missing or corrupt");

        /// <summary>Writing the bundle failed; nothing was left at the target.</summary>
        public static readonly ErrorDescriptor BundleWriteFailed = new ErrorDescriptor("E2E6204", "Cannot write bundle");

        /// <summary>The manifest was written by a newer, incompatible format version.</summary>
        public static readonly ErrorDescriptor BundleVersion = new ErrorDescriptor("E2E6205", "Unsupported bundle format version");

        // ---- E2E63xx: running a bundle ---------------------------------------------------------------------------

        /// <summary>The requested execution provider (CUDA) cannot be used here.</summary>
        public static readonly ErrorDescriptor DeviceUnavailable = new ErrorDescriptor("E2E6301", "Execution provider unavailable");

        /// <summary>An input tensor does not fit the bundle (rank, channels, divisibility, dtype).</summary>
        public static readonly ErrorDescriptor InputMismatch = new ErrorDescriptor("E2E6302", "Input does not fit the bundle");

        /// <summary>ONNX Runtime failed while loading or running the model.</summary>
        public static readonly ErrorDescriptor RuntimeFailed = new ErrorDescriptor("E2E6303", "ONNX Runtime failed");

        // ---- E2E64xx: benchmarks ---------------------------------------------------------------------------------

        /// <summary>The PyTorch baseline (nnU-Net's plain U-Net) could not be exported.</summary>
        public static readonly ErrorDescriptor BaselineFailed = new ErrorDescriptor("E2E6401", "Baseline export failed");

        /// <summary>Every error, in id order.</summary>
        public static IReadOnlyList<ErrorDescriptor> All { get; } = new[]
        {
            RunFolderInvalid, OptionInvalid, TargetExists, UnsupportedModel, PredictInputInvalid, PlanMissing, OutputOverwritesInput, EnsembleMismatch,
            RuntimeMismatch, PrunedMismatch, Fp16Mismatch, LoweringMismatch, GraphRejected,
            BundleNotFound, ManifestInvalid, BundleCorrupt, BundleWriteFailed, BundleVersion,
            DeviceUnavailable, InputMismatch, RuntimeFailed,
            BaselineFailed,
        };
    }
}
