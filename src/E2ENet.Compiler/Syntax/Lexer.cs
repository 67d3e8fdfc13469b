using System.Collections.Generic;
using System.Globalization;
using System.Text;
using E2ENet.Compiler.Diagnostics;
using E2ENet.Compiler.Text;

namespace E2ENet.Compiler.Syntax
{
    /// <summary>Turns the text of an .e2e source into tokens. Never throws; problems become diagnostics.</summary>
    public static class Lexer
    {
        /// <summary>The longest source the front end reads (characters).</summary>
        public const int MaxSourceLength = 1_000_000;

        /// <summary>Reads every token of <paramref name="source"/>, ending with <see cref="TokenKind.EndOfFile"/>.</summary>
        public static List<Token> Tokenize(SourceFile source, List<Diagnostic> diagnostics)
        {
            string text = source.Text;
            var tokens = new List<Token>();
            if (text.Length > MaxSourceLength)
            {
                diagnostics.Add(DiagnosticDescriptors.FileTooLarge.Create(source.Location(new TextSpan(0, 0)), text.Length, MaxSourceLength));
                tokens.Add(new Token(TokenKind.EndOfFile, new TextSpan(0, 0), string.Empty));
                return tokens;
            }

            int i = 0;
            while (i < text.Length)
            {
                char c = text[i];
                int start = i;
                switch (c)
                {
                    case ' ':
                    case '\t':
                    case '\f':
                    case '\v':
                    case '\uFEFF':
                        i++;
                        continue;
                    case '\r':
                    case '\n':
                        i++;
                        if (c == '\r' && i < text.Length && text[i] == '\n') i++;
                        tokens.Add(new Token(TokenKind.NewLine, new TextSpan(start, i - start), "\n"));
                        continue;
                    case '{': tokens.Add(Single(TokenKind.OpenBrace, ref i, c)); continue;
                    case '}': tokens.Add(Single(TokenKind.CloseBrace, ref i, c)); continue;
                    case '[': tokens.Add(Single(TokenKind.OpenBracket, ref i, c)); continue;
                    case ']': tokens.Add(Single(TokenKind.CloseBracket, ref i, c)); continue;
                    case '(': tokens.Add(Single(TokenKind.OpenParen, ref i, c)); continue;
                    case ')': tokens.Add(Single(TokenKind.CloseParen, ref i, c)); continue;
                    case ',': tokens.Add(Single(TokenKind.Comma, ref i, c)); continue;
                    case ':': tokens.Add(Single(TokenKind.Colon, ref i, c)); continue;
                    case ';': tokens.Add(Single(TokenKind.Semicolon, ref i, c)); continue;
                    case '=': tokens.Add(Single(TokenKind.Equals, ref i, c)); continue;
                    case '"':
                        tokens.Add(ReadString(source, ref i, diagnostics));
                        continue;
                    case '/':
                        if (i + 1 < text.Length && text[i + 1] == '/')
                        {
                            while (i < text.Length && text[i] != '\n' && text[i] != '\r') i++;
                            continue;
                        }
                        if (i + 1 < text.Length && text[i + 1] == '*')
                        {
                            int end = text.IndexOf("*/", i + 2, System.StringComparison.Ordinal);
                            if (end < 0)
                            {
                                diagnostics.Add(DiagnosticDescriptors.UnterminatedComment.Create(source.Location(new TextSpan(i, 2))));
                                i = text.Length;
                            }
                            else
                            {
                                // Keep line structure: a block comment spanning lines still ends the statement it interrupts.
                                bool newline = text.IndexOf('\n', i, end - i) >= 0 || text.IndexOf('\r', i, end - i) >= 0;
                                i = end + 2;
                                if (newline) tokens.Add(new Token(TokenKind.NewLine, new TextSpan(start, i - start), "\n"));
                            }
                            continue;
                        }
                        break;
                    case '-':
                        if (i + 1 < text.Length && text[i + 1] == '>')
                        {
                            i += 2;
                            tokens.Add(new Token(TokenKind.Arrow, new TextSpan(start, 2), "->"));
                            continue;
                        }
                        if (i + 1 < text.Length && (IsDigit(text[i + 1]) || text[i + 1] == '.'))
                        {
                            tokens.Add(ReadNumber(source, ref i, diagnostics));
                            continue;
                        }
                        break;
                    case '+':
                        if (i + 1 < text.Length && (IsDigit(text[i + 1]) || text[i + 1] == '.'))
                        {
                            tokens.Add(ReadNumber(source, ref i, diagnostics));
                            continue;
                        }
                        break;
                    case '.':
                        if (i + 1 < text.Length && IsDigit(text[i + 1]))
                        {
                            tokens.Add(ReadNumber(source, ref i, diagnostics));
                            continue;
                        }
                        tokens.Add(Single(TokenKind.Dot, ref i, c));
                        continue;
                }

                if (IsDigit(c))
                {
                    tokens.Add(ReadNumber(source, ref i, diagnostics));
                    continue;
                }
                if (IsIdentifierStart(c))
                {
                    while (i < text.Length && IsIdentifierPart(text[i])) i++;
                    tokens.Add(new Token(TokenKind.Identifier, new TextSpan(start, i - start), text.Substring(start, i - start)));
                    continue;
                }

                // Anything else: report once per run of bad characters and go on.
                int runEnd = i + 1;
                if (char.IsHighSurrogate(c) && runEnd < text.Length && char.IsLowSurrogate(text[runEnd])) runEnd++;
                diagnostics.Add(DiagnosticDescriptors.UnexpectedCharacter.Create(source.Location(new TextSpan(i, runEnd - i)), DescribeChar(text, i)));
                i = runEnd;
                while (i < text.Length && IsBad(text[i])) i++;
            }
            tokens.Add(new Token(TokenKind.EndOfFile, new TextSpan(text.Length, 0), string.Empty));
            return tokens;
        }

        private static Token Single(TokenKind kind, ref int i, char c)
        {
            var token = new Token(kind, new TextSpan(i, 1), c.ToString());
            i++;
            return token;
        }

        private static bool IsDigit(char c) => c >= '0' && c <= '9';

        private static bool IsIdentifierStart(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';

        private static bool IsIdentifierPart(char c) => IsIdentifierStart(c) || IsDigit(c);

        private static bool IsBad(char c)
            => !(IsIdentifierPart(c) || char.IsWhiteSpace(c) || "{}[](),:;=\"/-+.".IndexOf(c) >= 0);

        private static string DescribeChar(string text, int i)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                int code = char.ConvertToUtf32(c, text[i + 1]);
                return string.Format(CultureInfo.InvariantCulture, "'{0}' (U+{1:X4})", text.Substring(i, 2), code);
            }
            if (char.IsControl(c) || char.IsSurrogate(c)) return string.Format(CultureInfo.InvariantCulture, "U+{0:X4}", (int)c);
            return string.Format(CultureInfo.InvariantCulture, "'{0}' (U+{1:X4})", c, (int)c);
        }

        private static Token ReadNumber(SourceFile source, ref int i, List<Diagnostic> diagnostics)
        {
            string text = source.Text;
            int start = i;
            if (text[i] == '-' || text[i] == '+') i++;
            while (i < text.Length && IsDigit(text[i])) i++;
            if (i < text.Length && text[i] == '.' && i + 1 < text.Length && IsDigit(text[i + 1]))
            {
                i++;
                while (i < text.Length && IsDigit(text[i])) i++;
            }
            bool bad = false;
            if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
            {
                int save = i;
                i++;
                if (i < text.Length && (text[i] == '+' || text[i] == '-')) i++;
                if (i < text.Length && IsDigit(text[i]))
                {
                    while (i < text.Length && IsDigit(text[i])) i++;
                }
                else
                {
                    // "1e" or "1ex": a malformed exponent
                    bad = true;
                    i = save + 1;
                }
            }
            // A number glued to letters ("12abc", "3x3") is one bad token, not two.
            while (i < text.Length && (IsIdentifierPart(text[i]) || (text[i] == '.' && i + 1 < text.Length && IsDigit(text[i + 1]))))
            {
                bad = true;
                i++;
            }
            string token = text.Substring(start, i - start);
            if (bad)
            {
                diagnostics.Add(DiagnosticDescriptors.InvalidNumber.Create(source.Location(new TextSpan(start, i - start)), token,
                    "write digits, an optional decimal part and an optional exponent (48, 0.8, 1e-5), and separate words with spaces"));
                return new Token(TokenKind.Number, new TextSpan(start, i - start), "0");
            }
            return new Token(TokenKind.Number, new TextSpan(start, i - start), token);
        }

        private static Token ReadString(SourceFile source, ref int i, List<Diagnostic> diagnostics)
        {
            string text = source.Text;
            int start = i;
            i++;
            var value = new StringBuilder();
            while (i < text.Length)
            {
                char c = text[i];
                if (c == '"')
                {
                    i++;
                    return new Token(TokenKind.String, new TextSpan(start, i - start), value.ToString());
                }
                if (c == '\n' || c == '\r') break;
                if (c == '\\' && i + 1 < text.Length)
                {
                    char e = text[i + 1];
                    switch (e)
                    {
                        case '"': value.Append('"'); i += 2; continue;
                        case '\\': value.Append('\\'); i += 2; continue;
                        case 'n': value.Append('\n'); i += 2; continue;
                        case 't': value.Append('\t'); i += 2; continue;
                    }
                }
                value.Append(c);
                i++;
            }
            diagnostics.Add(DiagnosticDescriptors.UnterminatedString.Create(source.Location(new TextSpan(start, i - start))));
            return new Token(TokenKind.String, new TextSpan(start, i - start), value.ToString());
        }
    }
}
