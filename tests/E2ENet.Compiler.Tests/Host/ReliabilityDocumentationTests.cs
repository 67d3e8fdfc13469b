using System.IO;
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
            ErrorTables.AssertDocumented("reliability.md", HostErrors.All, @"E2E7\d{3}");
            Assert.Contains("(docs/reliability.md)", File.ReadAllText(TestPaths.Repo("README.md")));
        }
    }
}
