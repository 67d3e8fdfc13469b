using System;
using System.Diagnostics;
using System.IO;
using System.Text.Json;

namespace E2ENet.Data.Tests.Support
{
    /// <summary>
    /// Runs Debian's /usr/bin/python3 (with python3-nibabel, python3-numpy, python3-scipy from tests/apt-packages.txt)
    /// as an independent oracle. A missing package fails the test with the command that installs it.
    /// </summary>
    internal static class PythonOracle
    {
        private const string Python = "/usr/bin/python3";

        /// <summary>Runs <paramref name="script"/> with arguments; returns standard output. Fails on a non-zero exit.</summary>
        public static string Run(string script, params string[] args)
        {
            if (!File.Exists(Python)) throw new InvalidOperationException("Debian's /usr/bin/python3 is missing: run 'bash tests/install-packages.sh'");
            var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(script);
            foreach (string arg in args) info.ArgumentList.Add(arg);
            info.Environment.Remove("PYTHONPATH");
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(300_000))
            {
                process.Kill(true);
                throw new TimeoutException("python oracle timed out");
            }
            if (process.ExitCode != 0)
            {
                string error = stderr.Result;
                if (error.Contains("No module named", StringComparison.Ordinal))
                    throw new InvalidOperationException("the test oracle needs Debian's python3-nibabel, python3-numpy and python3-scipy: run 'bash tests/install-packages.sh'\n" + error);
                throw new InvalidOperationException("python oracle failed (exit " + process.ExitCode + "):\n" + error);
            }
            return stdout.Result;
        }

        /// <summary>Runs a script that prints one JSON document.</summary>
        public static JsonElement Json(string script, params string[] args)
        {
            string text = Run(script, args);
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
    }
}
