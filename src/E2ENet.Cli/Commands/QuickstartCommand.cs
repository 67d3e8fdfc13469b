using System.CommandLine;
using System.Globalization;
using System.Linq;
using E2ENet.Cli.Reporting;
using E2ENet.Compiler;
using E2ENet.Compiler.Diagnostics;

namespace E2ENet.Cli.Commands
{
    /// <summary>
    /// <c>e2enet quickstart</c>: the main job on the embedded default. Today it checks every shipped model and reports it;
    /// it grows into train and export as those land.
    /// </summary>
    public static class QuickstartCommand
    {
        /// <summary>Builds the command.</summary>
        public static Command Create(CliContext context)
        {
            var command = new Command("quickstart", "Check and report every model shipped in models/ (embedded in the tool).");
            command.SetAction(_ => Run(context));
            return command;
        }

        /// <summary>Runs the quickstart.</summary>
        public static int Run(CliContext context)
        {
            var sources = BuiltinModels.Load();
            context.Output.WriteLine($"E2ENet.Compiler quickstart: checking the {sources.Count} model files shipped in models/");
            context.Output.WriteLine();
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
            context.Output.WriteLine();
            foreach (Diagnostic diagnostic in compilation.Diagnostics) context.Output.WriteLine(diagnostic);
            CompiledModel? headline = compilation.Find("AmosCt");
            if (headline != null)
            {
                context.Output.WriteLine("The paper's headline model in detail:");
                context.Output.WriteLine();
                context.Output.Write(ModelReport.Text(headline));
                context.Output.WriteLine();
            }
            int errors = compilation.Diagnostics.Count(d => d.IsError);
            context.Output.WriteLine(errors == 0
                ? $"All {compilation.Models.Count} models are valid. Next: 'e2enet check models/amos-ct.e2e --set fusion.sparsity=0.9' to try a variant."
                : $"{errors} error(s) in the shipped models.");
            return errors == 0 ? ExitCodes.Success : ExitCodes.Errors;
        }
    }
}
