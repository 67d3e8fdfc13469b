using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Preprocessing;
using E2ENet.Onnx.Bundle;
using E2ENet.Onnx.Export;
using E2ENet.Onnx.Graph;
using E2ENet.Onnx.Reporting;

namespace E2ENet.Cli.Commands
{
    /// <summary>
    /// <c>e2enet export (--run RUN | --model FILE.e2e[:Model] [--set path=value]... --weights STATE_DICT.pt) --out BUNDLE
    /// [--opset N] [--fp16] [--dense] [--triton] [--plan plan.json] [--force] [--no-tune] [--tune-runs N] [--tune-patch D,H,W]
    /// [--verify-patch D,H,W] [--seed N]</c>: exports a verified ONNX bundle (docs/onnx.md) and prints its pruning report.
    /// </summary>
    public static class ExportCommand
    {
        /// <summary>Builds the command.</summary>
        public static Command Create(CliContext context)
        {
            var run = new Option<string?>("--run") { Description = "A training run folder: its model.e2e and weights.pt (and plan.json when present)." };
            var model = new Option<string?>("--model") { Description = "The model: FILE.e2e, or FILE.e2e:Model when the file has several." };
            var set = new Option<string[]>("--set") { Description = "Override a key of the model: --set fusion.sparsity=0.9 (repeatable).", AllowMultipleArgumentsPerToken = false };
            var weights = new Option<string?>("--weights") { Description = "The state dict (torch.save(model.state_dict(), path)) or a checkpoint with a 'state_dict' entry." };
            var output = new Option<string>("--out") { Description = "The bundle folder to write (model.onnx, manifest.json, report.json).", Required = true };
            var opset = new Option<int>("--opset") { Description = $"ONNX opset, {OnnxOpsets.Range}; {OnnxOpsets.Default} is the pinned one.", DefaultValueFactory = _ => OnnxOpsets.Default };
            var half = new Option<bool>("--fp16") { Description = "float16 weights and activations; instance norm and the output stay float32; checked against float32." };
            var dense = new Option<bool>("--dense") { Description = "No pruning: the dense network, zero kernels included (the baseline)." };
            var triton = new Option<bool>("--triton") { Description = "Also write a Triton model repository into the bundle (triton/NAME/config.pbtxt, triton/NAME/1/model.onnx)." };
            var plan = new Option<string?>("--plan") { Description = "The preprocessing plan (plan.json of 'e2enet dataset preprocess') to carry for 'e2enet predict --bundle'." };
            var force = new Option<bool>("--force") { Description = "Replace an existing bundle at --out (only once the new one has passed its checks)." };
            var noTune = new Option<bool>("--no-tune") { Description = "Use every block's reference lowering (a unit-group mask's own groups where they save MACs, else one Concat and Conv) instead of choosing per layer by measured latency." };
            var tuneRuns = new Option<int>("--tune-runs") { Description = "Timed runs per candidate lowering.", DefaultValueFactory = _ => 3 };
            var tunePatch = new Option<string?>("--tune-patch") { Description = "Patch D,H,W the tuner measures at (default: the model's patch, reduced to at most 64^3 voxels)." };
            var verifyPatch = new Option<string?>("--verify-patch") { Description = "Patch D,H,W of the random input the export is checked on (default: the model's patch)." };
            var seed = new Option<int>("--seed") { Description = "Seed of the check's random input.", DefaultValueFactory = _ => 1 };
            var command = new Command("export", "Export a model and its weights as a verified ONNX bundle: pruned, lowered by measured latency, checked against the TorchSharp network.")
            {
                run, model, set, weights, output, opset, half, dense, triton, plan, force, noTune, tuneRuns, tunePatch, verifyPatch, seed,
            };
            command.SetAction(parse => Run(context, parse.GetValue(run), parse.GetValue(model), parse.GetValue(set) ?? Array.Empty<string>(), parse.GetValue(weights),
                parse.GetValue(output)!, parse.GetValue(opset), parse.GetValue(half), parse.GetValue(dense), parse.GetValue(triton), parse.GetValue(plan), parse.GetValue(force),
                !parse.GetValue(noTune), parse.GetValue(tuneRuns), parse.GetValue(tunePatch), parse.GetValue(verifyPatch), parse.GetValue(seed)));
            return command;
        }

        /// <summary>Runs the export; exit 0 done, 1 the model, weights or checks failed, 2 the command line is wrong.</summary>
        public static int Run(CliContext context, string? run, string? modelArgument, IReadOnlyList<string> overrides, string? weights, string output, int opset,
            bool half, bool dense, bool triton, string? plan, bool force, bool tune, int tuneRuns, string? tunePatchText, string? verifyPatchText, int seed)
        {
            const string name = "export";
            string? unknown = ExportArguments.UnknownOption(run, modelArgument, weights, output, plan, tunePatchText, verifyPatchText);
            if (unknown != null) return context.UsageError(name, $"unknown option '{unknown}'");
            if ((run == null) == (modelArgument == null)) return context.UsageError(name, "give either --run RUN, or --model FILE.e2e[:Model] with --weights STATE_DICT.pt");
            if (run != null && (weights != null || overrides.Count > 0)) return context.UsageError(name, "--run takes the run's own model and weights; --weights and --set go with --model");
            if (modelArgument != null && weights == null) return context.UsageError(name, "--weights is missing: give the model's state dict (torch.save(model.state_dict(), path))");
            Int3? tunePatch = ExportArguments.ParsePatch(tunePatchText), verifyPatch = ExportArguments.ParsePatch(verifyPatchText);
            if (tunePatchText != null && tunePatch == null) return context.UsageError(name, $"--tune-patch '{tunePatchText}' is not D,H,W (three positive integers, e.g. 32,64,64)");
            if (verifyPatchText != null && verifyPatch == null) return context.UsageError(name, $"--verify-patch '{verifyPatchText}' is not D,H,W (three positive integers, e.g. 32,64,64)");

            string? modelFile = null, modelName = null;
            if (modelArgument != null)
            {
                (modelFile, modelName) = ForwardModelArgument.Parse(modelArgument);
                foreach (var (path, what) in new[] { (modelFile, "model"), (weights!, "weights") })
                {
                    if (Directory.Exists(path)) return context.UsageError(name, $"the {what} '{path}' is a directory; give a file");
                    if (!File.Exists(path)) return context.UsageError(name, $"cannot read the {what} file '{path}': no such file");
                }
            }
            try
            {
                var request = new ExportRequest
                {
                    Run = run, ModelFile = modelFile, ModelName = modelName, Overrides = overrides, Weights = weights, Out = output, Opset = opset,
                    Half = half, Dense = dense, Triton = triton, Plan = plan, Force = force, Tune = tune, TuneRuns = tuneRuns,
                    TunePatch = tunePatch, VerifyPatch = verifyPatch, Seed = seed,
                };
                OnnxExporter.Validate(request);
                if (plan != null) CheckPlan(plan, request);
                ExportResult result = OnnxExporter.Export(request, ExportArguments.Progress(context, name));
                context.Output.Write(ReportText.Format(result.Report));
                foreach (ExportCheck check in result.Manifest.Checks)
                {
                    context.Output.WriteLine(FormattableString.Invariant($"check {check.Name} vs {check.Against}: relative error {check.RelativeError:E2} (tolerance {check.Tolerance:E0})"));
                }
                context.Output.WriteLine(FormattableString.Invariant($"wrote {result.Bundle} ({result.Manifest.Model}, {result.Manifest.Precision}, {(result.Manifest.Pruned ? "pruned" : "dense")}, opset {result.Manifest.Opset}, {result.Manifest.OnnxBytes} bytes{(result.Manifest.Triton != null ? ", Triton repository " + result.Manifest.Triton : string.Empty)})"));
                return ExitCodes.Success;
            }
            catch (Exception e) when (ExportArguments.Report(context, name, e) is int code)
            {
                return code;
            }
        }

        /// <summary>Reads a plan (E4xxx when it is not one); its channels and classes must be the model's.</summary>
        private static void CheckPlan(string path, ExportRequest request)
        {
            PreprocessingPlan plan = DataJson.Read<PreprocessingPlan>(path);
            string modelFile = request.Run != null ? ModelSource.RunFiles(request.Run).Model : request.ModelFile!;
            ModelSpec spec = ModelSource.Compile(modelFile, request.Run != null ? null : request.ModelName, request.Overrides);
            if (plan.Channels != spec.Input.Channels || plan.Classes != spec.Classes)
            {
                throw new Onnx.Diagnostics.E2ENetOnnxException(Onnx.Diagnostics.OnnxErrors.OptionInvalid, path, FormattableString.Invariant(
                    $"is a plan for {plan.Channels} channel(s) and {plan.Classes} classes ({plan.Dataset}); model '{spec.Name}' takes {spec.Input.Channels} and predicts {spec.Classes}: give the plan of the data it was trained on"));
            }
        }
    }
}
