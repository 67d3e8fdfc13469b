using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using E2ENet.Compiler.Semantics;
using Microsoft.CodeAnalysis.CSharp;

namespace E2ENet.Generators.Emitting
{
    /// <summary>C# literals, identifiers and documentation text, always in the invariant culture.</summary>
    internal static class CSharp
    {
        /// <summary>An identifier, escaped with <c>@</c> when it is a C# keyword.</summary>
        public static string Identifier(string name)
            => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

        /// <summary>A dotted namespace, each part escaped.</summary>
        public static string Namespace(string name) => string.Join(".", name.Split('.').Select(Identifier));

        /// <summary>A string literal.</summary>
        public static string String(string value)
        {
            var builder = new StringBuilder(value.Length + 2);
            builder.Append('"');
            foreach (char c in value)
            {
                switch (c)
                {
                    case '"': builder.Append("\\\""); break;
                    case '\\': builder.Append("\\\\"); break;
                    case '\n': builder.Append("\\n"); break;
                    case '\r': builder.Append("\\r"); break;
                    case '\t': builder.Append("\\t"); break;
                    default:
                        if (c < ' ' || c == '\u0085' || c == '\u2028' || c == '\u2029') builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else builder.Append(c);
                        break;
                }
            }
            return builder.Append('"').ToString();
        }

        /// <summary>A double literal that reads back to the same value (<c>1E-05</c>, <c>0.01</c>, <c>0.0</c>).</summary>
        public static string Double(double value)
        {
            string text = value.ToString("R", CultureInfo.InvariantCulture);
            return text.IndexOfAny(new[] { '.', 'E', 'e' }) < 0 ? text + ".0" : text;
        }

        /// <summary>An integer literal.</summary>
        public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>A boolean literal.</summary>
        public static string Bool(bool value) => value ? "true" : "false";

        /// <summary>A tuple literal <c>(d, h, w)</c>.</summary>
        public static string Tuple(Int3 value) => string.Format(CultureInfo.InvariantCulture, "({0}, {1}, {2})", value.D, value.H, value.W);

        /// <summary>Comma-separated integers.</summary>
        public static string List(IEnumerable<int> values) => string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));

        /// <summary>A number with thousands separators, for comments and documentation: <c>23,899,088</c>.</summary>
        public static string Grouped(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

        /// <summary>Text for XML documentation: <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> escaped, one line.</summary>
        public static string Xml(string text)
            => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\r", " ").Replace("\n", " ");
    }
}
