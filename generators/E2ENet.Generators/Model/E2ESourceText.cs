using System;

namespace E2ENet.Generators.Model
{
    /// <summary>
    /// One <c>.e2e</c> file as the pipeline sees it: its path and its text (null when the file could not be read).
    /// Compared by value, so that an unchanged file keeps every step after it cached.
    /// </summary>
    internal sealed record E2ESourceText(string Path, string? Text)
    {
        /// <summary>Ordinal comparison of paths, the order in which the set is compiled (stable across builds).</summary>
        public static int CompareByPath(E2ESourceText a, E2ESourceText b) => string.CompareOrdinal(a.Path, b.Path);

        /// <summary>The file name without its folder, as the generated code names it (no absolute paths in generated code).</summary>
        public static string FileName(string path)
        {
            int slash = Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\'));
            return slash < 0 ? path : path.Substring(slash + 1);
        }
    }
}
