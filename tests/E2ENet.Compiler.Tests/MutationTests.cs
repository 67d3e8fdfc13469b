using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using E2ENet.Compiler.Syntax;
using E2ENet.Compiler.Text;
using static E2ENet.Compiler.Tests.Helpers;

namespace E2ENet.Compiler.Tests
{
    /// <summary>
    /// Thousands of random mutations of the shipped models (truncations, deletions, garbage, huge numbers, deep nesting,
    /// shuffled lines): each must end in diagnostics or a valid model, without an exception, within a time bound.
    /// </summary>
    public class MutationTests
    {
        private const int MutationsPerFile = 700;
        // A hang detector, not a speed assertion: a compile takes milliseconds, a hang or a blow-up takes forever.
        private static readonly TimeSpan PerInputLimit = TimeSpan.FromSeconds(15);

        private static readonly string[] Garbage =
        {
            "{", "}", "[", "]", "(", ")", ",", ";", ":", ".", "->", "=", "\"", "/*", "*/", "//", "\n", "\t", "\0", "@", "#", "\u00e9", "\ud83d\ude00", "\ud800",
            "model", "import", "x", "none", "on", "off", "-", "+", "1e", "0x1F", "..", "model M : M {", "import \"models\"",
        };

        private static readonly string[] Numbers =
        {
            "0", "-0", "-1", "99999999999999999999999999", "1e999", "-1e999", "1e-999", "4096", "4097", "2147483648",
            "9223372036854775807", "9223372036854775808", "0.000000001", "1.5", "3.", ".5", "NaN", "Infinity",
        };

        public static IEnumerable<object[]> Files() => ShippedFiles.Select(f => new object[] { Path.GetFileName(f) });

        [Theory]
        [MemberData(nameof(Files))]
        public void Every_mutation_yields_diagnostics_or_a_valid_model(string fileName)
        {
            string path = ShippedFiles.First(f => Path.GetFileName(f) == fileName);
            string original = File.ReadAllText(path);
            var random = new Random(fileName.GetHashCode() & 0x7fffffff ^ 12345);
            var failures = new List<string>();
            var watch = new Stopwatch();
            int withErrors = 0;
            for (int i = 0; i < MutationsPerFile; i++)
            {
                string mutated = Mutate(original, random);
                watch.Restart();
                try
                {
                    // The mutated file plus the untouched set it belongs to (imports resolve within the set).
                    var files = new List<SourceFile> { new SourceFile(path, mutated) };
                    files.AddRange(ShippedFiles.Where(f => f != path).Select(f => new SourceFile(f, File.ReadAllText(f))));
                    var compilation = E2ECompilation.Create(files);
                    watch.Stop();
                    if (compilation.HasErrors) withErrors++;
                    foreach (var model in compilation.Models)
                    {
                        if (!model.HasErrors && (model.Spec == null || model.Network == null))
                        {
                            failures.Add($"model {model.Name} has no errors but no network");
                        }
                    }
                    foreach (var d in compilation.Diagnostics)
                    {
                        if (string.IsNullOrWhiteSpace(d.Message) || !d.Id.StartsWith("E2E", StringComparison.Ordinal)) failures.Add("bad diagnostic " + d);
                    }
                }
                catch (Exception e)
                {
                    failures.Add($"{e.GetType().Name}: {e.Message}\n--- input ---\n{mutated}\n{e.StackTrace}");
                }
                if (watch.Elapsed > PerInputLimit) failures.Add($"took {watch.Elapsed.TotalSeconds:0.0} s:\n{mutated}");
                if (failures.Count > 3) break;
            }
            Assert.True(failures.Count == 0, string.Join("\n\n", failures));
            Assert.True(withErrors > MutationsPerFile / 4, "the mutations should break most files; only " + withErrors + " had errors");
        }

        [Fact]
        public void Random_overrides_end_in_diagnostics_or_a_valid_model()
        {
            var random = new Random(7);
            string[] paths = { "fusion.sparsity", "input.patch", "pools", "block.shift", "widths", "classes", "training.augment", "evolve.prune", "x.y", "" };
            var inputs = new List<(string Path, string Override)>();
            for (int i = 0; i < 600; i++)
            {
                string value = random.Next(3) switch
                {
                    0 => Numbers[random.Next(Numbers.Length)],
                    1 => string.Concat(Enumerable.Range(0, random.Next(1, 8)).Select(_ => Garbage[random.Next(Garbage.Length)])),
                    _ => "[" + string.Join(",", Enumerable.Range(0, random.Next(0, 7)).Select(_ => Numbers[random.Next(Numbers.Length)])) + "]",
                };
                string path = paths[random.Next(paths.Length)];
                inputs.Add((path, path + (random.Next(10) == 0 ? "" : "=") + value));
            }
            var failures = new List<string>();
            int refused = 0, accepted = 0;
            foreach (var (path, input) in inputs)
            {
                var compilation = Model("", input);
                if (compilation.HasErrors)
                {
                    refused++;
                    failures.AddRange(compilation.Diagnostics
                        .Where(d => string.IsNullOrWhiteSpace(d.Message) || !System.Text.RegularExpressions.Regex.IsMatch(d.Id, "^E2E[0-9]{4}$"))
                        .Select(d => $"--set {input}: malformed diagnostic {d}"));
                }
                else
                {
                    accepted++;
                    CompiledModel model = Assert.Single(compilation.Models);
                    if (model.Spec == null || model.Network == null) failures.Add($"--set {input}: no errors but no network");
                    // An unknown key (x.y) or an empty path can never be a valid override.
                    if (path == "x.y" || path.Length == 0) failures.Add($"--set {input}: accepted without a diagnostic");
                }
            }
            Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
            // Both outcomes occur, so both branches above were exercised.
            Assert.True(refused > 0 && accepted > 0, $"{refused} overrides refused, {accepted} accepted: expected some of each");
        }

        [Fact]
        public void Huge_inputs_are_refused_quickly()
        {
            var watch = Stopwatch.StartNew();
            var deep = Compile("model A { input patch " + new string('[', 200_000) + " }");
            Assert.Contains("E2E0008", Ids(deep));
            var huge = Compile(new string('x', Lexer.MaxSourceLength + 1));
            Assert.Contains("E2E0009", Ids(huge));
            var repeated = Model("pools [2,2,2] x 2147483647");
            Assert.Contains("E2E0203", Ids(repeated));
            var manyItems = Model("input names [" + string.Join(",", Enumerable.Repeat("a", 100_000)) + "]");
            Assert.True(manyItems.HasErrors);
            var longWord = Model(new string('k', 500_000) + " 1");
            Assert.Contains("E2E0201", Ids(longWord));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(120), "hang guard: " + watch.Elapsed);
        }

        private static string Mutate(string text, Random random)
        {
            int operations = random.Next(1, 4);
            for (int k = 0; k < operations; k++)
            {
                int position = random.Next(text.Length + 1);
                switch (random.Next(8))
                {
                    case 0: // truncate
                        text = text.Substring(0, position);
                        break;
                    case 1: // delete a span
                        int length = Math.Min(random.Next(1, 40), text.Length - position);
                        text = text.Remove(position, Math.Max(0, length));
                        break;
                    case 2: // garbage
                        text = text.Insert(position, string.Concat(Enumerable.Range(0, random.Next(1, 6)).Select(_ => Garbage[random.Next(Garbage.Length)])));
                        break;
                    case 3: // replace a number
                        var digits = Enumerable.Range(0, text.Length).Where(i => char.IsDigit(text[i])).ToList();
                        if (digits.Count == 0) goto case 2;
                        int at = digits[random.Next(digits.Count)];
                        int end = at;
                        while (end < text.Length && (char.IsDigit(text[end]) || text[end] == '.')) end++;
                        text = text.Substring(0, at) + Numbers[random.Next(Numbers.Length)] + text.Substring(end);
                        break;
                    case 4: // deep nesting
                        int depth = random.Next(10, 3000);
                        text = text.Insert(position, new string(random.Next(2) == 0 ? '[' : '{', depth) + (random.Next(2) == 0 ? new string(']', depth) : ""));
                        break;
                    case 5: // shuffle two lines
                        var lines = text.Split('\n');
                        if (lines.Length > 2)
                        {
                            int a = random.Next(lines.Length), b = random.Next(lines.Length);
                            (lines[a], lines[b]) = (lines[b], lines[a]);
                            text = string.Join("\n", lines);
                        }
                        break;
                    case 6: // duplicate a span
                        int span = Math.Min(random.Next(1, 200), text.Length - position);
                        text = text.Insert(position, text.Substring(position, Math.Max(0, span)));
                        break;
                    default: // random bytes
                        var builder = new StringBuilder();
                        for (int i = 0; i < random.Next(1, 20); i++) builder.Append((char)random.Next(0, 0x3000));
                        text = text.Insert(position, builder.ToString());
                        break;
                }
            }
            return text;
        }
    }
}
