using System;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using E2ENet.Compiler;
using E2ENet.Compiler.Ir;
using E2ENet.Generators.Tests.Infrastructure;
using E2ENet.Tests;
using Xunit.Abstractions;

namespace E2ENet.Generators.Tests
{
    /// <summary>
    /// The packages as a user gets them: packs E2ENet.Compiler, E2ENet.Torch and E2ENet.Generators (from this build's outputs)
    /// into a local folder feed, then restores, builds (warnings as errors) and runs samples/E2ENet.Sample from them, with
    /// the machine's NuGet cache as a read-only fallback, outside the repository (none of its build settings apply).
    /// </summary>
    public sealed class PackageTests
    {
        private static readonly TimeSpan StepLimit = TimeSpan.FromMinutes(5);

        private readonly ITestOutputHelper _output;

        public PackageTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void The_sample_builds_from_the_packages_and_runs()
        {
            string configuration = typeof(PackageTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;
            // A version of its own for every run: the packages are never mistaken for an earlier build of the same version.
            string version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
            string root = Path.Combine(Path.GetTempPath(), "e2enet-package-test-" + Guid.NewGuid().ToString("N"));
            string feed = Path.Combine(root, "feed");
            string sample = Path.Combine(root, "sample");
            try
            {
                Directory.CreateDirectory(feed);
                foreach (string project in new[] { "src/E2ENet.Compiler", "src/E2ENet.Torch", "generators/E2ENet.Generators" })
                {
                    // The nuspec files pack writes go to the temporary folder too, not into the projects' obj/ folders.
                    Run(TestPaths.Root, "pack", project, "-c", configuration, "--no-build", "--no-restore", "-o", feed, "-p:PackageVersion=" + version,
                        "-p:NuspecOutputPath=" + Path.Combine(root, "nuspec", Path.GetFileName(project)) + Path.DirectorySeparatorChar);
                }
                CheckPackageLayout(Path.Combine(feed, $"E2ENet.Generators.{version}.nupkg"), Path.Combine(feed, $"E2ENet.Torch.{version}.nupkg"), version);

                CopySample(TestPaths.Repo("samples", "E2ENet.Sample"), sample, version);
                File.WriteAllText(Path.Combine(sample, "NuGet.config"), NuGetConfig(feed, Path.Combine(root, "packages")));
                string build = Run(sample, "build", "-c", "Release", "-nodeReuse:false", "-p:UseSharedCompilation=false");
                Assert.Contains("0 Warning(s)", build, StringComparison.Ordinal);

                string program = Path.Combine(sample, "bin", "Release", "net10.0", "linux-x64", "E2ENet.Sample.dll");
                string output = Run(sample, program);
                CheckSampleOutput(output);
            }
            finally
            {
                try
                {
                    if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
                }
                catch (IOException)
                {
                    // a leftover temporary folder is not a test failure
                }
            }
        }

        private string Run(string directory, params string[] arguments)
        {
            var (exitCode, output) = DotnetCli.Run(directory, StepLimit, arguments);
            _output.WriteLine($"$ dotnet {string.Join(" ", arguments)} (exit {exitCode})");
            _output.WriteLine(output);
            Assert.True(exitCode == 0, $"dotnet {string.Join(" ", arguments)} failed with exit code {exitCode}:\n{output}");
            return output;
        }

        private static void CheckPackageLayout(string generators, string torch, string version)
        {
            using (ZipArchive package = ZipFile.OpenRead(generators))
            {
                string[] entries = package.Entries.Select(e => e.FullName).ToArray();
                Assert.Contains("analyzers/dotnet/cs/E2ENet.Generators.dll", entries);
                Assert.Contains("analyzers/dotnet/cs/E2ENet.Compiler.dll", entries);
                Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.EndsWith(".dll", StringComparison.Ordinal));
                string nuspec = new StreamReader(package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open()).ReadToEnd();
                Assert.Contains($"<dependency id=\"E2ENet.Torch\" version=\"[{version}]\"", nuspec, StringComparison.Ordinal);
                Assert.DoesNotContain("Microsoft.CodeAnalysis", nuspec, StringComparison.Ordinal);
            }
            using (ZipArchive package = ZipFile.OpenRead(torch))
            {
                string[] entries = package.Entries.Select(e => e.FullName).ToArray();
                Assert.Contains("lib/net10.0/E2ENet.Torch.dll", entries);
                Assert.Contains("buildTransitive/E2ENet.Torch.targets", entries);
                string nuspec = new StreamReader(package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open()).ReadToEnd();
                Assert.Contains("id=\"TorchSharp\"", nuspec, StringComparison.Ordinal);
                Assert.Contains("id=\"E2ENet.Compiler\"", nuspec, StringComparison.Ordinal);
                Assert.DoesNotContain("libtorch-cpu", nuspec, StringComparison.Ordinal); // the native backend is the application's choice
            }
        }

        /// <summary>The sample's project, program and models, as they are in the repository, with the version under test.</summary>
        private static void CopySample(string from, string to, string version)
        {
            foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(from, file);
                string first = relative.Split(Path.DirectorySeparatorChar)[0];
                if (first is "bin" or "obj") continue;
                string target = Path.Combine(to, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
            string project = Path.Combine(to, "E2ENet.Sample.csproj");
            string text = File.ReadAllText(project);
            string replaced = Regex.Replace(text, "Include=\"E2ENet.Generators\" Version=\"[^\"]*\"", $"Include=\"E2ENet.Generators\" Version=\"{version}\"");
            Assert.NotEqual(text, replaced);
            File.WriteAllText(project, replaced);
        }

        /// <summary>The local feed only, extracted packages in a fresh folder, and the machine's NuGet cache as a read-only fallback (offline).</summary>
        private static string NuGetConfig(string feed, string packages)
        {
            string machine = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
                ? set
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n"
                + $"  <config><add key=\"globalPackagesFolder\" value=\"{packages}\" /></config>\n"
                + $"  <packageSources><clear /><add key=\"e2enet-local\" value=\"{feed}\" /></packageSources>\n"
                + $"  <fallbackPackageFolders><clear /><add key=\"machine\" value=\"{machine}\" /></fallbackPackageFolders>\n"
                + "</configuration>\n";
        }

        private static void CheckSampleOutput(string output)
        {
            // The numbers come from the front end's IR of the sample's own .e2e file.
            E2ECompilation compilation = E2ECompilation.FromFiles(new[] { TestPaths.Repo("samples", "E2ENet.Sample", "Models", "spleen.e2e") });
            Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
            NetworkIr spleen = compilation.Find("SpleenSegmenter")!.Network!;
            NetworkIr dense = compilation.Find("SpleenDense")!.Network!;
            var patch = spleen.Spec.Input.Patch;
            Assert.Contains("model SpleenSegmenter from spleen.e2e", output, StringComparison.Ordinal);
            Assert.Contains($"parameters {spleen.Totals.DenseParameters} dense, {spleen.Totals.ActiveParameters} active at sparsity 0.8", output, StringComparison.Ordinal);
            Assert.Contains($"MACs at the patch {spleen.Totals.DenseMacs} dense, {spleen.Totals.ActiveMacs} active", output, StringComparison.Ordinal);
            Assert.Contains($"module parameters {spleen.Totals.DenseParameters} in {spleen.Parameters.Count} tensors, first {spleen.Parameters[0].Name}", output, StringComparison.Ordinal);
            Assert.Contains($"forward [1, 1, {patch.D}, {patch.H}, {patch.W}] -> [1, 2, {patch.D}, {patch.H}, {patch.W}]", output, StringComparison.Ordinal);
            string heads = string.Join(" ", spleen.Heads.Select(h => $"[1, 2, {h.Size.D}, {h.Size.H}, {h.Size.W}]"));
            Assert.Contains("deep supervision " + heads, output, StringComparison.Ordinal);
            Assert.Contains($"predict [1, {patch.D}, {patch.H}, {patch.W}]", output, StringComparison.Ordinal);
            Assert.Contains($"variant SpleenDense: {dense.Totals.ActiveParameters} active of {dense.Totals.DenseParameters}", output, StringComparison.Ordinal);
            Assert.EndsWith("done", output.TrimEnd(), StringComparison.Ordinal);
        }
    }
}
