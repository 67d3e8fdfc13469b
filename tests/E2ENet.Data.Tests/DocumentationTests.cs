using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using E2ENet.Tests;

namespace E2ENet.Data.Tests
{
    public class DocumentationTests
    {
        [Fact]
        public void Every_error_id_is_documented_with_its_title_and_nothing_else_is()
        {
            string text = File.ReadAllText(TestPaths.Repo("docs", "data.md"));
            int begin = text.IndexOf("<!-- errors:begin -->"), end = text.IndexOf("<!-- errors:end -->");
            Assert.True(begin > 0 && end > begin, "docs/data.md needs the errors table between its markers");
            var rows = Regex.Matches(text.Substring(begin, end - begin), @"^\| (E4\d{3}) \| ([^|]+) \|", RegexOptions.Multiline)
                .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim());
            foreach (DataError error in DataErrors.All)
            {
                Assert.True(rows.ContainsKey(error.Id), error.Id + " is not documented in docs/data.md");
                Assert.Equal(error.Title, rows[error.Id]);
            }
            Assert.Equal(DataErrors.All.Select(e => e.Id).OrderBy(i => i), rows.Keys.OrderBy(i => i));
            Assert.Equal(DataErrors.All.Count, DataErrors.All.Select(e => e.Id).Distinct().Count());
        }
    }
}
