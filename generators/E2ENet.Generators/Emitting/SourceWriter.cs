using System.Text;

namespace E2ENet.Generators.Emitting
{
    /// <summary>Writes C# source line by line with four-space indentation and <c>\n</c> line ends (the same output on every OS).</summary>
    internal sealed class SourceWriter
    {
        private readonly StringBuilder _builder = new StringBuilder();
        private int _indent;

        /// <summary>Writes one line at the current indentation (an empty line has no spaces).</summary>
        public SourceWriter Line(string text = "")
        {
            if (text.Length > 0) _builder.Append(' ', _indent * 4).Append(text);
            _builder.Append('\n');
            return this;
        }

        /// <summary>Writes <paramref name="header"/> (when given), then <c>{</c>, and indents.</summary>
        public SourceWriter Open(string? header = null)
        {
            if (header != null) Line(header);
            Line("{");
            _indent++;
            return this;
        }

        /// <summary>Unindents and writes <c>}</c> (or another closing text).</summary>
        public SourceWriter Close(string text = "}")
        {
            _indent--;
            return Line(text);
        }

        /// <summary>Indents the following lines (for continuation lines).</summary>
        public SourceWriter Indent()
        {
            _indent++;
            return this;
        }

        /// <summary>Undoes <see cref="Indent"/>.</summary>
        public SourceWriter Unindent()
        {
            _indent--;
            return this;
        }

        /// <summary>Writes a <c>/// </c> documentation line (the text must already be XML-escaped).</summary>
        public SourceWriter Doc(string text) => Line(text.Length == 0 ? "///" : "/// " + text);

        /// <inheritdoc />
        public override string ToString() => _builder.ToString();
    }
}
