using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Errors;
using E2ENet.Compiler.Host;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Torch;
using E2ENet.Torch.Diagnostics;
using E2ENet.Torch.Network;
using E2ENet.Torch.Serialization;
using E2ENet.Torch.Weights;
using static TorchSharp.torch;

namespace E2ENet.Cli.Commands
{
    /// <summary>
    /// <c>e2enet forward --model FILE.e2e[:Model] [--set path=value]... --weights STATE_DICT.pt --input TENSORS.pt --output OUT.pt
    /// [--deep-supervision]</c>: runs the network of a model with the authors' weights on the tensor <c>input</c> of a
    /// torch.save file and writes <c>eval</c> (or <c>ds0</c>..<c>ds3</c>) to another, atomically.
    /// </summary>
    public static class ForwardCommand
    {
        /// <summary>Refuses an input whose forward pass cannot fit in memory (E2E7001), before it is read.</summary>
        public static void RequireMemory(NetworkIr ir, TensorInfo input, string inputPath)
        {
            long[] shape = input.Shape;
            var size = new Int3((int)Math.Min(int.MaxValue, shape[2]), (int)Math.Min(int.MaxValue, shape[3]), (int)Math.Min(int.MaxValue, shape[4]));
            MemoryBudget.Current.Require(MemoryEstimate.Inference(ir, size, shape[0]), inputPath,
                $"running '{ir.Spec.Name}' on the input {TensorInfo.FormatShape(shape)}", "a smaller input (crop it, or a smaller batch), or e2enet predict, which runs large images patch by patch");
        }

        /// <summary>Builds the command.</summary>
        public static Command Create(CliContext context)
        {
            var model = new Option<string>("--model") { Description = "The model: FILE.e2e, or FILE.e2e:Model when the file has several." };
            var set = new Option<string[]>("--set") { Description = "Override a key of the model: --set fusion.sparsity=0.9 (repeatable).", AllowMultipleArgumentsPerToken = false };
            var weights = new Option<string>("--weights") { Description = "The state dict (torch.save(model.state_dict(), path)) or a trainer checkpoint with a 'state_dict' entry." };
            var bundle = new Option<string?>("--bundle") { Description = "Run an exported bundle in ONNX Runtime instead of --model/--weights (see ForwardBundle)." };
            var device = new Option<string>("--device") { Description = "With --bundle: cpu (default), cuda, or auto (CUDA when it loads, else the CPU).", DefaultValueFactory = _ => "cpu" };
            var input = new Option<string>("--input") { Description = "A torch.save'd dict with the tensor 'input' (B, channels, D, H, W), float32.", Required = true };
            var output = new Option<string>("--output") { Description = "Where to write the result (torch.save format): 'eval', or 'ds0'..'ds3' with --deep-supervision.", Required = true };
            var deep = new Option<bool>("--deep-supervision") { Description = "Write the four deep-supervision heads ds0..ds3 (full resolution first) instead of eval." };
            var maxMemory = MaxMemoryOption.Create();
            var command = new Command("forward", "Run a model with the authors' weights on a tensor file and write its logits (torch.save format).")
            {
                model, set, weights, input, output, deep, bundle, device, maxMemory,
            };
            command.SetAction(parse => MaxMemoryOption.Run(context, "forward", parse.GetValue(maxMemory), () => parse.GetValue(bundle) is string bundlePath
                ? ForwardBundle.Run(context, bundlePath, parse.GetValue(model), parse.GetValue(weights), parse.GetValue(input)!, parse.GetValue(output)!, parse.GetValue(deep), parse.GetValue(device)!)
                : parse.GetValue(model) is null || parse.GetValue(weights) is null
                    ? context.UsageError("forward", "give --model FILE.e2e[:Model] and --weights STATE_DICT.pt, or --bundle BUNDLE")
                    : Run(context, parse.GetValue(model)!, parse.GetValue(set) ?? Array.Empty<string>(), parse.GetValue(weights)!,
                        parse.GetValue(input)!, parse.GetValue(output)!, parse.GetValue(deep))));
            return command;
        }

        /// <summary>Runs it; exit 0 done, 1 bad content (weights, input, model errors), 2 bad command line (missing file, unknown model).</summary>
        public static int Run(CliContext context, string modelArgument, IReadOnlyList<string> overrides, string weightsPath, string inputPath, string outputPath, bool deepSupervision)
        {
            string? unknown = CliApp.UnknownOption(new[] { modelArgument, weightsPath, inputPath, outputPath });
            if (unknown != null) return context.UsageError("forward", $"unknown option '{unknown}'");
            (string modelFile, string? modelName) = ForwardModelArgument.Parse(modelArgument);
            foreach (var (path, what) in new[] { (modelFile, "model"), (weightsPath, "weights"), (inputPath, "input") })
            {
                if (Directory.Exists(path)) return context.UsageError("forward", $"the {what} '{path}' is a directory; give a file");
                if (!File.Exists(path)) return context.UsageError("forward", $"cannot read the {what} file '{path}': no such file");
            }
            string? outputFolder = Path.GetDirectoryName(Path.GetFullPath(outputPath));
            if (outputFolder != null && !Directory.Exists(outputFolder)) return context.UsageError("forward", $"cannot write '{outputPath}': the folder '{outputFolder}' does not exist");

            try
            {
                context.Error.WriteLine($"forward: building {modelArgument}");
                using IE2ENetNetwork network = E2ENetNetwork.FromFile(modelFile, modelName, overrides);
                context.Error.WriteLine($"forward: loading {weightsPath}");
                using LoadedWeights loaded = StateDictLoader.Load(network, weightsPath);
                foreach (string note in loaded.Notes) context.Error.WriteLine("forward: note: " + note);

                using var scope = NewDisposeScope();
                Tensor x;
                using (TensorFile file = TensorFile.Open(inputPath))
                {
                    TensorInfo info = file.Find("input") ?? throw new E2ENetTorchException(TorchErrors.MissingTensor, inputPath,
                        "has no tensor 'input' (it has " + string.Join(", ", file.Tensors.Take(8).Select(t => "'" + t.Name + "'")) + "); save the input as torch.save({\"input\": x}, path)");
                    InputCheck.Check(network.Network.Spec, info.Shape, info.Dtype.ToScalarType(), inputPath);
                    RequireMemory(network.Network, info, inputPath);
                    x = file.Read("input");
                }
                TensorFile.RequireFinite(x, inputPath, "tensor 'input'", "replace NaN and infinite values (torch.nan_to_num) or fix what produced the input");
                context.Error.WriteLine($"forward: running {network.ModelName} on input {TensorInfo.FormatShape(x.shape)}{(deepSupervision ? " (deep supervision)" : string.Empty)}");
                var results = new List<KeyValuePair<string, Tensor>>();
                using (no_grad())
                {
                    if (deepSupervision)
                    {
                        network.Module.train();
                        Tensor[] heads = network.ForwardDeepSupervision(x);
                        for (int k = 0; k < heads.Length; k++) results.Add(new KeyValuePair<string, Tensor>("ds" + k, heads[k]));
                    }
                    else
                    {
                        network.Module.eval();
                        results.Add(new KeyValuePair<string, Tensor>("eval", network.forward(x)));
                    }
                }
                foreach (var result in results)
                {
                    TensorFile.RequireFinite(result.Value, weightsPath, "the network's output '" + result.Key + "' (from finite weights and input)",
                        "the weights are too large for float32 arithmetic on this input; nothing was written");
                }
                TensorFileWriter.Write(outputPath, results);
                foreach (var result in results) context.Output.WriteLine($"{result.Key} {TensorInfo.FormatShape(result.Value.shape)}");
                context.Output.WriteLine($"wrote {outputPath}");
                return ExitCodes.Success;
            }
            catch (E2ENetException e)
            {
                context.Error.WriteLine(e.Message);
                return e.Error == TorchErrors.UnknownModel ? ExitCodes.Usage : ExitCodes.Errors;
            }
            catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException || e is OutOfMemoryException)
            {
                string first = e.Message.Split('\n')[0];
                context.Error.WriteLine($"forward: error: libtorch failed: {first}");
                return ExitCodes.Errors;
            }
        }
    }
}
