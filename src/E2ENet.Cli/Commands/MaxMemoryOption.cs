using System;
using System.CommandLine;
using E2ENet.Compiler.Host;

namespace E2ENet.Cli.Commands
{
    /// <summary>
    /// <c>--max-memory SIZE</c> of the commands that can be asked for more than a machine holds (train, predict, forward, dataset
    /// check): the memory they may plan to use, replacing the detected one (the cgroup limit or the available memory). Every
    /// estimate of the command is compared with it (<see cref="MemoryBudget.Current"/>).
    /// </summary>
    public static class MaxMemoryOption
    {
        /// <summary>The option.</summary>
        public static Option<string?> Create() => new Option<string?>("--max-memory")
        {
            Description = "The memory this command may plan to use (8G, 512M, ...), instead of the machine's (the cgroup limit, or the memory available): "
                + "work estimated to need more is refused before it starts (E2E7001).",
        };

        /// <summary>Runs <paramref name="body"/> with the budget of <paramref name="text"/> in force (the detected one when null).</summary>
        public static int Run(CliContext context, string command, string? text, Func<int> body)
        {
            if (text == null) return body();
            if (!ByteSize.TryParse(text, out long bytes)) return context.UsageError(command, $"--max-memory '{text}' is not a size such as 8G, 512M or 1.5GiB");
            using (MemoryBudget.Use(MemoryBudget.Fixed(bytes)))
            {
                return body();
            }
        }
    }
}
