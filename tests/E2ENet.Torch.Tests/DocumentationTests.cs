using E2ENet.Tests;
using E2ENet.Torch.Diagnostics;

namespace E2ENet.Torch.Tests
{
    /// <summary>docs/weights.md documents every error id of the catalogue, with its title, and no other.</summary>
    public class DocumentationTests
    {
        [Fact]
        public void Every_error_id_is_documented_with_its_title()
            => ErrorTables.AssertDocumented("weights.md", TorchErrors.All, @"E2E3\d{3}");
    }
}
