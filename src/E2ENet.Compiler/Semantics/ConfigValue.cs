using System.Globalization;
using System.Linq;
using System.Text;

namespace E2ENet.Compiler.Semantics
{
    /// <summary>A resolved setting value. Every value prints back as .e2e source (<see cref="ToE2E"/>), which parses to an equal value.</summary>
    public abstract record ConfigValue
    {
        /// <summary>The value in the language's own syntax.</summary>
        public abstract string ToE2E();

        /// <inheritdoc />
        public sealed override string ToString() => ToE2E();
    }

    /// <summary>An integer.</summary>
    public sealed record IntValue(long Value) : ConfigValue
    {
        /// <inheritdoc />
        public override string ToE2E() => Value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A real number.</summary>
    public sealed record FloatValue(double Value) : ConfigValue
    {
        /// <inheritdoc />
        public override string ToE2E() => Format(Value);

        /// <summary>Shortest invariant text that parses back to the same double.</summary>
        public static string Format(double value)
        {
            string text = value.ToString("R", CultureInfo.InvariantCulture);
            if (text.IndexOf('E') >= 0) text = text.Replace("E", "e");
            return text;
        }
    }

    /// <summary><c>true</c> or <c>false</c>.</summary>
    public sealed record BoolValue(bool Value) : ConfigValue
    {
        /// <inheritdoc />
        public override string ToE2E() => Value ? "true" : "false";
    }

    /// <summary>A word: a choice (<c>kernel</c>), a name (<c>liver</c>) or a dotted name (<c>My.Models</c>).</summary>
    public sealed record SymbolValue(string Value) : ConfigValue
    {
        /// <inheritdoc />
        public override string ToE2E() => Value;
    }

    /// <summary>A string that is not a plain word.</summary>
    public sealed record TextValue(string Value) : ConfigValue
    {
        /// <inheritdoc />
        public override string ToE2E()
        {
            var builder = new StringBuilder("\"");
            foreach (char c in Value)
            {
                switch (c)
                {
                    case '"': builder.Append("\\\""); break;
                    case '\\': builder.Append("\\\\"); break;
                    case '\n': builder.Append("\\n"); break;
                    case '\t': builder.Append("\\t"); break;
                    default: builder.Append(c); break;
                }
            }
            return builder.Append('"').ToString();
        }
    }

    /// <summary>A list of values.</summary>
    public sealed record ListValue(EquatableArray<ConfigValue> Items) : ConfigValue
    {
        /// <inheritdoc />
        public override string ToE2E() => "[" + string.Join(", ", Items.Select(i => i.ToE2E())) + "]";
    }

    /// <summary>The absence of a value: <c>none</c>.</summary>
    public sealed record NoneValue : ConfigValue
    {
        /// <summary>The one instance.</summary>
        public static readonly NoneValue Instance = new NoneValue();

        /// <inheritdoc />
        public override string ToE2E() => "none";
    }
}
