using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Compiler;
using E2ENet.Compiler.Diagnostics;
using E2ENet.Compiler.Text;
using E2ENet.Tests;

namespace E2ENet.Compiler.Tests
{
    internal static class Helpers
    {
        /// <summary>A minimal valid model body to build test models on.</summary>
        public const string Tiny = "input channels 1, patch [64, 64, 64]\n  classes 3\n  widths base 4, max 32\n";

        public static E2ECompilation Compile(string text, params string[] overrides)
            => E2ECompilation.Create(new[] { new SourceFile("test.e2e", text) }, new CompilationOptions { Overrides = overrides });

        public static E2ECompilation CompileFiles(params (string Path, string Text)[] files)
            => E2ECompilation.Create(files.Select(f => new SourceFile(f.Path, f.Text)));

        public static E2ECompilation Model(string body, params string[] overrides)
            => Compile("model M {\n  " + Tiny + "  " + body + "\n}\n", overrides);

        public static IReadOnlyList<string> Ids(E2ECompilation compilation) => compilation.Diagnostics.Select(d => d.Id).ToList();

        public static Diagnostic Single(E2ECompilation compilation, string id)
        {
            var matches = compilation.Diagnostics.Where(d => d.Id == id).ToList();
            Assert.True(matches.Count == 1, $"expected one {id}, got: {string.Join("; ", compilation.Diagnostics)}");
            return matches[0];
        }

        public static void Clean(E2ECompilation compilation)
            => Assert.True(!compilation.Diagnostics.Any(), "expected no diagnostics, got: " + string.Join("; ", compilation.Diagnostics));

        public static string ModelsDir => TestPaths.Repo("models");

        public static IReadOnlyList<string> ShippedFiles
            => Directory.GetFiles(ModelsDir, "*.e2e", SearchOption.AllDirectories).OrderBy(f => f, System.StringComparer.Ordinal).ToList();

        public static E2ECompilation Shipped(params string[] overrides) => E2ECompilation.FromFiles(ShippedFiles, overrides);
    }
}
