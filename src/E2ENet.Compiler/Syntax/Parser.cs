using System.Collections.Generic;
using E2ENet.Compiler.Diagnostics;
using E2ENet.Compiler.Text;

namespace E2ENet.Compiler.Syntax
{
    /// <summary>
    /// A recursive-descent parser for .e2e files and for the values of <c>--set</c> overrides.
    /// It never throws: it reports every error it finds, resynchronises at the next statement, and goes on,
    /// so that one pass reports all the problems of a file. Nesting is bounded, so no input can exhaust the stack.
    /// </summary>
    public sealed class Parser
    {
        /// <summary>The deepest nesting of braces, brackets and parentheses the parser accepts.</summary>
        public const int MaxNesting = 64;

        private readonly SourceFile _source;
        private readonly List<Token> _tokens;
        private readonly List<Diagnostic> _diagnostics;
        private int _position;
        private int _depth;
        private bool _nestingReported;

        private Parser(SourceFile source, List<Diagnostic> diagnostics)
        {
            _source = source;
            _diagnostics = diagnostics;
            _tokens = Lexer.Tokenize(source, diagnostics);
        }

        /// <summary>Parses a whole file.</summary>
        public static FileSyntax ParseFile(SourceFile source, List<Diagnostic> diagnostics)
            => new Parser(source, diagnostics).ParseFile();

        /// <summary>
        /// Parses the value of an override (<c>0.9</c>, <c>[[1,2,2],[2,2,2]]</c>, <c>l1 0.5 -> 0.01 cosine</c>):
        /// comma-separated phrases, exactly as after a key in a file.
        /// </summary>
        public static IReadOnlyList<PhraseSyntax> ParseValue(SourceFile source, List<Diagnostic> diagnostics)
        {
            var parser = new Parser(source, diagnostics);
            var phrases = parser.ParsePhrases(new TextSpan(0, 0));
            parser.SkipSeparators();
            if (parser.Current.Kind != TokenKind.EndOfFile)
            {
                parser.Report(DiagnosticDescriptors.UnexpectedToken, parser.Current.Span, parser.Current.Describe(), " after the value");
            }
            return phrases;
        }

        private Token Current => _tokens[_position];

        private Token Peek(int offset)
        {
            int index = _position + offset;
            return index < _tokens.Count ? _tokens[index] : _tokens[_tokens.Count - 1];
        }

        private Token Advance()
        {
            Token token = _tokens[_position];
            if (_position < _tokens.Count - 1) _position++;
            return token;
        }

        private void Report(DiagnosticDescriptor descriptor, TextSpan span, params object?[] args)
            => _diagnostics.Add(descriptor.Create(_source.Location(span), args));

        private void SkipSeparators()
        {
            while (Current.Kind == TokenKind.NewLine || Current.Kind == TokenKind.Semicolon) Advance();
        }

        private void SkipNewLines()
        {
            while (Current.Kind == TokenKind.NewLine) Advance();
        }

        private bool Enter(TextSpan at)
        {
            if (_depth >= MaxNesting)
            {
                if (!_nestingReported)
                {
                    Report(DiagnosticDescriptors.NestingTooDeep, at, MaxNesting);
                    _nestingReported = true;
                }
                return false;
            }
            _depth++;
            return true;
        }

        private void Leave() => _depth--;

        // file := (import | model)*
        private FileSyntax ParseFile()
        {
            var imports = new List<ImportSyntax>();
            var models = new List<ModelSyntax>();
            SkipSeparators();
            while (Current.Kind != TokenKind.EndOfFile)
            {
                if (IsKeyword(Current, "model"))
                {
                    ModelSyntax? model = ParseModel();
                    if (model != null) models.Add(model);
                }
                else if (IsKeyword(Current, "import"))
                {
                    Advance();
                    if (Current.Kind == TokenKind.String)
                    {
                        Token path = Advance();
                        imports.Add(new ImportSyntax(path.Text, path.Span));
                        ExpectEndOfStatement();
                    }
                    else
                    {
                        Report(DiagnosticDescriptors.Expected, Current.Span, "a quoted file name after 'import'", Current.Describe());
                        SkipToNextDeclaration();
                    }
                }
                else
                {
                    Report(DiagnosticDescriptors.ExpectedDeclaration, Current.Span, Current.Describe());
                    SkipToNextDeclaration();
                }
                SkipSeparators();
            }
            return new FileSyntax(_source, imports, models);
        }

        private static bool IsKeyword(Token token, string keyword) => token.Kind == TokenKind.Identifier && token.Text == keyword;

        /// <summary>Skips to the next line that starts with 'model' or 'import' at brace depth 0.</summary>
        private void SkipToNextDeclaration()
        {
            int braces = 0;
            bool lineStart = false;
            while (Current.Kind != TokenKind.EndOfFile)
            {
                if (lineStart && braces <= 0 && (IsKeyword(Current, "model") || IsKeyword(Current, "import"))) return;
                Token token = Advance();
                if (token.Kind == TokenKind.OpenBrace) braces++;
                else if (token.Kind == TokenKind.CloseBrace) braces--;
                lineStart = token.Kind == TokenKind.NewLine || (token.Kind == TokenKind.CloseBrace && braces <= 0);
            }
        }

        private void ExpectEndOfStatement()
        {
            if (Current.Kind == TokenKind.NewLine || Current.Kind == TokenKind.Semicolon || Current.Kind == TokenKind.EndOfFile) return;
            if (Current.Kind == TokenKind.CloseBrace) return;
            Report(DiagnosticDescriptors.UnexpectedToken, Current.Span, Current.Describe(), "; a statement ends at the end of the line or at ';'");
            SkipStatement();
        }

        // model := 'model' IDENT [':' IDENT] '{' statements '}'
        private ModelSyntax? ParseModel()
        {
            Token keyword = Advance();
            if (Current.Kind != TokenKind.Identifier)
            {
                Report(DiagnosticDescriptors.Expected, Current.Span, "a model name after 'model'", Current.Describe());
                SkipToNextDeclaration();
                return null;
            }
            Token nameToken = Advance();
            var name = new NameSyntax(nameToken.Text, nameToken.Span);
            NameSyntax? parent = null;
            if (Current.Kind == TokenKind.Colon)
            {
                Advance();
                if (Current.Kind == TokenKind.Identifier)
                {
                    Token parentToken = Advance();
                    parent = new NameSyntax(parentToken.Text, parentToken.Span);
                }
                else
                {
                    Report(DiagnosticDescriptors.Expected, Current.Span, "the parent model's name after ':'", Current.Describe());
                }
            }
            SkipNewLines();
            if (Current.Kind != TokenKind.OpenBrace)
            {
                Report(DiagnosticDescriptors.Expected, Current.Span, $"'{{' to open the body of model '{name.Text}'", Current.Describe());
                SkipToNextDeclaration();
                return new ModelSyntax(name, parent, new List<StatementSyntax>(), TextSpan.Cover(keyword.Span, nameToken.Span));
            }
            Token open = Advance();
            List<StatementSyntax> body = ParseStatements(open, topLevelModel: true);
            TextSpan span = TextSpan.Cover(keyword.Span, _tokens[System.Math.Max(0, _position - 1)].Span);
            return new ModelSyntax(name, parent, body, span);
        }

        /// <summary>Statements up to the '}' matching <paramref name="open"/> (consumed).</summary>
        private List<StatementSyntax> ParseStatements(Token open, bool topLevelModel)
        {
            var statements = new List<StatementSyntax>();
            if (!Enter(open.Span))
            {
                SkipBalanced(TokenKind.OpenBrace, TokenKind.CloseBrace);
                return statements;
            }
            try
            {
                while (true)
                {
                    SkipSeparators();
                    Token token = Current;
                    if (token.Kind == TokenKind.CloseBrace)
                    {
                        Advance();
                        return statements;
                    }
                    if (token.Kind == TokenKind.EndOfFile)
                    {
                        Report(DiagnosticDescriptors.Unclosed, open.Span, "{", "}");
                        return statements;
                    }
                    if (topLevelModel && (IsKeyword(token, "model") || IsKeyword(token, "import")) && Peek(1).Kind != TokenKind.Dot)
                    {
                        // A model that forgot its closing brace: end it here and let the next declaration parse.
                        Report(DiagnosticDescriptors.Unclosed, open.Span, "{", "}");
                        return statements;
                    }
                    if (token.Kind != TokenKind.Identifier)
                    {
                        Report(DiagnosticDescriptors.Expected, token.Span, "a key such as 'input', 'classes' or 'fusion.sparsity'", token.Describe());
                        SkipStatement();
                        continue;
                    }
                    StatementSyntax? statement = ParseStatement();
                    if (statement != null) statements.Add(statement);
                }
            }
            finally
            {
                Leave();
            }
        }

        // statement := path ('{' statements '}' | phrases)
        private StatementSyntax? ParseStatement()
        {
            var path = new List<NameSyntax>();
            Token first = Advance();
            path.Add(new NameSyntax(first.Text, first.Span));
            while (Current.Kind == TokenKind.Dot)
            {
                Advance();
                if (Current.Kind != TokenKind.Identifier)
                {
                    Report(DiagnosticDescriptors.Expected, Current.Span, "a key name after '.'", Current.Describe());
                    SkipStatement();
                    return null;
                }
                Token part = Advance();
                path.Add(new NameSyntax(part.Text, part.Span));
            }
            if (Current.Kind == TokenKind.Equals)
            {
                // Forgive 'key = value' (the --set form) inside files.
                Advance();
            }
            if (Current.Kind == TokenKind.OpenBrace)
            {
                Token open = Advance();
                List<StatementSyntax> block = ParseStatements(open, topLevelModel: false);
                TextSpan blockSpan = TextSpan.Cover(first.Span, _tokens[System.Math.Max(0, _position - 1)].Span);
                ExpectEndOfStatement();
                return new StatementSyntax(path, new List<PhraseSyntax>(), block, blockSpan);
            }
            List<PhraseSyntax> phrases = ParsePhrases(first.Span);
            TextSpan end = phrases.Count > 0 ? phrases[phrases.Count - 1].Span : path[path.Count - 1].Span;
            var statement = new StatementSyntax(path, phrases, null, TextSpan.Cover(first.Span, end));
            ExpectEndOfStatement();
            return statement;
        }

        /// <summary>Comma-separated phrases at statement level (a newline after a comma continues the statement).</summary>
        private List<PhraseSyntax> ParsePhrases(TextSpan at)
        {
            var phrases = new List<PhraseSyntax>();
            while (true)
            {
                PhraseSyntax? phrase = ParsePhrase(inBrackets: false);
                if (phrase != null) phrases.Add(phrase);
                if (Current.Kind != TokenKind.Comma) break;
                Token comma = Advance();
                SkipNewLines();
                if (!StartsTerm(Current))
                {
                    Report(DiagnosticDescriptors.Expected, Current.Span, "another 'key value' after ','", Current.Describe());
                    break;
                }
                _ = comma;
            }
            return phrases;
        }

        private static bool StartsTerm(Token token) => token.Kind switch
        {
            TokenKind.Identifier or TokenKind.Number or TokenKind.String or TokenKind.OpenBracket or TokenKind.Arrow => true,
            _ => false,
        };

        // phrase := term+
        private PhraseSyntax? ParsePhrase(bool inBrackets)
        {
            var terms = new List<TermSyntax>();
            while (true)
            {
                if (inBrackets) SkipNewLines();
                if (!StartsTerm(Current))
                {
                    if (Current.Kind == TokenKind.OpenParen && terms.Count > 0)
                    {
                        Report(DiagnosticDescriptors.UnexpectedToken, Current.Span, "'('", "; arguments go right after a function name, as in leaky_relu(0.01)");
                        SkipBalanced(TokenKind.OpenParen, TokenKind.CloseParen);
                        continue;
                    }
                    if (!IsPhraseEnd(Current, inBrackets))
                    {
                        Report(DiagnosticDescriptors.UnexpectedToken, Current.Span, Current.Describe(), inBrackets ? " in a list" : " in a value");
                        if (inBrackets)
                        {
                            if (Current.Kind == TokenKind.OpenBrace) SkipBalanced(TokenKind.OpenBrace, TokenKind.CloseBrace);
                            else Advance();
                            continue;
                        }
                        SkipStatement();
                    }
                    break;
                }
                TermSyntax? term = ParseTerm();
                if (term != null) terms.Add(term);
            }
            if (terms.Count == 0) return null;
            return new PhraseSyntax(terms, TextSpan.Cover(terms[0].Span, terms[terms.Count - 1].Span));
        }

        private static bool IsPhraseEnd(Token token, bool inBrackets)
        {
            switch (token.Kind)
            {
                case TokenKind.Comma:
                case TokenKind.EndOfFile:
                    return true;
                case TokenKind.CloseBracket:
                case TokenKind.CloseParen:
                    return inBrackets;
                case TokenKind.NewLine:
                case TokenKind.Semicolon:
                case TokenKind.CloseBrace:
                    return !inBrackets || token.Kind == TokenKind.CloseBrace;
                default:
                    return false;
            }
        }

        private TermSyntax? ParseTerm()
        {
            Token token = Current;
            switch (token.Kind)
            {
                case TokenKind.Number:
                    Advance();
                    return new NumberTerm(token.Text, token.Span);
                case TokenKind.String:
                    Advance();
                    return new StringTerm(token.Text, token.Span);
                case TokenKind.Arrow:
                    Advance();
                    return new ArrowTerm(token.Span);
                case TokenKind.OpenBracket:
                    return ParseList();
                case TokenKind.Identifier:
                    {
                        Advance();
                        string name = token.Text;
                        TextSpan span = token.Span;
                        while (Current.Kind == TokenKind.Dot && Peek(1).Kind == TokenKind.Identifier)
                        {
                            Advance();
                            Token part = Advance();
                            name += "." + part.Text;
                            span = TextSpan.Cover(span, part.Span);
                        }
                        if (Current.Kind == TokenKind.OpenParen)
                        {
                            return ParseCall(new NameSyntax(name, span));
                        }
                        return new NameTerm(name, span);
                    }
                default:
                    Advance();
                    return null;
            }
        }

        // list := '[' [phrase (',' phrase)* [',']] ']'
        private TermSyntax? ParseList()
        {
            Token open = Advance();
            if (!Enter(open.Span))
            {
                SkipBalanced(TokenKind.OpenBracket, TokenKind.CloseBracket);
                return null;
            }
            try
            {
                List<PhraseSyntax>? items = ParseDelimited(open, TokenKind.CloseBracket, "]");
                if (items == null) return null;
                return new ListTerm(items, TextSpan.Cover(open.Span, _tokens[System.Math.Max(0, _position - 1)].Span));
            }
            finally
            {
                Leave();
            }
        }

        // call := IDENT '(' [phrase (',' phrase)*] ')'
        private TermSyntax? ParseCall(NameSyntax name)
        {
            Token open = Advance();
            if (!Enter(open.Span))
            {
                SkipBalanced(TokenKind.OpenParen, TokenKind.CloseParen);
                return null;
            }
            try
            {
                List<PhraseSyntax>? args = ParseDelimited(open, TokenKind.CloseParen, ")");
                if (args == null) return null;
                return new CallTerm(name, args, TextSpan.Cover(name.Span, _tokens[System.Math.Max(0, _position - 1)].Span));
            }
            finally
            {
                Leave();
            }
        }

        /// <summary>Items up to <paramref name="close"/> (consumed). Null when the closer never comes.</summary>
        private List<PhraseSyntax>? ParseDelimited(Token open, TokenKind close, string closeText)
        {
            var items = new List<PhraseSyntax>();
            while (true)
            {
                SkipNewLines();
                if (Current.Kind == close)
                {
                    Advance();
                    return items;
                }
                if (Current.Kind == TokenKind.EndOfFile || Current.Kind == TokenKind.CloseBrace || Current.Kind == TokenKind.Semicolon
                    || (Current.Kind == TokenKind.CloseBracket && close != TokenKind.CloseBracket)
                    || (Current.Kind == TokenKind.CloseParen && close != TokenKind.CloseParen))
                {
                    Report(DiagnosticDescriptors.Unclosed, open.Span, open.Text, closeText);
                    if (Current.Kind == TokenKind.CloseBracket || Current.Kind == TokenKind.CloseParen) Advance();
                    return items;
                }
                if (Current.Kind == TokenKind.Comma)
                {
                    Report(DiagnosticDescriptors.Expected, Current.Span, "a value", "','");
                    Advance();
                    continue;
                }
                int before = _position;
                PhraseSyntax? item = ParsePhrase(inBrackets: true);
                if (item != null) items.Add(item);
                SkipNewLines();
                if (Current.Kind == TokenKind.Comma)
                {
                    Advance();
                }
                else if (Current.Kind != close && _position == before)
                {
                    // No progress: avoid looping on a token the phrase parser refused.
                    Advance();
                }
            }
        }

        /// <summary>Skips a balanced group starting at the current opener (used past the nesting limit).</summary>
        private void SkipBalanced(TokenKind openKind, TokenKind closeKind)
        {
            int depth = 0;
            while (Current.Kind != TokenKind.EndOfFile)
            {
                Token token = Advance();
                if (token.Kind == openKind) depth++;
                else if (token.Kind == closeKind && --depth <= 0) return;
            }
        }

        /// <summary>Skips to the end of the current statement: a newline or ';' outside brackets, or a '}' (not consumed).</summary>
        private void SkipStatement()
        {
            int depth = 0;
            while (Current.Kind != TokenKind.EndOfFile)
            {
                TokenKind kind = Current.Kind;
                if (depth == 0 && (kind == TokenKind.NewLine || kind == TokenKind.Semicolon || kind == TokenKind.CloseBrace)) return;
                if (kind == TokenKind.OpenBracket || kind == TokenKind.OpenParen) depth++;
                else if ((kind == TokenKind.CloseBracket || kind == TokenKind.CloseParen) && depth > 0) depth--;
                else if (kind == TokenKind.CloseBrace) return;
                Advance();
            }
        }
    }
}
