using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis.Text;

namespace E2ENet.Generators.Parsing
{
    /// <summary>
    /// Line starts of a text, counted as the front end counts them (<c>\r\n</c>, <c>\r</c> and <c>\n</c> end a line), to turn
    /// the front end's 1-based line and column back into a character offset for a Roslyn location.
    /// </summary>
    internal sealed class LineMap
    {
        private readonly int[] _starts;
        private readonly int _length;

        public LineMap(string text)
        {
            var starts = new List<int> { 0 };
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '\r')
                {
                    if (i + 1 < text.Length && text[i + 1] == '\n') i++;
                    starts.Add(i + 1);
                }
                else if (c == '\n')
                {
                    starts.Add(i + 1);
                }
            }
            _starts = starts.ToArray();
            _length = text.Length;
        }

        /// <summary>The offset of a 1-based line and column, clamped to the text.</summary>
        public int Offset(int line, int column)
        {
            if (line < 1) return 0;
            if (line > _starts.Length) return _length;
            int start = _starts[line - 1];
            int end = line < _starts.Length ? _starts[line] : _length;
            return Math.Max(start, Math.Min(end, start + Math.Max(0, column - 1)));
        }

        /// <summary>The span between two 1-based positions.</summary>
        public TextSpan Span(int line, int column, int endLine, int endColumn)
        {
            int start = Offset(line, column);
            int end = Math.Max(start, Offset(endLine, endColumn));
            return TextSpan.FromBounds(start, end);
        }
    }
}
