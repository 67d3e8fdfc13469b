using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Torch.Diagnostics;
using E2ENet.Torch.Network;
using E2ENet.Torch.Weights;
using static TorchSharp.torch;

namespace E2ENet.Cli.Commands
{
    /// <summary>
    /// <c>e2enet verify --model FILE.e2e[:Model] [--batch B] [--patch D,H,W] [--weights W] [--set ...]</c>: checks that this
    /// machine computes a model right: a batch of B distinct inputs against B runs of one input, for inference, deep
    /// supervision and every parameter's gradient (they are equal in exact arithmetic). Exit 0 when every relative error is
    /// within the tolerance, 1 otherwise. Meant for a new machine, a new libtorch, or a new CPU (see <c>Modules/Convolutions</c>).
    /// </summary>
    public static class VerifyCommand
    {
        /// <summary>Builds the command.</summary>
        public static Command Create(CliContext context)
        {
            var model = new Option<string>("--model") { Description = "The model: FILE.e2e, or FILE.e2e:Model.", Required = true };
            var batch = new Option<int>("--batch") { Description = "Samples compared (default 3).", DefaultValueFactory = _ => 3 };
            var patch = new Option<string?>("--patch") { Description = "Input size D,H,W (default: the model's patch)." };
            var weights = new Option<string?>("--weights") { Description = "A state dict to load first (default: the He initialisation)." };
            var set = new Option<string[]>("--set") { Description = "Override a key of the model (repeatable).", AllowMultipleArgumentsPerToken = false };
            var tolerance = new Option<double>("--tolerance") { Description = "Largest relative error of the outputs (default 1e-3); the gradients may differ 20 times as much.", DefaultValueFactory = _ => BatchConsistencyReport.DefaultTolerance };
            var seed = new Option<long>("--seed") { Description = "Seed of the random inputs (default 1).", DefaultValueFactory = _ => 1 };
            var command = new Command("verify", "Check that this machine computes a model right: a batch against one sample at a time (outputs and gradients).")
            {
                model, batch, patch, weights, set, tolerance, seed,
            };
            command.SetAction(parse => Run(context, parse.GetValue(model)!, parse.GetValue(batch), parse.GetValue(patch), parse.GetValue(weights),
                parse.GetValue(set) ?? Array.Empty<string>(), parse.GetValue(tolerance), parse.GetValue(seed)));
            return command;
        }

        /// <summary>Runs <c>verify</c>.</summary>
        public static int Run(CliContext context, string modelArgument, int batch, string? patchText, string? weights, IReadOnlyList<string> overrides, double tolerance, long seed)
        {
            if (batch < 2) return context.UsageError("verify", "--batch must be at least 2 (a batch is compared with its samples)");
            if (!(tolerance > 0)) return context.UsageError("verify", "--tolerance must be a positive number");
            (string file, string? name) = ForwardModelArgument.Parse(modelArgument);
            if (!File.Exists(file)) return context.UsageError("verify", $"cannot read the model file '{file}': no such file");
            var all = overrides.ToList();
            if (patchText != null)
            {
                long[]? patch = BenchCommand.ParseSizes(patchText, 3);
                if (patch == null) return context.UsageError("verify", $"--patch '{patchText}' is not D,H,W (three positive integers, e.g. 32,64,64)");
                all.Add(string.Format(CultureInfo.InvariantCulture, "input.patch=[{0}, {1}, {2}]", patch[0], patch[1], patch[2]));
            }
            return CliErrors.Guard(context, () =>
            {
                using E2ENetNetwork network = E2ENetNetwork.FromFile(file, name, all);
                if (weights != null) StateDictLoader.Load(network, weights);
                Int3 size = network.Network.Spec.Input.Patch;
                context.Output.WriteLine(string.Format(CultureInfo.InvariantCulture, "model    {0} ({1}), {2:N0} parameters, input {3} x {4} x {5}",
                    network.ModelName, file, network.Network.Totals.DenseParameters, batch, network.InputChannels, size.ToSizeString()));
                context.Output.WriteLine(string.Format(CultureInfo.InvariantCulture, "machine  {0}, {1} threads, ONEDNN_MAX_CPU_ISA={2}",
                    System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture, get_num_threads(), Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") ?? "(default)"));
                BatchConsistencyReport report = BatchConsistency.Measure(network, network.InputChannels, size, batch, seed);
                context.Output.WriteLine(report.ToString());
                bool passed = report.Passed(tolerance);
                context.Output.WriteLine(string.Format(CultureInfo.InvariantCulture, "result: {0} (outputs within {2:E1} and gradients within {3:E1}: {1})",
                    passed ? "ok" : "WRONG", passed ? "yes" : "no", tolerance, tolerance * BatchConsistencyReport.GradientFactor));
                if (!passed)
                {
                    context.Error.WriteLine($"{file}: error {TorchErrors.BatchInconsistent.Id}: this machine computes {network.ModelName} wrong at batch {batch}: {report}. " +
                        "Run the same command with ONEDNN_VERBOSE=1 to see which kernels libtorch chose, and report it with the output of 'lscpu'.");
                    return ExitCodes.Errors;
                }
                return ExitCodes.Success;
            });
        }
    }
}
