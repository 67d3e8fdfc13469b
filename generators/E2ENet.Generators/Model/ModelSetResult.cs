using E2ENet.Compiler;

namespace E2ENet.Generators.Model
{
    /// <summary>What compiling the project's set of <c>.e2e</c> files gives: the classes to generate and every diagnostic.</summary>
    internal sealed record ModelSetResult(EquatableArray<ModelToGenerate> Models, EquatableArray<DiagnosticInfo> Diagnostics)
    {
        /// <summary>No files, nothing to do.</summary>
        public static readonly ModelSetResult Empty = new ModelSetResult(EquatableArray<ModelToGenerate>.Empty, EquatableArray<DiagnosticInfo>.Empty);
    }
}
