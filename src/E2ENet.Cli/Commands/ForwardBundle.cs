using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Onnx.Bundle;
using E2ENet.Onnx.Diagnostics;
using E2ENet.Onnx.Runtime;
using E2ENet.Torch.Diagnostics;
using E2ENet.Torch.Serialization;
using static TorchSharp.torch;

namespace E2ENet.Cli.Commands
{
    /// <summary>
    /// <c>e2enet forward --bundle BUNDLE --input TENSORS.pt --output OUT.pt [--device cpu|cuda|auto]</c>: the exported graph in
    /// ONNX Runtime on the tensor <c>input</c> of a torch.save file, with the contract of the TorchSharp <c>forward</c>: it writes
    /// <c>eval</c> (the logits), atomically, so an export compares directly with the authors' golden outputs.
    /// </summary>
    public static class ForwardBundle
    {
        /// <summary>Runs it; exit 0 done, 1 bad content (bundle, input), 2 bad command line.</summary>
        public static int Run(CliContext context, string bundlePath, string? model, string? weights, string inputPath, string outputPath, bool deepSupervision, string deviceText)
        {
            const string name = "forward";
            string? unknown = ExportArguments.UnknownOption(bundlePath, inputPath, outputPath, deviceText);
            if (unknown != null) return context.UsageError(name, $"unknown option '{unknown}'");
            if (model != null || weights != null) return context.UsageError(name, "--bundle runs the exported graph; --model and --weights are for the TorchSharp network: give one or the other");
            if (deepSupervision) return context.UsageError(name, "--deep-supervision needs the TorchSharp network (--model, --weights): an exported bundle keeps only the inference head");
            if (ExecutionDevices.Parse(deviceText) is not ExecutionDevice device) return context.UsageError(name, $"--device '{deviceText}' is not cpu, cuda or auto");
            if (Directory.Exists(inputPath)) return context.UsageError(name, $"the input '{inputPath}' is a directory; give a file");
            if (!File.Exists(inputPath)) return context.UsageError(name, $"cannot read the input file '{inputPath}': no such file");
            string? outputFolder = Path.GetDirectoryName(Path.GetFullPath(outputPath));
            if (outputFolder != null && !Directory.Exists(outputFolder)) return context.UsageError(name, $"cannot write '{outputPath}': the folder '{outputFolder}' does not exist");

            try
            {
                E2ENetBundle bundle = E2ENetBundle.Open(bundlePath);
                context.Error.WriteLine($"forward: bundle {bundle.Folder}: {bundle.Manifest.Model}, {bundle.Manifest.Precision}, {(bundle.Manifest.Pruned ? "pruned" : "dense")}, opset {bundle.Manifest.Opset}");
                using OnnxRunner runner = bundle.OpenRunner(device, note => context.Error.WriteLine("forward: " + note));
                using var scope = NewDisposeScope();
                Tensor x;
                using (TensorFile file = TensorFile.Open(inputPath))
                {
                    TensorInfo info = file.Find("input") ?? throw new E2ENetTorchException(TorchErrors.MissingTensor, inputPath,
                        "has no tensor 'input' (it has " + string.Join(", ", file.Tensors.Take(8).Select(t => "'" + t.Name + "'")) + "); save the input as torch.save({\"input\": x}, path)");
                    CheckInput(bundle.Manifest, info, inputPath);
                    ForwardCommand.RequireMemory(E2ENet.Compiler.Ir.IrBuilder.Build(bundle.Spec), info, inputPath);
                    x = file.Read("input");
                }
                TensorFile.RequireFinite(x, inputPath, "tensor 'input'", "replace NaN and infinite values (torch.nan_to_num) or fix what produced the input");
                context.Error.WriteLine($"forward: running {bundle.Manifest.Model} on input {TensorInfo.FormatShape(x.shape)} in ONNX Runtime ({runner.Provider})");
                Tensor logits = runner.Predict(x);
                TensorFile.RequireFinite(logits, bundle.ModelPath, "the graph's output 'eval' (from a finite input)", "the weights are too large for float32 arithmetic on this input; nothing was written");
                TensorFileWriter.Write(outputPath, new[] { new KeyValuePair<string, Tensor>("eval", logits) });
                context.Output.WriteLine($"eval {TensorInfo.FormatShape(logits.shape)}");
                context.Output.WriteLine($"wrote {outputPath}");
                return ExitCodes.Success;
            }
            catch (Exception e) when (ExportArguments.Report(context, name, e) is int code)
            {
                return code;
            }
        }

        /// <summary>Checks a tensor against the bundle's input contract (<see cref="InputContract"/>, from the manifest).</summary>
        /// <exception cref="E2ENetOnnxException">E2E6302 with the fix.</exception>
        public static void CheckInput(BundleManifest manifest, TensorInfo info, string file)
        {
            var contract = new InputContract(manifest.Model, manifest.InputChannels, manifest.DivisibleBy);
            InputProblem? problem = contract.Check(info.Shape, info.Dtype == TorchDtype.Float32, info.Dtype.PythonName());
            if (problem != null) throw new E2ENetOnnxException(OnnxErrors.InputMismatch, file, problem.Message);
        }
    }
}
