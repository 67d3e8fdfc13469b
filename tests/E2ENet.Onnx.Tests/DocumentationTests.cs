using System.IO;
using E2ENet.Onnx.Diagnostics;
using E2ENet.Onnx.Graph;
using E2ENet.Tests;

namespace E2ENet.Onnx.Tests
{
    /// <summary>docs/onnx.md documents every error id with its title, and the pinned opset is stated where users look.</summary>
    public class DocumentationTests
    {
        [Fact]
        public void Every_error_id_is_documented_with_its_title()
            => ErrorTables.AssertDocumented("onnx.md", OnnxErrors.All, @"E2E6\d{3}");

        [Fact]
        public void The_pinned_opset_is_documented()
        {
            Assert.Contains("**Pinned opset: " + OnnxOpsets.Default + "**", File.ReadAllText(TestPaths.Repo("docs", "onnx.md")));
            Assert.Contains("opset " + OnnxOpsets.Default, File.ReadAllText(TestPaths.Repo("README.md")));
        }
    }
}
