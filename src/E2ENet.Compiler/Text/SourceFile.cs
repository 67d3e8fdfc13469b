using System;
using System.Collections.Generic;

namespace E2ENet.Compiler.Text
{
    /// <summary>A span of characters in a source text: start offset and length.</summary>
    public readonly struct TextSpan : IEquatable<TextSpan>
    {
        /// <summary>Creates a span.</summary>
        public TextSpan(int start, int length)
        {
            Start = start;
            Length = length;
        }

        /// <summary>Offset of the first character.</summary>
        public int Start { get; }

        /// <summary>Number of characters.</summary>
        public int Length { get; }

        /// <summary>Offset just past the last character.</summary>
        public int End => Start + Length;

        /// <summary>The span from the start of <paramref name="first"/> to the end of <paramref name="last"/>.</summary>
        public static TextSpan Cover(TextSpan first, TextSpan last) => new TextSpan(first.Start, Math.Max(0, last.End - first.Start));

        /// <inheritdoc />
        public bool Equals(TextSpan other) => Start == other.Start && Length == other.Length;

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is TextSpan other && Equals(other);

        /// <inheritdoc />
        public override int GetHashCode() => unchecked(Start * 397 ^ Length);

        /// <inheritdoc />
        public override string ToString() => $"[{Start}..{End})";
    }

    /// <summary>
    /// A place in a source: file, 1-based line and column of the start and the end (exclusive).
    /// Columns count UTF-16 characters; a tab counts as one.
    /// </summary>
    public sealed record SourceLocation(string File, int Line, int Column, int EndLine, int EndColumn)
    {
        /// <summary>A location for something that has no place in a file (a default value, the command line).</summary>
        public static SourceLocation None(string file) => new SourceLocation(file, 0, 0, 0, 0);

        /// <summary>True when this location points at a line and column.</summary>
        public bool HasPosition => Line > 0;

        /// <summary><c>file(line,col)</c>, the form compilers and editors understand.</summary>
        public override string ToString() => HasPosition ? $"{File}({Line},{Column})" : File;
    }

    /// <summary>A source text with its file name and a line map.</summary>
    public sealed class SourceFile
    {
        private readonly int[] _lineStarts;

        /// <summary>Creates a source from its path (as it should appear in diagnostics) and text.</summary>
        public SourceFile(string path, string text)
        {
            Path = path ?? throw new ArgumentNullException(nameof(path));
            Text = text ?? throw new ArgumentNullException(nameof(text));
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
            _lineStarts = starts.ToArray();
        }

        /// <summary>The path shown in diagnostics.</summary>
        public string Path { get; }

        /// <summary>The whole text.</summary>
        public string Text { get; }

        /// <summary>The number of lines.</summary>
        public int LineCount => _lineStarts.Length;

        /// <summary>1-based line and column of <paramref name="offset"/>.</summary>
        public (int Line, int Column) LineColumn(int offset)
        {
            offset = Math.Max(0, Math.Min(offset, Text.Length));
            int index = Array.BinarySearch(_lineStarts, offset);
            if (index < 0) index = ~index - 1;
            return (index + 1, offset - _lineStarts[index] + 1);
        }

        /// <summary>The character offset of a 1-based line and column (the inverse of <see cref="LineColumn"/>), clamped to the text.</summary>
        public int Offset(int line, int column)
        {
            if (line < 1) return 0;
            if (line > _lineStarts.Length) return Text.Length;
            int start = _lineStarts[line - 1];
            int end = line < _lineStarts.Length ? _lineStarts[line] : Text.Length;
            return Math.Max(start, Math.Min(end, start + Math.Max(0, column - 1)));
        }

        /// <summary>The location of <paramref name="span"/> in this file.</summary>
        public SourceLocation Location(TextSpan span)
        {
            (int line, int column) = LineColumn(span.Start);
            (int endLine, int endColumn) = LineColumn(span.End);
            return new SourceLocation(Path, line, column, endLine, endColumn);
        }

        /// <summary>The text of 1-based line <paramref name="line"/>, without its line break.</summary>
        public string LineText(int line)
        {
            if (line < 1 || line > _lineStarts.Length) return string.Empty;
            int start = _lineStarts[line - 1];
            int end = line < _lineStarts.Length ? _lineStarts[line] : Text.Length;
            while (end > start && (Text[end - 1] == '\n' || Text[end - 1] == '\r')) end--;
            return Text.Substring(start, end - start);
        }
    }
}
