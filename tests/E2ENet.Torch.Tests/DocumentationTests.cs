using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using E2ENet.Tests;
using E2ENet.Torch.Diagnostics;

namespace E2ENet.Torch.Tests
{
    /// <summary>docs/weights.md documents every error id of the catalogue, with its title, and no other.</summary>
    public class DocumentationTests
    {
        [Fact]
        public void Every_error_id_is_documented_with_its_title()
        {
            string text = File.ReadAllText(TestPaths.Repo("docs", "weights.md"));
            string table = text.Substring(text.IndexOf("<!-- errors:begin", System.StringComparison.Ordinal));
            var rows = Regex.Matches(table, @"^\| (E2E3\d{3}) \| ([^|]+) \|", RegexOptions.Multiline).Select(m => (m.Groups[1].Value, m.Groups[2].Value.Trim())).ToList();
            Assert.Equal(TorchErrors.All.Select(e => (e.Id, e.Title)), rows);
            Assert.Equal(TorchErrors.All.Count, TorchErrors.All.Select(e => e.Id).Distinct().Count());
        }
    }
}
