using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using E2ENet.Cli.Reporting;
using E2ENet.Compiler;
using E2ENet.Compiler.Diagnostics;

namespace E2ENet.Cli.Commands
{
    /// <summary><c>e2enet check FILE... [--model NAME] [--set path=value]... [--json]</c>.</summary>
    public static class CheckCommand
    {
        /// <summary>Builds the command.</summary>
        public static Command Create(CliContext context)
        {
            var files = new Argument<string[]>("files") { Arity = ArgumentArity.OneOrMore, Description = ".e2e files to check (they form one set: models may inherit across them)." };
            var model = new Option<string?>("--model") { Description = "Report only this model." };
            var set = new Option<string[]>("--set") { Description = "Override a key, in the language's syntax: --set fusion.sparsity=0.9 (repeatable).", AllowMultipleArgumentsPerToken = false };
            var json = new Option<bool>("--json") { Description = "Print one JSON object per model on standard output." };
            var command = new Command("check", "Check .e2e files and report each model: shapes per level, parameters and multiply-accumulates (dense and active), memory, diagnostics.")
            {
                files, model, set, json,
            };
            command.SetAction(parse => Run(context, parse.GetValue(files) ?? new string[0], parse.GetValue(model), parse.GetValue(set) ?? new string[0], parse.GetValue(json)));
            return command;
        }

        /// <summary>Runs the check; exit 0 when clean, 1 on errors, 2 on usage errors.</summary>
        public static int Run(CliContext context, IReadOnlyList<string> files, string? modelName, IReadOnlyList<string> overrides, bool json)
        {
            string? unknown = CliApp.UnknownOption(files);
            if (unknown != null) return context.UsageError("check", $"unknown option '{unknown}'");
            foreach (string file in files)
            {
                if (Directory.Exists(file)) return context.UsageError("check", $"'{file}' is a directory; give .e2e files (for example {file.TrimEnd('/')}/*.e2e)");
                if (!File.Exists(file)) return context.UsageError("check", $"cannot read '{file}': no such file");
            }

            E2ECompilation compilation = E2ECompilation.FromFiles(files, overrides);
            return Report(context, compilation, files, modelName, json);
        }

        /// <summary>Reports the models of <paramref name="files"/> (or the one named) in a compilation.</summary>
        public static int Report(CliContext context, E2ECompilation compilation, IReadOnlyCollection<string> files, string? modelName, bool json)
        {
            List<CompiledModel> models;
            if (modelName != null)
            {
                CompiledModel? found = compilation.Find(modelName);
                if (found == null)
                {
                    Diagnostic missing = DiagnosticDescriptors.UnknownModel.Create(Compiler.Text.SourceLocation.None("--model"), modelName,
                        compilation.SuggestModel(modelName) is { Length: > 0 } hint ? hint : " in " + string.Join(", ", files));
                    context.Error.WriteLine(missing);
                    return ExitCodes.Usage;
                }
                models = new List<CompiledModel> { found };
            }
            else
            {
                var given = new HashSet<string>(files);
                models = compilation.Models.Where(m => given.Contains(m.File.Path)).ToList();
            }
            IReadOnlyList<Diagnostic> other = compilation.FileDiagnostics;
            bool errors = models.Any(m => m.HasErrors) || other.Any(d => d.IsError);

            if (json)
            {
                using var buffer = new MemoryStream();
                ModelReport.Json(buffer, models, other);
                context.Output.Write(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            }
            else
            {
                foreach (CompiledModel model in models)
                {
                    context.Output.Write(ModelReport.Text(model));
                    context.Output.WriteLine();
                }
                foreach (Diagnostic diagnostic in other) context.Output.WriteLine(diagnostic);
                int errorCount = models.SelectMany(m => m.Diagnostics).Concat(other).Distinct().Count(d => d.IsError);
                int warningCount = models.SelectMany(m => m.Diagnostics).Concat(other).Distinct().Count(d => d.Severity == DiagnosticSeverity.Warning);
                context.Output.WriteLine($"{models.Count} model(s) checked: {errorCount} error(s), {warningCount} warning(s).");
            }
            return errors ? ExitCodes.Errors : ExitCodes.Success;
        }
    }
}
