using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using E2ENet.Compiler.Errors;

namespace E2ENet.Data.Volumes
{
    /// <summary>One line of a text header: its 1-based number and its text (without the line break).</summary>
    public readonly record struct HeaderLine(int Number, string Text);

    /// <summary>
    /// The text header at the start of a MetaImage or NRRD file, read line by line with a size limit (a binary file or a
    /// hostile one never makes the reader buffer more than <see cref="MaxBytes"/>), and the parsing of its values with
    /// errors that name the file, the line and the field.
    /// </summary>
    public sealed class TextHeader
    {
        /// <summary>The largest header read (1 MiB): real headers are a few hundred bytes.</summary>
        public const int MaxBytes = 1 << 20;

        private TextHeader(string path, ErrorDescriptor error, IReadOnlyList<HeaderLine> lines, long dataOffset)
        {
            Path = path;
            Error = error;
            Lines = lines;
            DataOffset = dataOffset;
        }

        /// <summary>The file (for messages).</summary>
        public string Path { get; }

        /// <summary>The error of a malformed header of this format.</summary>
        public ErrorDescriptor Error { get; }

        /// <summary>The lines read, the last one included.</summary>
        public IReadOnlyList<HeaderLine> Lines { get; }

        /// <summary>The byte offset just after the last line (where attached data starts), or -1 when the file ended first.</summary>
        public long DataOffset { get; }

        /// <summary>
        /// Reads lines from the start of <paramref name="stream"/> until <paramref name="isLast"/> says a line ends the header
        /// (that line included) or the file ends. Line breaks are <c>\n</c> or <c>\r\n</c>. A NUL byte, or more than
        /// <see cref="MaxBytes"/> without the end, is <paramref name="error"/>.
        /// </summary>
        public static TextHeader Read(string path, Stream stream, ErrorDescriptor error, Func<HeaderLine, bool> isLast)
        {
            var lines = new List<HeaderLine>();
            var line = new List<byte>(256);
            var buffer = new byte[4096];
            long position = 0;
            while (true)
            {
                int count;
                try { count = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, MaxBytes + 1L - position)); }
                catch (IOException e) { throw new DataException(DataErrors.FileNotReadable, path, "cannot read: " + e.Message, e); }
                if (count == 0)
                {
                    if (position > MaxBytes) throw new DataException(error, path, $"no end of the header within its first {MaxBytes} bytes; this is not a header of this format (or a corrupt one)");
                    if (line.Count > 0) lines.Add(new HeaderLine(lines.Count + 1, Decode(line)));
                    return new TextHeader(path, error, lines, -1);
                }
                for (int n = 0; n < count; n++)
                {
                    byte b = buffer[n];
                    position++;
                    if (b == 0) throw new DataException(error, path, $"line {lines.Count + 1} holds a NUL byte (byte {position - 1}): this is binary data, not a text header");
                    if (b != (byte)'\n') { line.Add(b); continue; }
                    var header = new HeaderLine(lines.Count + 1, Decode(line));
                    lines.Add(header);
                    line.Clear();
                    if (isLast(header))
                    {
                        // Rewind the stream to just after this line, for the caller to read attached data from there.
                        if (stream.CanSeek) stream.Seek(position, SeekOrigin.Begin);
                        return new TextHeader(path, error, lines, position);
                    }
                }
            }
        }

        private static string Decode(List<byte> bytes)
        {
            int length = bytes.Count;
            if (length > 0 && bytes[length - 1] == (byte)'\r') length--;
            return Encoding.UTF8.GetString(bytes.GetRange(0, length).ToArray());
        }

        /// <summary>A header error at <paramref name="line"/>.</summary>
        public DataException Fail(HeaderLine line, string detail) => new DataException(Error, Path, $"line {line.Number} ('{Shorten(line.Text)}'): {detail}");

        /// <summary>An error of another kind at <paramref name="line"/>.</summary>
        public DataException Fail(ErrorDescriptor error, HeaderLine line, string detail) => new DataException(error, Path, $"line {line.Number} ('{Shorten(line.Text)}'): {detail}");

        /// <summary>Whole numbers separated by spaces: exactly <paramref name="count"/> of them (any count when negative).</summary>
        public long[] Integers(HeaderLine line, string field, string value, int count)
        {
            string[] parts = Split(value);
            if (count >= 0 && parts.Length != count) throw Fail(line, $"{field} needs {count} whole number(s), and has {parts.Length}");
            var result = new long[parts.Length];
            for (int n = 0; n < parts.Length; n++)
                if (!long.TryParse(parts[n], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result[n]))
                    throw Fail(line, $"{field}: '{Shorten(parts[n])}' is not a whole number");
            return result;
        }

        /// <summary>
        /// The dimension count and the sizes of an image, checked: a count of 1 to <paramref name="max"/>, as many sizes, each at
        /// least 1 (E4004 otherwise; what does not parse is this format's header error).
        /// </summary>
        public long[] Sizes((HeaderLine Line, string Value) count, string countName, (HeaderLine Line, string Value) sizes, string sizesName, int max)
        {
            long n = Integers(count.Line, countName, count.Value, 1)[0];
            if (n < 1 || n > max) throw Fail(DataErrors.BadDimensions, count.Line, $"{countName} is {n}; it must be 1 to {max}");
            long[] result = Integers(sizes.Line, sizesName, sizes.Value, (int)n);
            for (int axis = 0; axis < n; axis++)
                if (result[axis] < 1) throw Fail(DataErrors.BadDimensions, sizes.Line, $"{sizesName}[{axis}] is {result[axis]}; every size must be at least 1");
            return result;
        }

        /// <summary>Real numbers separated by spaces: exactly <paramref name="count"/> of them, each finite.</summary>
        public double[] Reals(HeaderLine line, string field, string value, int count, ErrorDescriptor? error = null)
        {
            string[] parts = Split(value);
            if (parts.Length != count) throw Fail(line, $"{field} needs {count} number(s), and has {parts.Length}");
            var result = new double[count];
            for (int n = 0; n < count; n++) result[n] = Real(line, field, parts[n], error);
            return result;
        }

        /// <summary>One finite real number (invariant culture); "nan" and infinities are <paramref name="error"/> (default: <see cref="DataErrors.BadGeometry"/>).</summary>
        public double Real(HeaderLine line, string field, string text, ErrorDescriptor? error = null)
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                throw Fail(line, $"{field}: '{Shorten(text)}' is not a number");
            if (!double.IsFinite(value)) throw Fail(error ?? DataErrors.BadGeometry, line, $"{field} holds {Shorten(text)}; it must be a finite number");
            return value;
        }

        /// <summary>The parts of a value separated by spaces or tabs.</summary>
        public static string[] Split(string value) => value.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);

        /// <summary>The text cut to 80 characters, for messages.</summary>
        public static string Shorten(string text) => text.Length <= 80 ? text : text.Substring(0, 77) + "...";
    }
}
