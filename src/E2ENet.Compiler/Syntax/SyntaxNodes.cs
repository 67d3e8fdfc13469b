using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Text;

namespace E2ENet.Compiler.Syntax
{
    /// <summary>A parsed .e2e file: its imports and model declarations.</summary>
    public sealed class FileSyntax
    {
        internal FileSyntax(SourceFile source, List<ImportSyntax> imports, List<ModelSyntax> models)
        {
            Source = source;
            Imports = imports;
            Models = models;
        }

        /// <summary>The source text.</summary>
        public SourceFile Source { get; }

        /// <summary>The <c>import "file.e2e"</c> lines.</summary>
        public IReadOnlyList<ImportSyntax> Imports { get; }

        /// <summary>The <c>model</c> declarations, in order.</summary>
        public IReadOnlyList<ModelSyntax> Models { get; }
    }

    /// <summary><c>import "other.e2e"</c>: makes another file's models part of this set.</summary>
    public sealed class ImportSyntax
    {
        internal ImportSyntax(string path, TextSpan span)
        {
            Path = path;
            Span = span;
        }

        /// <summary>The path as written, relative to the importing file.</summary>
        public string Path { get; }

        /// <summary>Where the path is written.</summary>
        public TextSpan Span { get; }
    }

    /// <summary>An identifier with its place.</summary>
    public sealed class NameSyntax
    {
        internal NameSyntax(string text, TextSpan span)
        {
            Text = text;
            Span = span;
        }

        /// <summary>The identifier.</summary>
        public string Text { get; }

        /// <summary>Where it is.</summary>
        public TextSpan Span { get; }
    }

    /// <summary><c>model Name [: Parent] { statements }</c>.</summary>
    public sealed class ModelSyntax
    {
        internal ModelSyntax(NameSyntax name, NameSyntax? parent, List<StatementSyntax> body, TextSpan span)
        {
            Name = name;
            Parent = parent;
            Body = body;
            Span = span;
        }

        /// <summary>The model's name.</summary>
        public NameSyntax Name { get; }

        /// <summary>The model it inherits from, if any.</summary>
        public NameSyntax? Parent { get; }

        /// <summary>The statements between the braces.</summary>
        public IReadOnlyList<StatementSyntax> Body { get; }

        /// <summary>From the keyword to the closing brace.</summary>
        public TextSpan Span { get; }
    }

    /// <summary>
    /// A statement: a dotted path followed either by a block of statements in braces or by comma-separated phrases.
    /// <c>input channels 1, patch [64, 160, 160]</c>; <c>fusion.sparsity 0.9</c>; <c>training { lr 0.01 }</c>.
    /// </summary>
    public sealed class StatementSyntax
    {
        internal StatementSyntax(IReadOnlyList<NameSyntax> path, IReadOnlyList<PhraseSyntax> phrases, IReadOnlyList<StatementSyntax>? block, TextSpan span)
        {
            Path = path;
            Phrases = phrases;
            Block = block;
            Span = span;
        }

        /// <summary>The dotted path, one name per part.</summary>
        public IReadOnlyList<NameSyntax> Path { get; }

        /// <summary>The path as written, parts joined by '.'.</summary>
        public string PathText => string.Join(".", Path.Select(p => p.Text));

        /// <summary>The span of the path.</summary>
        public TextSpan PathSpan => TextSpan.Cover(Path[0].Span, Path[Path.Count - 1].Span);

        /// <summary>The comma-separated phrases after the path (empty for a block or a bare path).</summary>
        public IReadOnlyList<PhraseSyntax> Phrases { get; }

        /// <summary>The statements of a <c>path { ... }</c> block, or null.</summary>
        public IReadOnlyList<StatementSyntax>? Block { get; }

        /// <summary>The whole statement.</summary>
        public TextSpan Span { get; }
    }

    /// <summary>A sequence of terms: <c>l1 0.5 -> 0.001 cosine</c>, <c>[2,2,2] x 5</c>, <c>48</c>.</summary>
    public sealed class PhraseSyntax
    {
        internal PhraseSyntax(IReadOnlyList<TermSyntax> terms, TextSpan span)
        {
            Terms = terms;
            Span = span;
        }

        /// <summary>The terms, at least one.</summary>
        public IReadOnlyList<TermSyntax> Terms { get; }

        /// <summary>Where the phrase is.</summary>
        public TextSpan Span { get; }

        /// <summary>The phrase as it would be written (normalised spacing).</summary>
        public override string ToString() => string.Join(" ", Terms.Select(t => t.ToString()));
    }

    /// <summary>One term of a phrase.</summary>
    public abstract class TermSyntax
    {
        private protected TermSyntax(TextSpan span) => Span = span;

        /// <summary>Where the term is.</summary>
        public TextSpan Span { get; }

        /// <summary>How the term is named in messages ("a number", "a list" ...).</summary>
        public abstract string KindName { get; }
    }

    /// <summary>A number as written.</summary>
    public sealed class NumberTerm : TermSyntax
    {
        internal NumberTerm(string text, TextSpan span) : base(span) => Text = text;

        /// <summary>The literal text.</summary>
        public string Text { get; }

        /// <summary>True when written without a decimal point or exponent.</summary>
        public bool IsInteger => Text.IndexOfAny(new[] { '.', 'e', 'E' }) < 0;

        /// <inheritdoc />
        public override string KindName => IsInteger ? "the integer " + Text : "the number " + Text;

        /// <inheritdoc />
        public override string ToString() => Text;
    }

    /// <summary>A word or dotted name: <c>kernel</c>, <c>true</c>, <c>My.Models</c>.</summary>
    public sealed class NameTerm : TermSyntax
    {
        internal NameTerm(string name, TextSpan span) : base(span) => Name = name;

        /// <summary>The name.</summary>
        public string Name { get; }

        /// <inheritdoc />
        public override string KindName => "the word '" + Name + "'";

        /// <inheritdoc />
        public override string ToString() => Name;
    }

    /// <summary>A string literal.</summary>
    public sealed class StringTerm : TermSyntax
    {
        internal StringTerm(string value, TextSpan span) : base(span) => Value = value;

        /// <summary>The unescaped value.</summary>
        public string Value { get; }

        /// <inheritdoc />
        public override string KindName => "a string";

        /// <inheritdoc />
        public override string ToString() => "\"" + Value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }

    /// <summary><c>[a, b, c]</c>: each item is a phrase.</summary>
    public sealed class ListTerm : TermSyntax
    {
        internal ListTerm(IReadOnlyList<PhraseSyntax> items, TextSpan span) : base(span) => Items = items;

        /// <summary>The items.</summary>
        public IReadOnlyList<PhraseSyntax> Items { get; }

        /// <inheritdoc />
        public override string KindName => "a list";

        /// <inheritdoc />
        public override string ToString() => "[" + string.Join(", ", Items.Select(i => i.ToString())) + "]";
    }

    /// <summary><c>name(args)</c>: <c>instance(eps 1e-5)</c>, <c>leaky_relu(0.01)</c>.</summary>
    public sealed class CallTerm : TermSyntax
    {
        internal CallTerm(NameSyntax name, IReadOnlyList<PhraseSyntax> arguments, TextSpan span) : base(span)
        {
            Name = name;
            Arguments = arguments;
        }

        /// <summary>The function name.</summary>
        public NameSyntax Name { get; }

        /// <summary>The comma-separated arguments.</summary>
        public IReadOnlyList<PhraseSyntax> Arguments { get; }

        /// <inheritdoc />
        public override string KindName => "'" + Name.Text + "(...)'";

        /// <inheritdoc />
        public override string ToString() => Name.Text + "(" + string.Join(", ", Arguments.Select(a => a.ToString())) + ")";
    }

    /// <summary>The arrow of a range: <c>0.5 -> 0.001</c>.</summary>
    public sealed class ArrowTerm : TermSyntax
    {
        internal ArrowTerm(TextSpan span) : base(span)
        {
        }

        /// <inheritdoc />
        public override string KindName => "'->'";

        /// <inheritdoc />
        public override string ToString() => "->";
    }
}
