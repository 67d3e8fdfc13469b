using E2ENet.Tests;

namespace E2ENet.Data.Tests
{
    public class DocumentationTests
    {
        [Fact]
        public void Every_error_id_is_documented_with_its_title_and_nothing_else_is()
            => ErrorTables.AssertDocumented("data.md", DataErrors.All, @"E4\d{3}");
    }
}
