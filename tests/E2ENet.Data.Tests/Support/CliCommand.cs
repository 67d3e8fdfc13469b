using System.IO;
using E2ENet.Cli;

namespace E2ENet.Data.Tests.Support
{
    /// <summary>Runs the e2enet command line in-process, as a user would call it.</summary>
    internal static class CliCommand
    {
        /// <summary>The exit code, standard output and standard error of <c>e2enet ARGS</c>.</summary>
        public static (int Exit, string Out, string Err) Run(params string[] args)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int exit = CliApp.Run(args, output, error);
            return (exit, output.ToString(), error.ToString());
        }
    }
}
