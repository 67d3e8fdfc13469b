using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Compiler.Text;
using static E2ENet.Compiler.Tests.Helpers;

namespace E2ENet.Compiler.Tests
{
    /// <summary>A model printed back as .e2e (what runs and bundles record) reads back to the same model.</summary>
    public class RoundTripTests
    {
        public static TheoryData<string> ShippedModels()
        {
            var data = new TheoryData<string>();
            foreach (var model in Shipped().Models) data.Add(model.Name);
            return data;
        }

        [Theory]
        [MemberData(nameof(ShippedModels))]
        public void Canonical_source_reads_back_to_the_same_spec(string name)
        {
            ModelSpec original = Shipped().Find(name)!.Spec!;
            var again = E2ECompilation.Create(new[] { new SourceFile("canonical.e2e", original.CanonicalSource) });
            Assert.False(again.Diagnostics.Any(d => d.IsError), string.Join("; ", again.Diagnostics) + "\n" + original.CanonicalSource);
            ModelSpec reread = again.Models.Single().Spec!;
            Assert.Equal(original with { Parent = null, SourcePath = "canonical.e2e" }, reread);
        }
    }
}
