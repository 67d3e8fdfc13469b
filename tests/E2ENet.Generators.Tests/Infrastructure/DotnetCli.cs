using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace E2ENet.Generators.Tests.Infrastructure
{
    /// <summary>Runs the dotnet CLI (the SDK the tests run under) as a user would, in a clean environment, with a time limit.</summary>
    internal static class DotnetCli
    {
        public static string Executable
        {
            get
            {
                string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
                return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
            }
        }

        /// <summary>Runs <c>dotnet arguments</c> in <paramref name="directory"/>; returns the exit code and the output (stdout and stderr).</summary>
        public static (int ExitCode, string Output) Run(string directory, TimeSpan limit, params string[] arguments)
        {
            var start = new ProcessStartInfo(Executable)
            {
                WorkingDirectory = directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in arguments) start.ArgumentList.Add(argument);
            // The test host's MSBuild and VSTest variables would leak into the child build: drop them.
            var drop = new List<string>();
            foreach (string key in start.Environment.Keys)
            {
                if (key.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                    || key.Equals("MSBuildSDKsPath", StringComparison.OrdinalIgnoreCase) || key.Equals("MSBuildExtensionsPath", StringComparison.OrdinalIgnoreCase))
                {
                    drop.Add(key);
                }
            }
            foreach (string key in drop) start.Environment.Remove(key);
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

            var output = new StringBuilder();
            using var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit((int)limit.TotalMilliseconds))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                lock (output) return (-1, $"dotnet {string.Join(" ", arguments)} did not finish within {limit.TotalSeconds:0} s\n{output}");
            }
            process.WaitForExit();
            lock (output) return (process.ExitCode, output.ToString());
        }
    }
}
