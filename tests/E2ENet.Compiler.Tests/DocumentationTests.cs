using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using E2ENet.Compiler.Diagnostics;
using E2ENet.Tests;

namespace E2ENet.Compiler.Tests
{
    /// <summary>
    /// docs/language.md and docs/diagnostics.md stay true: their generated tables equal what the schema and the catalogue
    /// say, and every diagnostic id has its own explanation. Set E2ENET_UPDATE_DOCS=1 to rewrite the generated tables (the run
    /// still fails, naming what it rewrote; review, commit, and run again without the variable).
    /// </summary>
    public class DocumentationTests
    {
        [Fact]
        public void The_key_table_of_the_language_reference_matches_the_schema()
            => CheckBlock(TestPaths.Repo("docs", "language.md"), "keys", LanguageReference.KeysMarkdown());

        [Fact]
        public void The_diagnostics_table_matches_the_catalogue()
            => CheckBlock(TestPaths.Repo("docs", "diagnostics.md"), "table", LanguageReference.DiagnosticsMarkdown());

        [Fact]
        public void Every_diagnostic_has_its_own_section_with_an_example()
        {
            string text = File.ReadAllText(TestPaths.Repo("docs", "diagnostics.md"));
            foreach (DiagnosticDescriptor descriptor in DiagnosticDescriptors.All)
            {
                Assert.True(Regex.IsMatch(text, "^### " + descriptor.Id + ": ", RegexOptions.Multiline), descriptor.Id + " has no '### " + descriptor.Id + ": ...' section");
            }
        }

        [Fact]
        public void Diagnostic_ids_are_unique_and_well_formed()
        {
            var ids = DiagnosticDescriptors.All.Select(d => d.Id).ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());
            Assert.All(ids, id => Assert.Matches("^E2E[0-9]{4}$", id));
            var declared = typeof(DiagnosticDescriptors).GetFields().Where(f => f.FieldType == typeof(DiagnosticDescriptor)).Count();
            Assert.Equal(declared, ids.Count);
        }

        private static void CheckBlock(string path, string name, string expected)
        {
            string begin = $"<!-- {name}:begin (generated from the code; tests check it) -->\n";
            string end = $"<!-- {name}:end -->";
            string text = File.ReadAllText(path).Replace("\r\n", "\n");
            int start = text.IndexOf(begin, StringComparison.Ordinal);
            int stop = text.IndexOf(end, StringComparison.Ordinal);
            Assert.True(start >= 0 && stop > start, $"{path} lacks the markers {begin.Trim()} ... {end}");
            string actual = text.Substring(start + begin.Length, stop - start - begin.Length);
            if (actual != expected && Environment.GetEnvironmentVariable("E2ENET_UPDATE_DOCS") == "1")
            {
                // As snapshot libraries do: rewrite the table, and still fail, so an update run never passes for a check.
                File.WriteAllText(path, text.Substring(0, start + begin.Length) + expected + text.Substring(stop));
                Assert.Fail($"the generated block '{name}' of {path} was rewritten: review the diff, commit it, and run the tests again without E2ENET_UPDATE_DOCS.");
            }
            Assert.Equal(expected, actual);
        }
    }
}
