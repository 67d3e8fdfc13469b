using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using E2ENet.Cli.Commands;

namespace E2ENet.Cli
{
    /// <summary>Where a command writes: standard output (results) and standard error (progress, problems).</summary>
    public sealed class CliContext
    {
        /// <summary>Creates a context.</summary>
        public CliContext(TextWriter output, TextWriter error)
        {
            Output = output;
            Error = error;
        }

        /// <summary>Results.</summary>
        public TextWriter Output { get; }

        /// <summary>Problems and progress.</summary>
        public TextWriter Error { get; }

        /// <summary>Prints <c>e2enet COMMAND: error: MESSAGE</c> on standard error and returns <see cref="ExitCodes.Usage"/>.</summary>
        public int UsageError(string command, string message)
        {
            Error.WriteLine($"e2enet {command}: error: {message}");
            Error.WriteLine($"Run 'e2enet {command} --help' for usage.");
            return ExitCodes.Usage;
        }
    }

    /// <summary>The command tree of <c>e2enet</c>; callable in-process (the tests do).</summary>
    public static class CliApp
    {
        /// <summary>Parses <paramref name="args"/>, runs the command and returns its exit code.</summary>
        public static int Run(string[] args, TextWriter output, TextWriter error)
        {
            var context = new CliContext(output, error);
            var root = new RootCommand("e2enet: the E2ENet 3D segmentation network, described in .e2e files, for .NET.");
            foreach (Command command in Commands(context)) root.Subcommands.Add(command);

            ParseResult parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                string name = parse.CommandResult.Command == root ? "" : " " + parse.CommandResult.Command.Name;
                foreach (var problem in parse.Errors) error.WriteLine($"e2enet{name}: error: {problem.Message}");
                error.WriteLine($"Run 'e2enet{name} --help' for usage.");
                return ExitCodes.Usage;
            }
            if (parse.CommandResult.Command == root && args.Length == 0)
            {
                error.WriteLine("e2enet: error: no command given. Start with 'e2enet quickstart', or see 'e2enet --help'.");
                return ExitCodes.Usage;
            }
            // Exceptions reach LastResort (one located line) instead of System.CommandLine's handler (a stack trace).
            var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
            try
            {
                return parse.Invoke(configuration);
            }
            catch (Exception e)
            {
                return LastResort.Report(error, "e2enet" + (parse.CommandResult.Command == root ? "" : " " + CommandPath(parse.CommandResult)), e);
            }
        }

        private static IEnumerable<Command> Commands(CliContext context)
        {
            yield return QuickstartCommand.Create(context);
            yield return CheckCommand.Create(context);
            yield return ForwardCommand.Create(context);
            yield return BenchCommand.Create(context);
            yield return VerifyCommand.Create(context);
            yield return DatasetCommand.Create(context);
            yield return EvaluateCommand.Create(context);
            yield return TrainCommand.Create(context);
            yield return ExportCommand.Create(context);
            yield return PredictCommand.Create(context);
            yield return SummarizeCommand.Create(context);
        }

        private static string CommandPath(System.CommandLine.Parsing.CommandResult result)
        {
            var names = new List<string>();
            for (System.CommandLine.Parsing.SymbolResult? r = result; r is System.CommandLine.Parsing.CommandResult c && c.Parent != null; r = r.Parent) names.Insert(0, ((System.CommandLine.Parsing.CommandResult)r).Command.Name);
            return string.Join(" ", names);
        }

        /// <summary>Arguments that look like options but were not recognised (System.CommandLine takes them as values).</summary>
        public static string? UnknownOption(IEnumerable<string> values)
            => values.FirstOrDefault(v => v.StartsWith("-", StringComparison.Ordinal) && v.Length > 1);
    }
}
