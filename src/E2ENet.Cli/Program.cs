using System;

namespace E2ENet.Cli
{
    /// <summary>Entry point of <c>e2enet</c>.</summary>
    public static class Program
    {
        /// <summary>Runs the command line and returns its exit code; no exception leaves it as a stack trace (see <see cref="LastResort"/>).</summary>
        public static int Main(string[] args)
        {
            AppDomain.CurrentDomain.UnhandledException += (_, e) =>
            {
                // An exception on another thread (a data worker): report it as any other, then end with 1.
                LastResort.Report(Console.Error, "e2enet", e.ExceptionObject as Exception ?? new InvalidOperationException(Convert.ToString(e.ExceptionObject, System.Globalization.CultureInfo.InvariantCulture)));
                Console.Error.Flush();
                Environment.Exit(ExitCodes.Errors);
            };
            return CliApp.Run(args, Console.Out, Console.Error);
        }
    }
}
