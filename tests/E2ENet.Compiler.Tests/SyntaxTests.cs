using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Diagnostics;
using E2ENet.Compiler.Syntax;
using E2ENet.Compiler.Text;
using static E2ENet.Compiler.Tests.Helpers;

namespace E2ENet.Compiler.Tests
{
    public class SyntaxTests
    {
        private static (FileSyntax File, List<Diagnostic> Diagnostics) Parse(string text)
        {
            var diagnostics = new List<Diagnostic>();
            return (Parser.ParseFile(new SourceFile("t.e2e", text), diagnostics), diagnostics);
        }

        [Fact]
        public void Tokens_cover_numbers_words_strings_arrows_and_comments()
        {
            var diagnostics = new List<Diagnostic>();
            var tokens = Lexer.Tokenize(new SourceFile("t", "a.b -1 2.5e-3 \"x\\\"y\" -> [ ] // c\n/* d */ ;"), diagnostics);
            Assert.Empty(diagnostics);
            Assert.Equal(new[]
            {
                TokenKind.Identifier, TokenKind.Dot, TokenKind.Identifier, TokenKind.Number, TokenKind.Number, TokenKind.String,
                TokenKind.Arrow, TokenKind.OpenBracket, TokenKind.CloseBracket, TokenKind.NewLine, TokenKind.Semicolon, TokenKind.EndOfFile,
            }, tokens.Select(t => t.Kind));
            Assert.Equal("x\"y", tokens[5].Text);
        }

        [Fact]
        public void A_model_parses_into_statements_and_phrases()
        {
            var (file, diagnostics) = Parse("model A : B {\n  input channels 1, patch [1, 2, 3]\n  training { lr 0.01 }\n  act leaky_relu(0.01)\n}\n");
            Assert.Empty(diagnostics);
            ModelSyntax model = Assert.Single(file.Models);
            Assert.Equal("A", model.Name.Text);
            Assert.Equal("B", model.Parent!.Text);
            Assert.Equal(3, model.Body.Count);
            Assert.Equal(2, model.Body[0].Phrases.Count);
            Assert.IsType<ListTerm>(model.Body[0].Phrases[1].Terms[1]);
            Assert.NotNull(model.Body[1].Block);
            Assert.IsType<CallTerm>(model.Body[2].Phrases[0].Terms[0]);
        }

        [Fact]
        public void A_statement_continues_after_a_comma_at_the_end_of_a_line()
        {
            var (file, diagnostics) = Parse("model A {\n  input channels 1,\n        patch [1, 2,\n 3]\n}");
            Assert.Empty(diagnostics);
            Assert.Equal(2, file.Models[0].Body[0].Phrases.Count);
        }

        [Theory]
        [InlineData("model A { classes \"abc }", "E2E0002")]
        [InlineData("model A { classes 3 } /* open", "E2E0003")]
        [InlineData("model A { classes 12abc }", "E2E0004")]
        [InlineData("model A { classes 1e }", "E2E0004")]
        [InlineData("model A { classes @ }", "E2E0001")]
        [InlineData("model { }", "E2E0005")]
        [InlineData("model A { input patch [1, 2 }", "E2E0007")]
        [InlineData("model A { classes 3", "E2E0007")]
        [InlineData("classes 3", "E2E0010")]
        [InlineData("model A { 42 }", "E2E0005")]
        public void Syntax_errors_have_their_ids(string text, string id)
        {
            var (_, diagnostics) = Parse(text);
            Assert.Contains(diagnostics, d => d.Id == id);
            Assert.All(diagnostics, d => Assert.True(d.Location.Line >= 1 && d.Location.Column >= 1));
        }

        [Fact]
        public void Errors_point_at_line_and_column()
        {
            var (_, diagnostics) = Parse("model A {\n  classes 3\n  input patch [1, 2 @ 3]\n}");
            Diagnostic d = Assert.Single(diagnostics);
            Assert.Equal("E2E0001", d.Id);
            Assert.Equal(3, d.Location.Line);
            Assert.Equal(21, d.Location.Column);
            Assert.Equal("t.e2e(3,21): error E2E0001: unexpected character '@' (U+0040); remove it (comments start with '//')", d.ToString());
        }

        [Fact]
        public void Every_error_of_a_file_is_reported_not_just_the_first()
        {
            var compilation = Compile("model A {\n  classes 3 4\n  input patch [1, 2\n  fusion sparsity 2\n  blocks 3\n}\nmodel B : Nope {\n  clases 3\n}\n");
            var ids = Ids(compilation);
            Assert.True(ids.Count >= 4, string.Join("; ", compilation.Diagnostics));
            Assert.Contains("E2E0102", ids);
            Assert.Contains("E2E0201", ids);
        }

        [Fact]
        public void Nesting_is_bounded()
        {
            string deep = "model A { input patch " + new string('[', 10_000) + new string(']', 10_000) + " }";
            var (_, diagnostics) = Parse(deep);
            Assert.Contains(diagnostics, d => d.Id == "E2E0008");
        }

        [Fact]
        public void A_missing_closing_brace_does_not_swallow_the_next_model()
        {
            var (file, diagnostics) = Parse("model A {\n  classes 3\nmodel B {\n  classes 4\n}\n");
            Assert.Equal(new[] { "A", "B" }, file.Models.Select(m => m.Name.Text));
            Assert.Contains(diagnostics, d => d.Id == "E2E0007");
        }

        [Fact]
        public void Line_and_column_mapping_handles_crlf()
        {
            var source = new SourceFile("f", "ab\r\ncd\ref\ngh");
            Assert.Equal((1, 1), source.LineColumn(0));
            Assert.Equal((2, 2), source.LineColumn(5));
            Assert.Equal((3, 1), source.LineColumn(7));
            Assert.Equal((4, 2), source.LineColumn(11));
            Assert.Equal("cd", source.LineText(2));
        }
    }
}
