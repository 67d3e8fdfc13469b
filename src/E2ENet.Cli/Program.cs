using System;

namespace E2ENet.Cli
{
    /// <summary>Entry point of <c>e2enet</c>.</summary>
    public static class Program
    {
        /// <summary>Runs the command line and returns its exit code.</summary>
        public static int Main(string[] args) => CliApp.Run(args, Console.Out, Console.Error);
    }
}
