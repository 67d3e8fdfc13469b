using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using E2ENet.Compiler.Errors;
using Xunit;

namespace E2ENet.Tests
{
    /// <summary>
    /// The one check that a library's error catalogue is documented: the table of a docs/*.md file (between
    /// <c>&lt;!-- errors:begin</c> and <c>&lt;!-- errors:end --&gt;</c> when the file has them) lists every id of the catalogue
    /// with its title, in id order, and no other id of the catalogue's prefix; and no id appears twice in the catalogue.
    /// </summary>
    internal static class ErrorTables
    {
        /// <summary>Asserts that <paramref name="doc"/> (a file under docs/) documents <paramref name="catalogue"/>.</summary>
        /// <param name="doc">The file name under docs/, e.g. <c>data.md</c>.</param>
        /// <param name="catalogue">The library's catalogue, e.g. <c>DataErrors.All</c>.</param>
        /// <param name="idPattern">A regular expression every id of the catalogue matches, e.g. <c>E4\d{3}</c>.</param>
        public static void AssertDocumented(string doc, IReadOnlyList<ErrorDescriptor> catalogue, string idPattern)
        {
            string text = File.ReadAllText(TestPaths.Repo("docs", doc));
            int begin = text.IndexOf("<!-- errors:begin", System.StringComparison.Ordinal);
            int end = text.IndexOf("<!-- errors:end -->", System.StringComparison.Ordinal);
            if (begin >= 0 || end >= 0)
            {
                Assert.True(begin >= 0 && end > begin, $"docs/{doc} needs both errors markers, begin before end");
                text = text.Substring(begin, end - begin);
            }
            var rows = Regex.Matches(text, @"^\| (" + idPattern + @") \| ([^|]+) \|", RegexOptions.Multiline)
                .Select(m => (Id: m.Groups[1].Value, Title: m.Groups[2].Value.Trim())).ToList();
            Assert.All(catalogue, e => Assert.Matches("^" + idPattern + "$", e.Id));
            Assert.Equal(catalogue.Count, catalogue.Select(e => e.Id).Distinct().Count());
            Assert.Equal(catalogue.Select(e => (e.Id, e.Title)).OrderBy(r => r.Id, System.StringComparer.Ordinal), rows);
        }
    }
}
