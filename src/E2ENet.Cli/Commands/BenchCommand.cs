using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using E2ENet.Torch.Diagnostics;
using E2ENet.Torch.Modules;
using E2ENet.Torch.Network;
using TorchSharp;
using static TorchSharp.torch;

namespace E2ENet.Cli.Commands
{
    /// <summary>
    /// <c>e2enet bench forward --model FILE.e2e[:Model] --patch D,H,W [--batch N] [--threads N] [--set ...]</c>: times inference
    /// (eval, no grad) and a forward+backward with deep supervision, medians after warm-up, with peak memory.
    /// <c>e2enet bench shift</c>: the depth shift as the network runs it, as a TorchSharp custom autograd node, and as narrow/pad/cat.
    /// Plain lines only; the last line (<c>result: ...</c>) is for scripts (benchmarks/forward_vs_pytorch.sh).
    /// </summary>
    public static class BenchCommand
    {
        /// <summary>Builds the command and its subcommands.</summary>
        public static Command Create(CliContext context)
        {
            var command = new Command("bench", "Measure speed and memory: 'bench forward' (a model), 'bench shift' (the depth shift).");
            command.Subcommands.Add(CreateForward(context));
            command.Subcommands.Add(CreateShift(context));
            command.Subcommands.Add(ExportBenchCommand.Create(context));
            return command;
        }

        private static Command CreateForward(CliContext context)
        {
            var model = new Option<string>("--model") { Description = "The model: FILE.e2e, or FILE.e2e:Model.", Required = true };
            var patch = new Option<string>("--patch") { Description = "Input size D,H,W, e.g. 32,64,64.", Required = true };
            var batch = new Option<int>("--batch") { Description = "Batch size (default 1).", DefaultValueFactory = _ => 1 };
            var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads (default: libtorch's choice, one per core)." };
            var warmup = new Option<int>("--warmup") { Description = "Untimed runs first (default 1).", DefaultValueFactory = _ => 1 };
            var repeat = new Option<int>("--repeat") { Description = "Timed runs; the median is reported (default 5).", DefaultValueFactory = _ => 5 };
            var set = new Option<string[]>("--set") { Description = "Override a key of the model (repeatable).", AllowMultipleArgumentsPerToken = false };
            var device = new Option<string>("--device") { Description = "cpu (default) or cuda (an error when CUDA cannot be used).", DefaultValueFactory = _ => "cpu" };
            var cudnnBenchmark = new Option<bool>("--cudnn-benchmark") { Description = "With --device cuda: cuDNN's benchmark mode (as nnU-Net trains)." };
            var precision = PrecisionOption.Create("default fp32.");
            var command = new Command("forward", "Time a model's inference and forward+backward (median after warm-up) and report peak memory.")
            {
                model, patch, batch, threads, warmup, repeat, set, device, cudnnBenchmark, precision,
            };
            command.SetAction(parse =>
            {
                if (!PrecisionOption.TryParse(context, "bench forward", parse.GetValue(precision), out var chosen, out int exit)) return exit;
                return PrecisionOption.Run(chosen, () => RunForward(context, parse.GetValue(model)!, parse.GetValue(patch)!, parse.GetValue(batch), parse.GetValue(threads),
                    parse.GetValue(warmup), parse.GetValue(repeat), parse.GetValue(set) ?? Array.Empty<string>(), parse.GetValue(device)!, parse.GetValue(cudnnBenchmark)));
            });
            return command;
        }

        private static Command CreateShift(CliContext context)
        {
            var shape = new Option<string>("--shape") { Description = "Tensor shape B,C,D,H,W (default 2,48,32,64,64).", DefaultValueFactory = _ => "2,48,32,64,64" };
            var groups = new Option<int>("--groups") { Description = "Shift groups S (odd; default 3).", DefaultValueFactory = _ => 3 };
            var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads." };
            var repeat = new Option<int>("--repeat") { Description = "Timed runs (default 7).", DefaultValueFactory = _ => 7 };
            var command = new Command("shift", "Time the depth shift (forward, forward+backward): the form the network runs, a TorchSharp custom autograd node, and narrow/pad/cat.")
            {
                shape, groups, threads, repeat,
            };
            command.SetAction(parse => RunShift(context, parse.GetValue(shape)!, parse.GetValue(groups), parse.GetValue(threads), parse.GetValue(repeat)));
            return command;
        }

        /// <summary>Runs <c>bench forward</c>.</summary>
        public static int RunForward(CliContext context, string modelArgument, string patchText, int batch, int threads, int warmup, int repeat, IReadOnlyList<string> overrides,
            string deviceName = "cpu", bool cudnnBenchmark = false)
        {
            if (deviceName != "cpu" && deviceName != "cuda") return context.UsageError("bench forward", $"--device '{deviceName}': use cpu or cuda");
            Device device;
            try
            {
                device = E2ENet.Training.Runs.Trainer.ResolveDevice(deviceName);
            }
            catch (E2ENet.Training.TrainingException e)
            {
                context.Error.WriteLine(e.Message);
                return ExitCodes.Errors;
            }
            if (cudnnBenchmark && deviceName != "cuda") return context.UsageError("bench forward", "--cudnn-benchmark needs --device cuda");
            if (cudnnBenchmark && !E2ENet.Torch.Devices.CudnnBenchmark.TrySet(true))
            {
                context.Error.WriteLine("note: this libtorch does not export cuDNN's benchmark switch; timing with cuDNN's default algorithm choice");
                cudnnBenchmark = false;
            }
            Action synchronize = device.type == DeviceType.CUDA ? () => cuda.synchronize(device) : () => { };
            long[]? patch = ParseSizes(patchText, 3);
            if (patch == null) return context.UsageError("bench forward", $"--patch '{patchText}' is not D,H,W (three positive integers, e.g. 32,64,64)");
            if (batch < 1 || warmup < 0 || repeat < 1 || threads < 0) return context.UsageError("bench forward", "--batch and --repeat must be at least 1, --warmup and --threads at least 0");
            (string file, string? name) = ForwardModelArgument.Parse(modelArgument);
            if (!File.Exists(file)) return context.UsageError("bench forward", $"cannot read the model file '{file}': no such file");
            if (threads > 0) set_num_threads(threads);
            var all = overrides.Concat(new[] { string.Format(CultureInfo.InvariantCulture, "input.patch=[{0}, {1}, {2}]", patch[0], patch[1], patch[2]) }).ToList();
            try
            {
                using E2ENetNetwork network = E2ENetNetwork.FromFile(file, name, all);
                context.Output.WriteLine(string.Format(CultureInfo.InvariantCulture, "model            {0} ({1}), {2:N0} parameters", network.ModelName, file, network.Network.Totals.DenseParameters));
                context.Output.WriteLine(string.Format(CultureInfo.InvariantCulture, "input            {0} x {1} x {2}x{3}x{4} float32, convolutions in {9}, {5}, {6} threads, TorchSharp {7}, oneDNN CPU kernels up to {8}",
                    batch, network.InputChannels, patch[0], patch[1], patch[2],
                    deviceName == "cuda" ? "CUDA (TF32 convolutions " + (backends.cudnn.allow_tf32 ? "allowed" : "off") + ", cuDNN benchmark " + (cudnnBenchmark ? "on" : "off") + ")" : "CPU",
                    get_num_threads(), typeof(TorchSharp.torch).Assembly.GetName().Version, E2ENet.Torch.Devices.CpuKernels.MaxIsa,
                    E2ENet.Torch.Precision.MixedPrecision.Name(E2ENet.Torch.Precision.MixedPrecision.Current)));
                random.manual_seed(0);
                network.to(device);
                using Tensor input = randn(new[] { batch, network.InputChannels, patch[0], patch[1], patch[2] }, device: device);
                double[] weights = network.Network.Heads.Select(h => h.Weight).ToArray();

                network.eval();
                BenchMeasure.Result inference = BenchMeasure.Run("forward", warmup, repeat, () =>
                {
                    using var scope = NewDisposeScope();
                    using var noGrad = no_grad();
                    network.forward(input);
                    synchronize();
                }, context.Error);
                context.Output.WriteLine(BenchMeasure.Format(inference));

                network.train();
                BenchMeasure.Result training = BenchMeasure.Run("forward+backward", warmup, repeat, () =>
                {
                    using var scope = NewDisposeScope();
                    network.zero_grad();
                    Tensor[] heads = network.ForwardDeepSupervision(input);
                    // The loss's own cost is negligible: the weighted mean of each head (deep-supervision weights).
                    Tensor loss = heads.Select((h, k) => h.mean() * weights[k]).Aggregate((a, b) => a + b);
                    loss.backward();
                    synchronize();
                }, context.Error);
                context.Output.WriteLine(BenchMeasure.Format(training));
                context.Output.WriteLine(string.Format(CultureInfo.InvariantCulture,
                    "result: forward_ms={0:0.0} forward_backward_ms={1:0.0} forward_peak_mib={2:0} forward_backward_peak_mib={3:0} forward_cpu_ms={4:0.0} forward_backward_cpu_ms={5:0.0} precision={6}",
                    inference.Median, training.Median, inference.PeakBytes / 1048576.0, training.PeakBytes / 1048576.0, inference.CpuMedian, training.CpuMedian,
                    E2ENet.Torch.Precision.MixedPrecision.Name(E2ENet.Torch.Precision.MixedPrecision.Current)));
                return ExitCodes.Success;
            }
            catch (E2ENetTorchException e)
            {
                context.Error.WriteLine(e.Message);
                return e.Id == TorchErrors.UnknownModel.Id ? ExitCodes.Usage : ExitCodes.Errors;
            }
        }

        /// <summary>Runs <c>bench shift</c>.</summary>
        public static int RunShift(CliContext context, string shapeText, int groups, int threads, int repeat)
        {
            long[]? shape = ParseSizes(shapeText, 5);
            if (shape == null) return context.UsageError("bench shift", $"--shape '{shapeText}' is not B,C,D,H,W (five positive integers)");
            if (groups < 1 || groups % 2 == 0) return context.UsageError("bench shift", "--groups must be odd and positive");
            if (threads > 0) set_num_threads(threads);
            int[] offsets = Enumerable.Range(-(groups / 2), groups).ToArray();
            context.Output.WriteLine(string.Format(CultureInfo.InvariantCulture, "depth shift of [{0}] with offsets [{1}], {2} threads",
                string.Join(", ", shape), string.Join(", ", offsets), get_num_threads()));
            using Tensor input = randn(shape);
            var results = new List<BenchMeasure.Result>();
            foreach (var (label, shift) in new (string, Func<Tensor, IReadOnlyList<int>, Tensor>)[] { ("network", DepthShift.Apply), ("node", DepthShift.ApplyNode), ("composed", DepthShift.ApplyComposed) })
            {
                results.Add(BenchMeasure.Run(label + " fwd", 3, repeat, () =>
                {
                    using var scope = NewDisposeScope();
                    using var noGrad = no_grad();
                    shift(input, offsets);
                }, context.Error));
                results.Add(BenchMeasure.Run(label + " fwd+bwd", 3, repeat, () =>
                {
                    using var scope = NewDisposeScope();
                    Tensor leaf = input.detach().requires_grad_(true);
                    shift(leaf, offsets).sum().backward();
                }, context.Error));
            }
            foreach (BenchMeasure.Result result in results) context.Output.WriteLine(BenchMeasure.Format(result));
            // Times relative to the form the network runs (above 1: slower than it).
            context.Output.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "result: node/network forward {0:0.00}x, forward+backward {1:0.00}x; composed/network forward {2:0.00}x, forward+backward {3:0.00}x",
                results[2].Median / results[0].Median, results[3].Median / results[1].Median, results[4].Median / results[0].Median, results[5].Median / results[1].Median));
            return ExitCodes.Success;
        }

        internal static long[]? ParseSizes(string text, int count)
        {
            string[] parts = text.Trim('[', ']', ' ').Split(new[] { ',', 'x' }, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != count) return null;
            var sizes = new long[count];
            for (int i = 0; i < count; i++)
            {
                if (!long.TryParse(parts[i].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1 || sizes[i] > 4096) return null;
            }
            return sizes;
        }
    }
}
