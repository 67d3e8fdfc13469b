using System;
using System.Collections.Generic;
using System.Linq;

namespace E2ENet.Compiler.Semantics
{
    /// <summary>The symbols of one closed choice of the .e2e language and the enum values they stand for, both ways.</summary>
    /// <typeparam name="T">The enum of the choice.</typeparam>
    public sealed class SymbolMap<T>
        where T : struct, Enum
    {
        private readonly (string Symbol, T Value)[] _entries;

        /// <summary>Creates the map; the first entry's order is the order the language lists the symbols in.</summary>
        public SymbolMap(params (string Symbol, T Value)[] entries)
        {
            _entries = entries;
            Symbols = entries.Select(e => e.Symbol).ToArray();
        }

        /// <summary>The accepted symbols, in the language's order.</summary>
        public IReadOnlyList<string> Symbols { get; }

        /// <summary>The value of <paramref name="symbol"/> (one the schema has accepted).</summary>
        /// <exception cref="ArgumentException">A symbol that is not one of <see cref="Symbols"/>.</exception>
        public T Parse(string symbol)
        {
            foreach (var (s, value) in _entries)
            {
                if (string.Equals(s, symbol, StringComparison.Ordinal)) return value;
            }
            throw new ArgumentException("'" + symbol + "' is not one of " + string.Join(", ", Symbols), nameof(symbol));
        }

        /// <summary>The symbol of <paramref name="value"/>, as written in .e2e files.</summary>
        public string Symbol(T value)
        {
            foreach (var (symbol, v) in _entries)
            {
                if (EqualityComparer<T>.Default.Equals(v, value)) return symbol;
            }
            throw new ArgumentOutOfRangeException(nameof(value), value, "no symbol for " + typeof(T).Name + "." + value);
        }
    }
}
