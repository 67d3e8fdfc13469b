using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace E2ENet.Generators.Model
{
    /// <summary>
    /// A diagnostic as plain values (id, severity, message and a place in an <c>.e2e</c> file), so that it can sit in the
    /// pipeline and be compared; it becomes a Roslyn <see cref="Diagnostic"/> only when reported. A Roslyn
    /// <see cref="Location"/> is never kept in the pipeline: it would defeat caching.
    /// </summary>
    internal sealed record DiagnosticInfo(
        string Id,
        DiagnosticSeverity Severity,
        string Message,
        string? FilePath,
        TextSpan Span,
        LinePositionSpan LineSpan)
    {
        /// <summary>The Roslyn location: a place in the <c>.e2e</c> file (printed as <c>file.e2e(4,10)</c>), or none.</summary>
        public Location ToLocation() => FilePath == null ? Location.None : Location.Create(FilePath, Span, LineSpan);
    }
}
