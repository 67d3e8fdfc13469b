using E2ENet.Tests;

namespace E2ENet.Training.Tests
{
    /// <summary>docs/training.md documents every training error id with its title, and no other.</summary>
    public class DocumentationTests
    {
        [Fact]
        public void Every_error_id_is_documented_with_its_title()
            => ErrorTables.AssertDocumented("training.md", TrainingErrors.All, @"E2E5\d{3}");
    }
}
