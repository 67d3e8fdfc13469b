using System;
using System.Collections.Generic;
using E2ENet.Compiler.Text;

namespace E2ENet.Compiler
{
    /// <summary>Finds the file an <c>import "path"</c> names; returns null and an error message when it cannot.</summary>
    public delegate SourceFile? ImportResolver(SourceFile importer, string path, out string? error);

    /// <summary>Options of a compilation.</summary>
    public sealed class CompilationOptions
    {
        /// <summary><c>path=value</c> overrides (the <c>--set</c> arguments), applied to every model after its own statements.</summary>
        public IReadOnlyList<string> Overrides { get; set; } = Array.Empty<string>();

        /// <summary>Reads imported files; null: imports may only name files already in the set.</summary>
        public ImportResolver? ImportResolver { get; set; }
    }
}
