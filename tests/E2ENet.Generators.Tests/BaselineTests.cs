using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using E2ENet.Generators.Tests.Infrastructure;
using E2ENet.Tests;

namespace E2ENet.Generators.Tests
{
    /// <summary>
    /// Snapshot tests: the generated source of every shipped model (models/**/*.e2e, compiled as one set as a project would)
    /// must equal its committed baseline in Baselines/. A missing, changed or stale baseline fails with a diff; run with
    /// E2ENET_UPDATE_BASELINES=1 to write the new output (the run still fails, naming what it rewrote), then review and
    /// commit it and run again without the variable.
    /// </summary>
    public sealed class BaselineTests
    {
        private const string UpdateVariable = "E2ENET_UPDATE_BASELINES";

        private static readonly Lazy<IReadOnlyDictionary<string, string>> Generated = new Lazy<IReadOnlyDictionary<string, string>>(
            () => GeneratorHarness.Run(GeneratorHarness.ShippedModels()).AssertNoCrash().Sources);

        private static string BaselineFolder => TestPaths.Repo("tests", "E2ENet.Generators.Tests", "Baselines");

        private static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

        public static IEnumerable<object[]> HintNames() => Generated.Value.Keys.OrderBy(k => k, StringComparer.Ordinal).Select(k => new object[] { k });

        [Theory]
        [MemberData(nameof(HintNames))]
        public void Generated_source_matches_its_baseline(string hintName)
        {
            string actual = Generated.Value[hintName];
            string path = Path.Combine(BaselineFolder, hintName);
            string? expected = File.Exists(path) ? File.ReadAllText(path).Replace("\r\n", "\n") : null;
            if (expected != actual && Updating)
            {
                // As snapshot libraries do: rewrite the baseline, and still fail, so an update run never passes for a check.
                Directory.CreateDirectory(BaselineFolder);
                File.WriteAllText(path, actual, new UTF8Encoding(false));
                Assert.Fail($"baseline {path} {(expected == null ? "written" : "updated")}: review the diff, commit it, and run the tests again without {UpdateVariable}.");
            }
            Assert.True(expected != null, $"no baseline for {hintName} at {path}. Run the tests with {UpdateVariable}=1 to write it, review it, and commit it.");
            if (expected != actual)
            {
                Assert.Fail($"the generated {hintName} differs from its baseline {path}:\n{Diff(expected!, actual)}\n"
                    + $"If the change is intended, run the tests with {UpdateVariable}=1, review the diff and commit the baseline.");
            }
        }

        [Fact]
        public void Every_shipped_model_has_a_class_and_every_baseline_a_model()
        {
            Assert.Equal(23, Generated.Value.Count); // every model of models/**/*.e2e: 20 E2ENet variants and 3 nnU-Net U-Nets
            string[] baselines = Directory.Exists(BaselineFolder) ? Directory.GetFiles(BaselineFolder).Select(f => Path.GetFileName(f)).ToArray() : Array.Empty<string>();
            string[] stale = baselines.Where(b => !Generated.Value.ContainsKey(b)).ToArray();
            if (stale.Length > 0 && Updating)
            {
                foreach (string old in stale) File.Delete(Path.Combine(BaselineFolder, old));
                Assert.Fail($"stale baselines deleted: {string.Join(", ", stale)}; commit the deletion and run the tests again without {UpdateVariable}.");
            }
            Assert.True(stale.Length == 0, $"baselines without a generated class: {string.Join(", ", stale)}; delete them (or run with {UpdateVariable}=1)");
        }

        /// <summary>The differing lines with a little context, as a unified-style listing.</summary>
        internal static string Diff(string expected, string actual)
        {
            string[] a = expected.Split('\n');
            string[] b = actual.Split('\n');
            int first = 0;
            while (first < a.Length && first < b.Length && a[first] == b[first]) first++;
            int endA = a.Length - 1, endB = b.Length - 1;
            while (endA >= first && endB >= first && a[endA] == b[endB])
            {
                endA--;
                endB--;
            }
            var text = new StringBuilder();
            text.Append("@@ line ").Append(first + 1).Append(" @@\n");
            for (int i = Math.Max(0, first - 3); i < first; i++) text.Append("  ").Append(a[i]).Append('\n');
            for (int i = first; i <= endA && i < first + 40; i++) text.Append("- ").Append(a[i]).Append('\n');
            for (int i = first; i <= endB && i < first + 40; i++) text.Append("+ ").Append(b[i]).Append('\n');
            return text.ToString();
        }
    }
}
