using System;
using System.Diagnostics;
using System.IO;

namespace E2ENet.Cli.Tests
{
    /// <summary>Runs e2enet in-process (fast) or as a real process (exit codes and streams as a user sees them).</summary>
    internal static class CliRunner
    {
        public static (int Exit, string Out, string Err) Run(params string[] args)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int exit = CliApp.Run(args, output, error);
            return (exit, output.ToString(), error.ToString());
        }

        public static (int Exit, string Out, string Err) RunProcess(string workingDirectory, params string[] args)
        {
            string dll = Path.Combine(AppContext.BaseDirectory, "e2enet.dll");
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
            info.ArgumentList.Add(dll);
            foreach (string arg in args) info.ArgumentList.Add(arg);
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(120_000))
            {
                process.Kill(true);
                throw new TimeoutException("e2enet " + string.Join(" ", args));
            }
            return (process.ExitCode, stdout.Result, stderr.Result);
        }
    }
}
