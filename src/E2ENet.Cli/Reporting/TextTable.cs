using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace E2ENet.Cli.Reporting
{
    /// <summary>A plain-text table with aligned columns (numbers right-aligned), for terminals and logs alike.</summary>
    public sealed class TextTable
    {
        private readonly string[] _headers;
        private readonly bool[] _rightAligned;
        private readonly List<string[]?> _rows = new List<string[]?>();

        /// <summary>Creates a table; a header starting with '>' is right-aligned (the '>' is not shown).</summary>
        public TextTable(params string[] headers)
        {
            _rightAligned = headers.Select(h => h.StartsWith(">", StringComparison.Ordinal)).ToArray();
            _headers = headers.Select(h => h.TrimStart('>')).ToArray();
        }

        /// <summary>Adds a row.</summary>
        public void Add(params string[] cells) => _rows.Add(cells);

        /// <summary>Adds a separator line.</summary>
        public void Separator() => _rows.Add(null);

        /// <summary>The table, each line indented by <paramref name="indent"/>.</summary>
        public string ToString(string indent)
        {
            int[] widths = _headers.Select(h => h.Length).ToArray();
            foreach (string[]? row in _rows)
            {
                if (row == null) continue;
                for (int i = 0; i < row.Length && i < widths.Length; i++) widths[i] = Math.Max(widths[i], row[i].Length);
            }
            var builder = new StringBuilder();
            void Line(string[] cells)
            {
                builder.Append(indent);
                for (int i = 0; i < widths.Length; i++)
                {
                    string cell = i < cells.Length ? cells[i] : string.Empty;
                    if (i > 0) builder.Append("  ");
                    builder.Append(_rightAligned[i] ? cell.PadLeft(widths[i]) : (i == widths.Length - 1 ? cell : cell.PadRight(widths[i])));
                }
                builder.Append('\n');
            }
            Line(_headers);
            string rule = indent + string.Join("  ", widths.Select(w => new string('-', w))) + "\n";
            builder.Append(rule);
            foreach (string[]? row in _rows)
            {
                if (row == null) builder.Append(rule);
                else Line(row);
            }
            return builder.ToString();
        }

        /// <inheritdoc />
        public override string ToString() => ToString(string.Empty);
    }
}
