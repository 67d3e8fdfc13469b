using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using E2ENet.Data;

namespace E2ENet.Cli.Commands
{
    /// <summary><c>e2enet dataset check|make-demo|make-synth|preview|preprocess|convert-msd</c>: datasets in the MSD / nnU-Net layout.</summary>
    public static class DatasetCommand
    {
        /// <summary>Builds the command and its subcommands.</summary>
        public static Command Create(CliContext context)
        {
            var command = new Command("dataset", "Datasets in the Medical Segmentation Decathlon / nnU-Net layout: 'check', 'make-demo', 'make-synth', 'preview', 'preprocess', 'convert-msd'.");
            command.Subcommands.Add(DatasetCheckCommand.Create(context));
            command.Subcommands.Add(DatasetMakeDemoCommand.Create(context));
            command.Subcommands.Add(DatasetMakeSynthCommand.Create(context));
            command.Subcommands.Add(DatasetPreviewCommand.Create(context));
            command.Subcommands.Add(DatasetPreprocessCommand.Create(context));
            command.Subcommands.Add(DatasetConvertMsdCommand.Create(context));
            return command;
        }

        /// <summary>Prints a data error (file, id, problem, fix) and returns exit code 1.</summary>
        internal static int Fail(CliContext context, DataException error)
        {
            context.Error.WriteLine(error.Message);
            return ExitCodes.Errors;
        }

        /// <summary>A number with up to <paramref name="decimals"/> decimals, invariant culture; "-" for NaN.</summary>
        internal static string Number(double value, int decimals = 2)
            => double.IsNaN(value) ? "-" : value.ToString("0." + new string('#', decimals), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Progress on standard error: one updating line on a terminal, plain lines ("preprocess 3/8 case_003") when the
    /// output is redirected (logs and CI), at most one line per item.
    /// </summary>
    internal sealed class CliProgress : IProgress<DataProgress>
    {
        private readonly TextWriter _error;
        private readonly bool _terminal;
        private readonly object _gate = new object();

        public CliProgress(CliContext context)
        {
            _error = context.Error;
            _terminal = ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected;
        }

        public void Report(DataProgress value)
        {
            lock (_gate)
            {
                string line = $"{value.Stage} {value.Done}/{value.Total}{(value.Item != null ? " " + value.Item : "")}{(value.Note != null ? " (" + value.Note + ")" : "")}";
                if (_terminal)
                {
                    _error.Write("\r" + line.PadRight(60));
                    if (value.Done == value.Total) _error.WriteLine();
                }
                else _error.WriteLine(line);
            }
        }
    }
}
