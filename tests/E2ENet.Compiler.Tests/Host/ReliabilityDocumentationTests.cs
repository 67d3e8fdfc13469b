using System.IO;
using System.Linq;
using E2ENet.Compiler.Host;
using E2ENet.Tests;

namespace E2ENet.Compiler.Tests.Host
{
    /// <summary>docs/reliability.md documents every host error with its title, and README links it.</summary>
    public class ReliabilityDocumentationTests
    {
        [Fact]
        public void Every_host_error_is_documented_with_its_title()
        {
            string docs = File.ReadAllText(TestPaths.Repo("docs", "reliability.md"));
            foreach (HostError error in HostErrors.All) Assert.Contains("| " + error.Id + " | " + error.Title + " |", docs);
            Assert.Equal(HostErrors.All.Count, HostErrors.All.Select(e => e.Id).Distinct().Count());
            Assert.All(HostErrors.All, e => Assert.Matches("^E2E7[0-9]{3}$", e.Id));
            Assert.Contains("(docs/reliability.md)", File.ReadAllText(TestPaths.Repo("README.md")));
        }
    }
}
