using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using E2ENet.Cli.Reporting;
using E2ENet.Compiler;
using E2ENet.Compiler.Diagnostics;

namespace E2ENet.Cli.Commands
{
    /// <summary>
    /// <c>e2enet quickstart</c>, the README's main job, end to end on an embedded default: checks every shipped model, builds
    /// a small real dataset from Debian's Colin27 head and AAL atlas, trains a narrow E2ENet with dynamic sparse fusion on the
    /// CPU for a few minutes, evaluates it on held-out cases against the untrained network, and exports an ONNX bundle.
    /// Rerunning it reuses what is already done (dataset, finished training) and resumes an interrupted training.
    /// </summary>
    public static class QuickstartCommand
    {
        /// <summary>The embedded model the quickstart trains.</summary>
        public const string DemoModel = "models/demo/colin27.e2e";

        /// <summary>Builds the command.</summary>
        public static Command Create(CliContext context)
        {
            var output = new Option<string>("--out") { Description = "Where the dataset, the run, the predictions and the bundle go.", DefaultValueFactory = _ => "e2enet-quickstart" };
            var epochs = new Option<int?>("--epochs") { Description = "Epochs of the demo training (default: the demo model's, 10)." };
            var iterations = new Option<int?>("--iterations") { Description = "Iterations per epoch (default: the demo model's, 50)." };
            var checkOnly = new Option<bool>("--check-only") { Description = "Only check and report the shipped models." };
            var noExport = new Option<bool>("--no-export") { Description = "Skip the ONNX export." };
            var command = new Command("quickstart", "The main job on an embedded default: check the shipped models, build a demo dataset from Colin27, train a narrow E2ENet on the CPU for a few minutes, evaluate it on held-out cases, export it to ONNX.")
            {
                output, epochs, iterations, checkOnly, noExport,
            };
            command.SetAction(parse => Run(context, parse.GetValue(output)!, parse.GetValue(epochs), parse.GetValue(iterations), parse.GetValue(checkOnly), parse.GetValue(noExport)));
            return command;
        }

        /// <summary>Runs the quickstart; exit 0 when every step succeeded.</summary>
        public static int Run(CliContext context, string output, int? epochs, int? iterations, bool checkOnly, bool noExport)
        {
            int steps = checkOnly ? 1 : noExport ? 4 : 5;
            context.Output.WriteLine($"[1/{steps}] Checking the models shipped in models/");
            int check = CheckShippedModels(context);
            if (check != ExitCodes.Success || checkOnly) return check;
            return CliErrors.Guard(context, () =>
            {
                var demo = new QuickstartDemo(context, Path.GetFullPath(output), epochs, iterations);
                context.Output.WriteLine();
                context.Output.WriteLine($"[2/{steps}] Building the demo dataset from Debian's Colin27 T1 head and AAL atlas");
                if (!demo.EnsureDataset()) return ExitCodes.Errors;
                context.Output.WriteLine();
                context.Output.WriteLine($"[3/{steps}] Training {demo.ModelName} on the CPU (progress on standard error)");
                demo.Train();
                context.Output.WriteLine();
                context.Output.WriteLine($"[4/{steps}] Evaluating on the held-out cases, untrained vs trained");
                demo.Evaluate();
                if (!noExport)
                {
                    context.Output.WriteLine();
                    context.Output.WriteLine($"[5/{steps}] Exporting the trained network to an ONNX bundle (checked against TorchSharp in ONNX Runtime)");
                    demo.Export();
                }
                context.Output.WriteLine();
                demo.Summary();
                return ExitCodes.Success;
            });
        }

        private static int CheckShippedModels(CliContext context)
        {
            var sources = BuiltinModels.Load();
            E2ECompilation compilation = E2ECompilation.Create(sources);
            var table = new TextTable("model", "file", "patch", ">S", ">params dense", ">params active", ">GMAC dense", ">GMAC active", "status");
            foreach (CompiledModel model in compilation.Models)
            {
                var network = model.Network;
                int warnings = model.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Warning);
                string status = model.HasErrors ? "ERRORS" : warnings > 0 ? $"ok, {warnings} warning(s)" : "ok";
                if (network == null)
                {
                    table.Add(model.Name, model.File.Path, "-", "-", "-", "-", "-", "-", status);
                    continue;
                }
                table.Add(model.Name, model.File.Path, network.Spec.Input.Patch.ToSizeString(),
                    network.Spec.Fusion.Sparsity.ToString("0.##", CultureInfo.InvariantCulture),
                    ModelReport.Number(network.Totals.DenseParameters), ModelReport.Number(network.Totals.ActiveParameters),
                    (network.Totals.DenseMacs / 1e9).ToString("N1", CultureInfo.InvariantCulture),
                    (network.Totals.ActiveMacs / 1e9).ToString("N1", CultureInfo.InvariantCulture), status);
            }
            context.Output.Write(table.ToString("  "));
            foreach (Diagnostic diagnostic in compilation.Diagnostics) context.Output.WriteLine("  " + diagnostic);
            int errors = compilation.Diagnostics.Count(d => d.IsError);
            context.Output.WriteLine(errors == 0
                ? $"  All {compilation.Models.Count} models are valid ('e2enet check models/amos-ct.e2e' shows one in detail)."
                : $"  {errors} error(s) in the shipped models.");
            return errors == 0 ? ExitCodes.Success : ExitCodes.Errors;
        }
    }
}
