using E2ENet.Compiler.Text;

namespace E2ENet.Compiler.Syntax
{
    /// <summary>The kinds of tokens of the .e2e language.</summary>
    public enum TokenKind
    {
        /// <summary>A word: letters, digits and '_', not starting with a digit.</summary>
        Identifier,

        /// <summary>An integer or decimal number, optionally signed, optionally with an exponent.</summary>
        Number,

        /// <summary>A double-quoted string.</summary>
        String,

        /// <summary>'{'</summary>
        OpenBrace,

        /// <summary>'}'</summary>
        CloseBrace,

        /// <summary>'['</summary>
        OpenBracket,

        /// <summary>']'</summary>
        CloseBracket,

        /// <summary>'('</summary>
        OpenParen,

        /// <summary>')'</summary>
        CloseParen,

        /// <summary>','</summary>
        Comma,

        /// <summary>':'</summary>
        Colon,

        /// <summary>'.'</summary>
        Dot,

        /// <summary>';'</summary>
        Semicolon,

        /// <summary>'='</summary>
        Equals,

        /// <summary>'->'</summary>
        Arrow,

        /// <summary>A line break: ends a statement outside brackets.</summary>
        NewLine,

        /// <summary>The end of the text.</summary>
        EndOfFile,
    }

    /// <summary>A token: its kind, its span and its text (for strings, the unescaped value).</summary>
    public readonly struct Token
    {
        /// <summary>Creates a token.</summary>
        public Token(TokenKind kind, TextSpan span, string text)
        {
            Kind = kind;
            Span = span;
            Text = text;
        }

        /// <summary>The kind.</summary>
        public TokenKind Kind { get; }

        /// <summary>Where it is.</summary>
        public TextSpan Span { get; }

        /// <summary>The source text (the unescaped value for strings).</summary>
        public string Text { get; }

        /// <summary>How the token is named in messages: <c>'{'</c>, <c>number 12</c>, <c>end of line</c>.</summary>
        public string Describe() => Kind switch
        {
            TokenKind.Identifier => $"'{Shorten(Text)}'",
            TokenKind.Number => $"number {Shorten(Text)}",
            TokenKind.String => $"string \"{Shorten(Text)}\"",
            TokenKind.NewLine => "end of line",
            TokenKind.EndOfFile => "end of file",
            _ => $"'{Text}'",
        };

        private static string Shorten(string text) => text.Length <= 40 ? text : text.Substring(0, 37) + "...";

        /// <inheritdoc />
        public override string ToString() => $"{Kind} {Text} {Span}";
    }
}
