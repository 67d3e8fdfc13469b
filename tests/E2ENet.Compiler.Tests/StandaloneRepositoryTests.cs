using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using E2ENet.Tests;

namespace E2ENet.Compiler.Tests
{
    /// <summary>
    /// The repository stands alone: a clone has everything its tests, code comments and documentation refer to. Nothing
    /// outside <c>.ci/</c> names the development workplace's folder beside the checkout, and the golden cases committed
    /// under tests/data/golden are intact.
    /// </summary>
    public class StandaloneRepositoryTests
    {
        // Spelled in pieces so that this file does not match itself.
        private static readonly string[] Forbidden =
        {
            ".." + "/shared", ".." + "\\shared", "shared" + "/golden", "E2ENET" + ".md",
        };

        // .ci/ is the workplace's own entry point; benchmarks/results/ holds logs recorded verbatim by earlier runs.
        private static readonly string[] Excluded = { ".ci/", "benchmarks/results/" };

        [Fact]
        public void No_tracked_file_refers_to_a_folder_outside_the_repository()
        {
            IReadOnlyList<string> files = RepositoryFiles();
            Assert.Contains("docs/method.md", files);
            var findings = new List<string>();
            foreach (string file in files.Where(f => !Excluded.Any(e => f.StartsWith(e, StringComparison.Ordinal))))
            {
                string path = TestPaths.Repo(file.Split('/'));
                if (!File.Exists(path) || IsBinary(path)) continue;
                string[] lines = File.ReadAllLines(path);
                for (int i = 0; i < lines.Length; i++)
                {
                    foreach (string pattern in Forbidden.Where(p => lines[i].IndexOf(p, StringComparison.OrdinalIgnoreCase) >= 0))
                    {
                        findings.Add($"{file}({i + 1}): '{pattern}' in: {lines[i].Trim()}");
                    }
                }
            }
            Assert.True(findings.Count == 0,
                "a clone of the repository has no such folder. Cite docs/method.md (by section title) for the method, read the golden "
                + "cases from tests/data/golden (TestPaths.Golden in tests):\n" + string.Join("\n", findings));
        }

        [Fact]
        public void The_golden_cases_match_their_checksums()
        {
            string[] lines = File.ReadAllLines(TestPaths.Golden("SHA256SUMS")).Where(l => l.Length > 0).ToArray();
            Assert.True(lines.Length >= 9, "SHA256SUMS lists the weights, inputs/outputs and configuration of every golden case");
            foreach (string line in lines)
            {
                string expected = line.Substring(0, 64);
                string name = line.Substring(64).Trim();
                string path = TestPaths.Golden(name);
                Assert.True(File.Exists(path), $"{path} is missing: the golden cases are committed test data (tests/data/golden/README.md)");
                using FileStream stream = File.OpenRead(path);
                using SHA256 sha = SHA256.Create();
                string actual = string.Concat(sha.ComputeHash(stream).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
                Assert.True(expected == actual, $"{path} has SHA-256 {actual}, expected {expected}: the file was changed or damaged "
                    + "(a line-ending conversion or a Git LFS pointer?); restore it from the repository");
            }
        }

        /// <summary>The files git tracks or would track (paths with '/'), or, in a copy without .git, every file outside build outputs.</summary>
        private static IReadOnlyList<string> RepositoryFiles()
        {
            if (!File.Exists(TestPaths.Repo(".git")) && !Directory.Exists(TestPaths.Repo(".git")))
            {
                string[] skipped = { ".git", "bin", "obj", "TestResults", ".gpu", "artifacts", ".vs", ".idea" };
                return Directory.EnumerateFiles(TestPaths.Root, "*", SearchOption.AllDirectories)
                    .Select(f => Path.GetRelativePath(TestPaths.Root, f).Replace('\\', '/'))
                    .Where(f => !f.Split('/').Any(part => skipped.Contains(part)))
                    .ToList();
            }
            var info = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string argument in new[] { "-C", TestPaths.Root, "ls-files", "-z", "--cached", "--others", "--exclude-standard" }) info.ArgumentList.Add(argument);
            using Process process = Process.Start(info)!;
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            Assert.True(process.WaitForExit(60_000), "git ls-files did not finish");
            Assert.True(process.ExitCode == 0, "git ls-files failed: " + error.Result);
            return output.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }

        private static bool IsBinary(string path)
        {
            using FileStream stream = File.OpenRead(path);
            var buffer = new byte[8000];
            int read = stream.Read(buffer, 0, buffer.Length);
            return Array.IndexOf(buffer, (byte)0, 0, read) >= 0;
        }
    }
}
