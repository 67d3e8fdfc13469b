using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using E2ENet.Compiler.Errors;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Bundle;
using E2ENet.Onnx.Diagnostics;
using E2ENet.Onnx.Emit;
using E2ENet.Onnx.Graph;
using E2ENet.Onnx.Reporting;
using E2ENet.Onnx.Verification;

namespace E2ENet.Onnx.Export
{
    /// <summary>A finished export.</summary>
    public sealed record ExportResult(string Bundle, BundleManifest Manifest, PruningReport Report);

    /// <summary>
    /// <c>e2enet export</c>: model and weights in, a verified bundle out.
    /// <list type="number">
    /// <item>Load the model (a run folder's <c>model.e2e</c>, or an .e2e file and model name with <c>--set</c> overrides) and its
    /// weights, strictly validated (E2E3xxx).</item>
    /// <item>Build the graph: pruning (unless <c>--dense</c>), lowerings chosen by measured latency (unless <c>--no-tune</c>),
    /// fp16 when asked; and for the checks the float32 twin of an fp16 graph and the dense export of a pruned one.</item>
    /// <item>In a temporary folder beside the target: write <c>model.onnx</c>, read it back and check it in ONNX Runtime on a
    /// seeded random input at the model's patch: float32 graph vs the TorchSharp network (relative error under 1e-4), pruned vs
    /// dense (1e-5), fp16 vs fp32 (2e-2). A failed check stops the export (E2E6101..E2E6103) and nothing is left at the target.</item>
    /// <item>Write <c>report.json</c>, the Triton repository when asked, and <c>manifest.json</c> last; move the folder into place.</item>
    /// </list>
    /// </summary>
    public static class OnnxExporter
    {
        /// <summary>Patches from this many voxels on are large enough for float32 rounding alone to approach the 1e-4 check.</summary>
        public const long LargePatchVoxels = 2_000_000;

        /// <summary>Exports a model described by <paramref name="request"/>.</summary>
        /// <exception cref="E2ENetOnnxException">Options, target, checks or writing failed (E2E6xxx).</exception>
        /// <exception cref="E2ENet.Torch.Diagnostics.E2ENetTorchException">The model has errors or the weights do not fit it (E2E3xxx).</exception>
        public static ExportResult Export(ExportRequest request, Action<string>? progress = null)
        {
            Validate(request);
            string modelFile, weights;
            if (request.Run != null) (modelFile, weights) = ModelSource.RunFiles(request.Run);
            else
            {
                modelFile = request.ModelFile ?? throw new E2ENetOnnxException(OnnxErrors.OptionInvalid, null, "give --run RUN, or --model FILE.e2e with --weights FILE.pt");
                weights = request.Weights ?? throw new E2ENetOnnxException(OnnxErrors.OptionInvalid, modelFile, "--weights is missing: give the model's state dict (torch.save(model.state_dict(), path))");
            }
            if (request.Run != null && request.Plan == null && File.Exists(Path.Combine(request.Run, BundleManifest.PlanFileName)))
            {
                request = request with { Plan = Path.Combine(request.Run, BundleManifest.PlanFileName) };
            }
            progress?.Invoke("loading " + modelFile + (request.ModelName != null ? ":" + request.ModelName : string.Empty) + " and " + weights);
            using ModelSource source = ModelSource.Load(modelFile, request.Run != null ? null : request.ModelName, request.Overrides, weights);
            foreach (string note in source.Notes) progress?.Invoke("note: " + note);
            return Export(source, request, progress);
        }

        /// <summary>Exports an already loaded model (the command, the benchmark and tests share this).</summary>
        public static ExportResult Export(ModelSource source, ExportRequest request, Action<string>? progress = null)
        {
            Validate(request);
            ModelSpec spec = source.Spec;
            Int3 verifyPatch = request.VerifyPatch ?? spec.Input.Patch;
            CheckPatch(spec, verifyPatch, "--verify-patch");
            if (request.TunePatch is Int3 tunePatch) CheckPatch(spec, tunePatch, "--tune-patch");
            bool pruned = !request.Dense;

            progress?.Invoke(string.Format(CultureInfo.InvariantCulture, "building the {0} graph of {1} (opset {2}{3})", pruned ? "pruned" : "dense", spec.Name, request.Opset,
                request.Half ? ", fp16" : string.Empty));
            var options = new GraphOptions(pruned, request.Half, request.Tune && pruned, request.TuneRuns, request.TunePatch, request.Opset);
            GraphExport final = GraphExporter.Build(source, options, progress);
            GraphExport fp32 = request.Half ? GraphExporter.Build(source, options with { Half = false, Lowerings = final.Lowerings }) : final;
            GraphExport? dense = pruned ? GraphExporter.Build(source, new GraphOptions(false, false, false, Opset: request.Opset)) : null;

            BundleManifest? manifest = null;
            AtomicFolder.Write(request.Out, request.Force, folder =>
            {
                string modelPath = Path.Combine(folder, BundleManifest.ModelFileName);
                File.WriteAllBytes(modelPath, final.Model);
                byte[] written = File.ReadAllBytes(modelPath);
                IReadOnlyList<ExportCheck> checks = Verify(source, request, verifyPatch, written, fp32, dense, progress);

                File.WriteAllBytes(Path.Combine(folder, BundleManifest.ReportFileName), ReportBytes(final.Report));
                manifest = Manifest(source, request, final, written, verifyPatch, checks, triton: null);
                if (request.Plan != null)
                {
                    string plan = Path.Combine(folder, BundleManifest.PlanFileName);
                    File.Copy(request.Plan, plan);
                    manifest = manifest with { Plan = BundleManifest.PlanFileName, PlanSha256 = E2ENetBundle.Sha256File(plan) };
                }
                if (request.Triton)
                {
                    string triton = TritonRepository.Write(folder, manifest, written);
                    manifest = manifest with { Triton = triton };
                }
                File.WriteAllBytes(Path.Combine(folder, BundleManifest.FileName), ManifestJson.Write(manifest, final.Report));
            });
            progress?.Invoke("wrote " + request.Out);
            return new ExportResult(Path.GetFullPath(request.Out), manifest!, final.Report);
        }

        /// <summary>Checks the options that need no model.</summary>
        public static void Validate(ExportRequest request)
        {
            if (!OnnxOpsets.IsSupported(request.Opset))
            {
                throw new E2ENetOnnxException(OnnxErrors.OptionInvalid, null, string.Format(CultureInfo.InvariantCulture,
                    "--opset {0} is not supported; give an opset in {1} (default {2}, the pinned one)", request.Opset, OnnxOpsets.Range, OnnxOpsets.Default));
            }
            if (request.TuneRuns < 1 || request.TuneRuns > 100)
            {
                throw new E2ENetOnnxException(OnnxErrors.OptionInvalid, null, "--tune-runs must be between 1 and 100");
            }
            if (string.IsNullOrWhiteSpace(request.Out)) throw new E2ENetOnnxException(OnnxErrors.OptionInvalid, null, "--out is missing: name the bundle folder to write");
            if (request.Plan != null && !File.Exists(request.Plan))
            {
                throw new E2ENetOnnxException(OnnxErrors.OptionInvalid, request.Plan, "no such file; --plan takes the plan.json that e2enet dataset preprocess wrote");
            }
        }

        /// <summary>Checks that a patch is a valid input of the model (<see cref="InputContract"/>): E2E6001 naming the option.</summary>
        public static void CheckPatch(ModelSpec spec, Int3 patch, string option)
        {
            InputProblem? problem = InputContract.Of(spec).CheckPatch(patch);
            if (problem != null) throw new E2ENetOnnxException(OnnxErrors.OptionInvalid, null, option + ": " + problem.Message);
        }

        private static IReadOnlyList<ExportCheck> Verify(ModelSource source, ExportRequest request, Int3 patch, byte[] written, GraphExport fp32, GraphExport? dense, Action<string>? progress)
        {
            ExportTolerances tolerances = request.Tolerances;
            float[] input = ExportVerifier.RandomInput(source.Spec.Input.Channels, patch, request.Seed, out long[] shape);
            string at = " at " + patch.ToSizeString();
            progress?.Invoke("checking: TorchSharp network" + at);
            float[] reference = ExportVerifier.Torch(source.Torch, input, shape);
            int bad = Array.FindIndex(reference, v => !float.IsFinite(v));
            if (bad >= 0)
            {
                // The weights were checked when loaded; a network that still overflows is not a defect of the exporter.
                throw new E2ENet.Torch.Diagnostics.E2ENetTorchException(E2ENet.Torch.Diagnostics.TorchErrors.NonFinite, source.WeightsPath, string.Format(CultureInfo.InvariantCulture,
                    "the TorchSharp network's own output on the check's random input{0} holds {1} NaN or infinite value(s) (the first at element {2}); nothing was written: "
                    + "the weights are too large for float32 arithmetic (a training that diverged?): export an earlier checkpoint", at, reference.Count(v => !float.IsFinite(v)), bad));
            }
            var checks = new List<ExportCheck>();

            progress?.Invoke("checking: ONNX Runtime, float32 graph" + at);
            float[] onnx = ExportVerifier.Onnx(request.Half ? fp32.Model : written, input, shape);
            checks.Add(Check("onnxruntime-fp32", "torchsharp", ExportVerifier.RelativeError(onnx, reference), tolerances.Runtime, OnnxErrors.RuntimeMismatch, request, patch,
                "the exported graph differs from the TorchSharp network"));
            if (dense != null)
            {
                progress?.Invoke("checking: ONNX Runtime, dense export" + at);
                float[] baseline = ExportVerifier.Onnx(dense.Model, input, shape);
                checks.Add(Check("pruned-fp32", "dense-fp32", ExportVerifier.RelativeError(onnx, baseline), tolerances.Pruned, OnnxErrors.PrunedMismatch, request, patch,
                    "the pruned graph differs from the dense export"));
            }
            if (request.Half)
            {
                progress?.Invoke("checking: ONNX Runtime, fp16 graph" + at);
                float[] half = ExportVerifier.Onnx(written, input, shape);
                checks.Add(Check("fp16", "fp32", ExportVerifier.RelativeError(half, onnx), tolerances.Half, OnnxErrors.Fp16Mismatch, request, patch,
                    "the fp16 graph is too far from the fp32 graph"));
            }
            foreach (ExportCheck check in checks)
            {
                progress?.Invoke(string.Format(CultureInfo.InvariantCulture, "check {0} vs {1}: relative error {2:E2} (tolerance {3:E0})", check.Name, check.Against, check.RelativeError, check.Tolerance));
            }
            return checks;
        }

        private static ExportCheck Check(string name, string against, double error, double tolerance, ErrorDescriptor id, ExportRequest request, Int3 patch, string what)
        {
            if (!(error <= tolerance))
            {
                string hint = id == OnnxErrors.Fp16Mismatch
                    ? "the weights or activations exceed what fp16 holds well; export without --fp16"
                    : "this is a defect of the exporter; try --no-tune" + (request.Dense ? string.Empty : " or --dense") + " to narrow it down, and report it";
                if (id == OnnxErrors.RuntimeMismatch && error < 1e-3 && patch.Volume >= LargePatchVoxels)
                {
                    hint = "at large patches float32 summation over each channel's plane in instance normalization alone approaches this tolerance "
                        + "(5e-5 measured at 64x160x160); check with a smaller --verify-patch: a much smaller error there means rounding, not a defect";
                }
                throw new E2ENetOnnxException(id, request.Out, string.Format(CultureInfo.InvariantCulture,
                    "{0} by {1:E2} (relative, max |difference| / max |reference|; tolerance {2:E0}) on a random input at {3}; nothing was written: {4}",
                    what, error, tolerance, patch.ToSizeString(), hint));
            }
            return new ExportCheck(name, against, error, tolerance);
        }

        private static byte[] ReportBytes(PruningReport report)
        {
            using var stream = new MemoryStream();
            using (var json = new System.Text.Json.Utf8JsonWriter(stream, new System.Text.Json.JsonWriterOptions { Indented = true }))
            {
                ReportJson.Write(json, report);
            }
            stream.WriteByte((byte)'\n');
            return stream.ToArray();
        }

        private static BundleManifest Manifest(ModelSource source, ExportRequest request, GraphExport final, byte[] model, Int3 verifyPatch, IReadOnlyList<ExportCheck> checks, string? triton)
        {
            ModelSpec spec = source.Spec;
            string[] symbols = NetworkEmitter.Symbols;
            var input = new TensorSignature(NetworkEmitter.InputName, new[] { symbols[0], spec.Input.Channels.ToString(CultureInfo.InvariantCulture), symbols[1], symbols[2], symbols[3] }, "float32");
            var output = new TensorSignature(NetworkEmitter.OutputName, new[] { symbols[0], spec.Classes.ToString(CultureInfo.InvariantCulture), symbols[1], symbols[2], symbols[3] }, "float32");
            return new BundleManifest(
                BundleManifest.CurrentVersion,
                spec.Name,
                spec.Description,
                ExportTool.Version,
                spec.CanonicalSource,
                E2ENetBundle.Sha256(Encoding.UTF8.GetBytes(spec.CanonicalSource)),
                source.WeightsPath != null ? Path.GetFileName(source.WeightsPath) : null,
                source.WeightsPath != null ? E2ENetBundle.Sha256File(source.WeightsPath) : null,
                BundleManifest.ModelFileName,
                E2ENetBundle.Sha256(model),
                model.LongLength,
                request.Opset,
                OnnxOpsets.IrVersion(request.Opset),
                request.Half ? "fp16" : "fp32",
                !request.Dense,
                final.Tuning != null ? "tuned" : "reference",
                input,
                output,
                OnnxMetadata.DivisibleBy(spec),
                spec.Input.Channels,
                spec.Input.Names.ToArray(),
                spec.Input.Patch,
                spec.Input.Spacing.Count == 0 ? null : spec.Input.Spacing.ToArray(),
                spec.Input.Normalization.Select(n => n.ToSymbol()).ToArray(),
                spec.Classes,
                OnnxMetadata.Labels(spec),
                spec.Inference.Step,
                spec.Inference.MirrorAxes.ToArray(),
                spec.Inference.Sigma,
                verifyPatch,
                request.Seed,
                checks,
                triton);
        }
    }
}
