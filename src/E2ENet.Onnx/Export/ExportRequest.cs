using System;
using System.Collections.Generic;
using E2ENet.Compiler.Semantics;

namespace E2ENet.Onnx.Export
{
    /// <summary>What to export and how (the options of <c>e2enet export</c>).</summary>
    public sealed record ExportRequest
    {
        /// <summary>A training run folder (<c>model.e2e</c> + <c>weights.pt</c>); exclusive with <see cref="ModelFile"/>.</summary>
        public string? Run { get; init; }

        /// <summary>The .e2e file.</summary>
        public string? ModelFile { get; init; }

        /// <summary>The model in <see cref="ModelFile"/> (null: its only model).</summary>
        public string? ModelName { get; init; }

        /// <summary><c>--set</c> overrides.</summary>
        public IReadOnlyList<string> Overrides { get; init; } = Array.Empty<string>();

        /// <summary>The state dict (a torch.save file).</summary>
        public string? Weights { get; init; }

        /// <summary>A preprocessing plan (plan.json) to carry in the bundle for <c>e2enet predict</c>; a run folder's own plan.json is taken when this is null.</summary>
        public string? Plan { get; init; }

        /// <summary>The bundle folder to write.</summary>
        public string Out { get; init; } = string.Empty;

        /// <summary>The ONNX opset (13..21; default 17).</summary>
        public int Opset { get; init; } = Graph.OnnxOpsets.Default;

        /// <summary>Export float16 weights and activations (normalization and the output in float32).</summary>
        public bool Half { get; init; }

        /// <summary>Skip pruning: every kernel stays, zeros included (the authors' dense network).</summary>
        public bool Dense { get; init; }

        /// <summary>Also write a Triton model repository into the bundle.</summary>
        public bool Triton { get; init; }

        /// <summary>Replace an existing bundle at <see cref="Out"/>.</summary>
        public bool Force { get; init; }

        /// <summary>Choose lowerings by measured latency (otherwise the reference lowering everywhere).</summary>
        public bool Tune { get; init; } = true;

        /// <summary>Timed runs per candidate lowering.</summary>
        public int TuneRuns { get; init; } = 3;

        /// <summary>The patch the tuner measures at (null: the model's patch, reduced to at most 64^3 voxels).</summary>
        public Int3? TunePatch { get; init; }

        /// <summary>The patch of the verification input (null: the model's patch).</summary>
        public Int3? VerifyPatch { get; init; }

        /// <summary>Seed of the verification input.</summary>
        public int Seed { get; init; } = 1;

        /// <summary>Tolerances of the checks.</summary>
        public ExportTolerances Tolerances { get; init; } = ExportTolerances.Default;
    }

    /// <summary>
    /// The relative errors (max |out - ref| / max |ref|) an export must stay under. <see cref="Runtime"/>: ONNX Runtime vs the
    /// TorchSharp network, float32 (the two sum in different orders); <see cref="Pruned"/>: the pruned graph vs the dense
    /// export (removing exact zeros changes only summation order); <see cref="Half"/>: the fp16 graph vs the fp32 graph
    /// (see docs/onnx.md for why 2e-2).
    /// </summary>
    public sealed record ExportTolerances(double Runtime, double Pruned, double Half)
    {
        /// <summary>1e-4, 1e-5, 2e-2.</summary>
        public static readonly ExportTolerances Default = new ExportTolerances(1e-4, 1e-5, 2e-2);
    }
}
