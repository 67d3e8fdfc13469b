using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Preprocessing;
using E2ENet.Onnx.Diagnostics;
using E2ENet.Onnx.Export;
using E2ENet.Onnx.Reporting;
using E2ENet.Onnx.Runtime;
using E2ENet.Onnx.Verification;
using static TorchSharp.torch;

namespace E2ENet.Cli.Commands
{
    /// <summary>
    /// <c>e2enet bench export --model FILE.e2e[:Model] --patch D,H,W [--set ...] [--weights W.pt] [--runs N] [--warmup N]
    /// [--seed N] [--tune-runs N] [--baseline-onnx FILE | --no-baseline] [--profile DIR] [--sequential]</c>: in one process and one run, CPU latency of the
    /// same model and patch as (1) the dense export in ONNX Runtime (the authors' network as they run it: zeros included),
    /// (2) the pruned export with the reference lowering, (3) the pruned export with lowerings chosen by measured latency,
    /// (4) the TorchSharp network (eager), and (5) nnU-Net's plain 3D U-Net (benchmarks/onnx/plain_unet.py, exported by
    /// PyTorch) in ONNX Runtime; runs are interleaved round-robin so that load drift hits every engine alike (with
    /// --sequential one engine after another instead, each with only its own session open, for patches whose sessions do
    /// not fit in memory together: AmosCtFast at 64x160x160 needs about 24 GB interleaved). Medians and
    /// ratios, plus the multiply-accumulates each executes. Without --weights the model gets random weights with its mask
    /// structure (exactly the kept count of random units per sparse layer), since the shipped models are untrained.
    /// --profile DIR then traces the tuned export and the U-Net in ONNX Runtime's profiler (<see cref="OnnxProfile"/>).
    /// </summary>
    public static class ExportBenchCommand
    {
        /// <summary>Where the baseline script lives, relative to the repository root.</summary>
        public const string BaselineScript = "benchmarks/onnx/plain_unet.py";

        /// <summary>Builds the <c>export</c> subcommand of <c>bench</c>.</summary>
        public static Command Create(CliContext context)
        {
            var model = new Option<string>("--model") { Description = "The model: FILE.e2e, or FILE.e2e:Model.", Required = true };
            var patch = new Option<string>("--patch") { Description = "Input size D,H,W, e.g. 32,64,64.", Required = true };
            var set = new Option<string[]>("--set") { Description = "Override a key of the model (repeatable).", AllowMultipleArgumentsPerToken = false };
            var weights = new Option<string?>("--weights") { Description = "Trained weights (default: random weights with the model's mask structure)." };
            var runs = new Option<int>("--runs") { Description = "Timed runs per engine, interleaved; the median is reported.", DefaultValueFactory = _ => 5 };
            var warmup = new Option<int>("--warmup") { Description = "Untimed runs per engine first.", DefaultValueFactory = _ => 1 };
            var seed = new Option<int>("--seed") { Description = "Seed of the random weights and input.", DefaultValueFactory = _ => 0 };
            var tuneRuns = new Option<int>("--tune-runs") { Description = "Timed runs per candidate lowering while tuning.", DefaultValueFactory = _ => 3 };
            var baseline = new Option<string?>("--baseline-onnx") { Description = "nnU-Net's plain U-Net as ONNX (default: exported now by " + BaselineScript + " with /usr/bin/python3)." };
            var noBaseline = new Option<bool>("--no-baseline") { Description = "Skip nnU-Net's plain U-Net." };
            var sequential = new Option<bool>("--sequential")
            {
                Description = "Time the engines one after another, each with only its own ONNX Runtime session open, instead of interleaved with every session open "
                    + "(for a patch whose sessions do not fit in memory together, e.g. the full AMOS patch on 24 GiB; load drift then hits the engines unevenly).",
            };
            var profile = new Option<string?>("--profile")
            {
                Description = "After timing, trace the pruned+tuned export (and the U-Net) in ONNX Runtime's profiler for --runs runs: writes DIR/tuned-profile.json "
                    + "(a Chrome trace: chrome://tracing or ui.perfetto.dev) and DIR/tuned-profile.txt (kernel time per operator type and the slowest nodes), and prints the summaries.",
            };
            var command = new Command("export", "Time a model exported dense, pruned and pruned+tuned in ONNX Runtime against TorchSharp eager and nnU-Net's plain U-Net, in one run.")
            {
                model, patch, set, weights, runs, warmup, seed, tuneRuns, baseline, noBaseline, profile, sequential,
            };
            command.SetAction(parse => Run(context, parse.GetValue(model)!, parse.GetValue(patch)!, parse.GetValue(set) ?? Array.Empty<string>(), parse.GetValue(weights),
                parse.GetValue(runs), parse.GetValue(warmup), parse.GetValue(seed), parse.GetValue(tuneRuns), parse.GetValue(baseline), parse.GetValue(noBaseline), parse.GetValue(profile),
                parse.GetValue(sequential)));
            return command;
        }

        /// <summary>Runs the benchmark.</summary>
        public static int Run(CliContext context, string modelArgument, string patchText, IReadOnlyList<string> overrides, string? weights, int runs, int warmup, int seed,
            int tuneRuns, string? baselineOnnx, bool noBaseline, string? profileFolder = null, bool sequential = false)
        {
            const string name = "bench export";
            string? unknown = ExportArguments.UnknownOption(modelArgument, patchText, weights, baselineOnnx, profileFolder);
            if (unknown != null) return context.UsageError(name, $"unknown option '{unknown}'");
            if (ExportArguments.ParsePatch(patchText) is not Int3 patch) return context.UsageError(name, $"--patch '{patchText}' is not D,H,W (three positive integers, e.g. 32,64,64)");
            if (runs < 1 || warmup < 0 || tuneRuns < 1) return context.UsageError(name, "--runs and --tune-runs must be at least 1, --warmup at least 0");
            (string file, string? modelName) = ForwardModelArgument.Parse(modelArgument);
            if (!File.Exists(file)) return context.UsageError(name, $"cannot read the model file '{file}': no such file");
            if (weights != null && !File.Exists(weights)) return context.UsageError(name, $"cannot read the weights file '{weights}': no such file");
            if (baselineOnnx != null && !File.Exists(baselineOnnx)) return context.UsageError(name, $"cannot read --baseline-onnx '{baselineOnnx}': no such file");
            Action<string> progress = ExportArguments.Progress(context, "bench");
            var all = overrides.Concat(new[] { ExportArguments.PatchOverride(patch) }).ToList();
            try
            {
                using ModelSource source = weights != null ? ModelSource.Load(file, modelName, all, weights) : ModelSource.Random(ModelSource.Compile(file, modelName, all), seed);
                ModelSpec spec = source.Spec;
                OnnxExporter.CheckPatch(spec, patch, "--patch");
                progress(FormattableString.Invariant($"{spec.Name} at {patch.ToSizeString()}: {(weights != null ? "weights " + weights : "random weights with the model's mask structure (seed " + seed + ")")}"));

                progress("building the dense export (reference lowering, no pruning)");
                GraphExport dense = GraphExporter.Build(source, new GraphOptions(false, false, false));
                progress("building the pruned export (reference lowering)");
                GraphExport pruned = GraphExporter.Build(source, new GraphOptions(true, false, false));
                progress("building the pruned export with lowerings tuned by measured latency");
                GraphExport tuned = GraphExporter.Build(source, new GraphOptions(true, false, true, tuneRuns, patch), line => progress("  " + line));

                float[] input = ExportVerifier.RandomInput(spec.Input.Channels, patch, seed + 1, out long[] shape);
                progress("checking the three exports against the TorchSharp network");
                float[] reference = ExportVerifier.Torch(source.Torch, input, shape);
                foreach (var (label, graph, tolerance) in new[] { ("dense", dense, 1e-4), ("pruned", pruned, 1e-4), ("pruned+tuned", tuned, 1e-4) })
                {
                    double error = ExportVerifier.RelativeError(ExportVerifier.Onnx(graph.Model, input, shape), reference);
                    progress(FormattableString.Invariant($"  {label}: relative error {error:E2}"));
                    if (!(error <= tolerance))
                    {
                        throw new E2ENetOnnxException(OnnxErrors.RuntimeMismatch, null, FormattableString.Invariant($"the {label} export differs from the TorchSharp network by {error:E2}; timings of a wrong graph mean nothing"));
                    }
                }

                (string? unetPath, UnetFacts? unet) = noBaseline ? (null, null) : Baseline(spec, patch, baselineOnnx, progress);
                var engines = new List<Engine>
                {
                    OnnxEngine("ONNX Runtime, dense export", dense.Model, dense.Report.TotalMacs.Executed, dense.Report.TotalParameters.Executed),
                    OnnxEngine("ONNX Runtime, pruned", pruned.Model, pruned.Report.TotalMacs.Executed, pruned.Report.TotalParameters.Executed),
                    OnnxEngine("ONNX Runtime, pruned + tuned", tuned.Model, tuned.Report.TotalMacs.Executed, tuned.Report.TotalParameters.Executed),
                    new Engine("TorchSharp eager (dense weights)", () => ((x, s) => Torch(source, x, s), () => { }), dense.Report.TotalMacs.Executed, dense.Report.TotalParameters.Executed),
                };
                if (unetPath != null)
                {
                    engines.Add(OnnxEngine("nnU-Net plain U-Net, ONNX Runtime", File.ReadAllBytes(unetPath), unet?.Macs ?? 0, unet?.InferenceParameters ?? 0));
                }
                try
                {
                    if (sequential) MeasureSequentially(engines, input, shape, warmup, runs, progress);
                    else Measure(engines, input, shape, warmup, runs, progress);
                }
                finally
                {
                    foreach (Engine engine in engines) engine.Dispose();
                }
                if (profileFolder != null)
                {
                    var profiled = new List<(string, string, byte[])> { ("tuned", "pruned + tuned export, ONNX Runtime profile", tuned.Model) };
                    if (unetPath != null) profiled.Add(("unet", "nnU-Net plain U-Net, ONNX Runtime profile", File.ReadAllBytes(unetPath)));
                    Profile(context, profileFolder, profiled, input, shape, warmup, runs, progress);
                }
                Print(context, spec, patch, weights, seed, runs, sequential, engines, tuned.Report);
                return ExitCodes.Success;
            }
            catch (Exception e) when (ExportArguments.Report(context, name, e) is int code)
            {
                return code;
            }
        }

        private static void Measure(List<Engine> engines, float[] input, long[] shape, int warmup, int runs, Action<string> progress)
        {
            foreach (Engine engine in engines) engine.Open();
            for (int w = 0; w < warmup; w++)
            {
                foreach (Engine engine in engines) engine.Run(input, shape);
            }
            for (int r = 0; r < runs; r++)
            {
                foreach (Engine engine in engines) Time(engine, input, shape);
                progress(FormattableString.Invariant($"run {r + 1}/{runs}: {string.Join(", ", engines.Select(e => e.Times[^1].ToString("0", CultureInfo.InvariantCulture) + " ms (cpu " + e.CpuTimes[^1].ToString("0", CultureInfo.InvariantCulture) + ")"))}"));
            }
        }

        /// <summary>
        /// One engine after another: open its session, warm up, time its runs, release the session (and what the runtime
        /// freed) before the next, so that the peak memory is one engine's, not every engine's together.
        /// </summary>
        private static void MeasureSequentially(List<Engine> engines, float[] input, long[] shape, int warmup, int runs, Action<string> progress)
        {
            foreach (Engine engine in engines)
            {
                engine.Open();
                for (int w = 0; w < warmup; w++) engine.Run(input, shape);
                for (int r = 0; r < runs; r++) Time(engine, input, shape);
                engine.Dispose();
                GC.Collect();
                GC.WaitForPendingFinalizers();
                progress(FormattableString.Invariant($"{engine.Name}: {string.Join(", ", engine.Times.Select((t, k) => t.ToString("0", CultureInfo.InvariantCulture) + " ms (cpu " + engine.CpuTimes[k].ToString("0", CultureInfo.InvariantCulture) + ")"))}"));
            }
        }

        private static void Time(Engine engine, float[] input, long[] shape)
        {
            using Process self = Process.GetCurrentProcess();
            TimeSpan cpu = self.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            engine.Run(input, shape);
            engine.Times.Add(watch.Elapsed.TotalMilliseconds);
            self.Refresh();
            engine.CpuTimes.Add((self.TotalProcessorTime - cpu).TotalMilliseconds);
        }

        /// <summary>
        /// Traces each graph in ONNX Runtime's profiler (a session of its own, after the timed runs, so the timings above
        /// are not profiled ones): <paramref name="warmup"/> untraced-in-the-summary runs, then <paramref name="runs"/> runs;
        /// writes LABEL-profile.json (the trace) and LABEL-profile.txt (the summary) into the folder, each atomically.
        /// </summary>
        private static void Profile(CliContext context, string folder, IEnumerable<(string Label, string Title, byte[] Model)> graphs, float[] input, long[] shape, int warmup,
            int runs, Action<string> progress)
        {
            Directory.CreateDirectory(folder);
            foreach (var (label, title, model) in graphs)
            {
                progress($"profiling the {label} graph in ONNX Runtime ({runs} runs)");
                string prefix = Path.Combine(folder, "." + label + "-trace-" + Guid.NewGuid().ToString("N").Substring(0, 8));
                string trace;
                using (OnnxRunner runner = OnnxRunner.Create(model, ExecutionDevice.Cpu, spinning: false, profilePrefix: prefix))
                {
                    for (int r = 0; r < warmup + runs; r++) runner.Run(input, shape, out _);
                    trace = runner.EndProfiling();
                }
                string json = Path.Combine(folder, label + "-profile.json");
                File.Move(trace, json, overwrite: true);
                OnnxProfile profile = OnnxProfile.Parse(File.ReadAllText(json), skipRuns: warmup);
                string summary = profile.Summary(title);
                string text = Path.Combine(folder, label + "-profile.txt");
                E2ENet.Data.AtomicFile.WriteText(text, summary);
                context.Output.Write(summary);
                context.Output.WriteLine($"(trace: {json}; summary: {text})");
            }
        }

        private static void Print(CliContext context, ModelSpec spec, Int3 patch, string? weights, int seed, int runs, bool sequential, List<Engine> engines, PruningReport report)
        {
            TextWriter output = context.Output;
            double dense = engines[0].Median, torch = engines[3].Median;
            double denseCpu = engines[0].CpuMedian, torchCpu = engines[3].CpuMedian;
            string source = weights != null ? "weights " + weights : FormattableString.Invariant($"random weights with the model's mask structure (seed {seed})");
            output.WriteLine(FormattableString.Invariant($"model   {spec.Name} ({spec.Fusion.Unit.ToSymbol()} sparsity {spec.Fusion.Sparsity}), patch 1x{spec.Input.Channels}x{patch.ToSizeString()}, {source}"));
            output.WriteLine(FormattableString.Invariant($"machine {Environment.ProcessorCount} logical cores, ONNX Runtime CPU (default threads, no spin-waiting), TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version} ({get_num_threads()} threads); medians of {runs} {(sequential ? "runs, one engine after another" : "interleaved runs")}"));
            output.WriteLine(FormattableString.Invariant($"{"engine",-36} {"wall ms",9} {"x dense",8} {"x torch",8} {"cpu ms",9} {"x dense",8} {"x torch",8} {"GMACs",8} {"params",10}"));
            foreach (Engine engine in engines)
            {
                output.WriteLine(FormattableString.Invariant(
                    $"{engine.Name,-36} {engine.Median,9:0.0} {dense / engine.Median,8:0.00} {torch / engine.Median,8:0.00} {engine.CpuMedian,9:0.0} {denseCpu / engine.CpuMedian,8:0.00} {torchCpu / engine.CpuMedian,8:0.00} {engine.Macs / 1e9,8:0.00} {engine.Parameters,10}"));
            }
            output.WriteLine(FormattableString.Invariant($"(x dense, x torch: how many times faster than the dense export / TorchSharp, by wall time and by the process's CPU time; active MACs (the paper's count) {report.TotalMacs.Active / 1e9:0.00} G of {report.TotalMacs.Dense / 1e9:0.00} G dense)"));
            string unet = engines.Count > 4 ? FormattableString.Invariant($" unet/tuned={engines[4].Median / engines[2].Median:0.00} unet/tuned_cpu={engines[4].CpuMedian / engines[2].CpuMedian:0.00}") : string.Empty;
            output.WriteLine(FormattableString.Invariant($"result: dense/pruned={dense / engines[1].Median:0.00} dense/tuned={dense / engines[2].Median:0.00} torch/tuned={torch / engines[2].Median:0.00} dense/tuned_cpu={denseCpu / engines[2].CpuMedian:0.00} torch/tuned_cpu={torchCpu / engines[2].CpuMedian:0.00}{unet} tuned_ms={engines[2].Median:0.000} tuned_cpu_ms={engines[2].CpuMedian:0.000}"));
        }

        /// <summary>An engine over an ONNX graph; its session is created when the engine is opened.</summary>
        private static Engine OnnxEngine(string name, byte[] model, long macs, long parameters)
            => new Engine(name, () =>
            {
                OnnxRunner runner = OnnxRunner.Create(model, ExecutionDevice.Cpu, spinning: false);
                return ((x, s) => runner.Run(x, s, out _), runner.Dispose);
            }, macs, parameters);

        private static void Torch(ModelSource source, float[] input, long[] shape)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            source.Torch.forward(tensor(input, shape));
        }

        /// <summary>The baseline's ONNX file and facts: given, or exported now by the script.</summary>
        private static (string? Path, UnetFacts? Facts) Baseline(ModelSpec spec, Int3 patch, string? given, Action<string> progress)
        {
            if (given != null) return (given, null);
            string script = FindScript() ?? throw new E2ENetOnnxException(OnnxErrors.BaselineFailed, BaselineScript,
                "not found above the current folder or the tool; run from the repository, give --baseline-onnx FILE, or --no-baseline");
            string python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
            string target = Path.Combine(Path.GetTempPath(), "e2enet-plain-unet-" + Guid.NewGuid().ToString("N").Substring(0, 8) + ".onnx");
            progress($"exporting nnU-Net's plain U-Net with {python} {script}");
            var start = new ProcessStartInfo(python)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (string argument in new[] { script, "--out", target, "--in-channels", spec.Input.Channels.ToString(CultureInfo.InvariantCulture),
                "--classes", spec.Classes.ToString(CultureInfo.InvariantCulture), "--patch", FormattableString.Invariant($"{patch.D},{patch.H},{patch.W}") })
            {
                start.ArgumentList.Add(argument);
            }
            try
            {
                using Process process = Process.Start(start) ?? throw new InvalidOperationException("no process");
                var stderr = process.StandardError.ReadToEndAsync();
                string stdout = process.StandardOutput.ReadToEnd();
                if (!process.WaitForExit(600_000))
                {
                    process.Kill(true);
                    throw new E2ENetOnnxException(OnnxErrors.BaselineFailed, script, "did not finish in 10 minutes");
                }
                if (process.ExitCode != 0 || !File.Exists(target))
                {
                    throw new E2ENetOnnxException(OnnxErrors.BaselineFailed, script, "failed (exit " + process.ExitCode.ToString(CultureInfo.InvariantCulture) + "): "
                        + stderr.Result.Trim().Split('\n').LastOrDefault() + "; it needs PyTorch under " + python + " (Debian: apt-get install python3-torch), or give --no-baseline");
                }
                string last = stdout.Trim().Split('\n').Last();
                using JsonDocument json = JsonDocument.Parse(last);
                return (target, new UnetFacts(json.RootElement.GetProperty("macs").GetInt64(), json.RootElement.GetProperty("inferenceParameters").GetInt64()));
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new E2ENetOnnxException(OnnxErrors.BaselineFailed, script, "cannot start " + python + ": " + e.Message + "; install python3-torch, or give --no-baseline", e);
            }
            catch (JsonException e)
            {
                throw new E2ENetOnnxException(OnnxErrors.BaselineFailed, script, "printed no result line: " + e.Message, e);
            }
        }

        private static string? FindScript()
        {
            foreach (string? start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            {
                for (string? folder = start; folder != null; folder = Path.GetDirectoryName(folder))
                {
                    string candidate = Path.Combine(folder, BaselineScript);
                    if (File.Exists(candidate)) return candidate;
                }
            }
            return null;
        }

        private sealed record UnetFacts(long Macs, long InferenceParameters);

        /// <summary>One thing being timed: opened (its session created) before its first run, disposed after its last.</summary>
        private sealed class Engine : IDisposable
        {
            private readonly Func<(Action<float[], long[]> Run, Action Dispose)> _open;
            private (Action<float[], long[]> Run, Action Dispose)? _opened;

            public Engine(string name, Func<(Action<float[], long[]> Run, Action Dispose)> open, long macs, long parameters)
            {
                Name = name;
                _open = open;
                Macs = macs;
                Parameters = parameters;
            }

            public string Name { get; }

            public long Macs { get; }

            public long Parameters { get; }

            public List<double> Times { get; } = new List<double>();

            public List<double> CpuTimes { get; } = new List<double>();

            public double CpuMedian => Statistics.Median(CpuTimes);

            public double Median => Statistics.Median(Times);

            public void Open() => _opened ??= _open();

            public void Run(float[] input, long[] shape) => (_opened ?? throw new InvalidOperationException(Name + " is not open")).Run(input, shape);

            public void Dispose()
            {
                _opened?.Dispose();
                _opened = null;
            }
        }
    }
}
