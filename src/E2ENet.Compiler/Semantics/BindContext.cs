using System.Collections.Generic;
using E2ENet.Compiler.Diagnostics;
using E2ENet.Compiler.Syntax;
using E2ENet.Compiler.Text;

namespace E2ENet.Compiler.Semantics
{
    /// <summary>Where binding reports its problems, and the source the spans refer to.</summary>
    internal sealed class BindContext
    {
        public BindContext(SourceFile source, List<Diagnostic> diagnostics)
        {
            Source = source;
            Diagnostics = diagnostics;
        }

        public SourceFile Source { get; }

        public List<Diagnostic> Diagnostics { get; }

        public SourceLocation At(TextSpan span) => Source.Location(span);

        public void Report(DiagnosticDescriptor descriptor, TextSpan span, params object?[] args)
            => Diagnostics.Add(descriptor.Create(At(span), args));

        /// <summary>A phrase of just <paramref name="terms"/> (used to hand parts of a phrase to a value type).</summary>
        public static PhraseSyntax Phrase(IReadOnlyList<TermSyntax> terms)
            => new PhraseSyntax(terms, TextSpan.Cover(terms[0].Span, terms[terms.Count - 1].Span));

        public static PhraseSyntax Phrase(TermSyntax term) => new PhraseSyntax(new[] { term }, term.Span);
    }
}
