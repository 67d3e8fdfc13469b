using System;
using System.IO;

namespace E2ENet.Tests
{
    /// <summary>Where the repository and ../shared are, found from the test assembly's location.</summary>
    internal static class TestPaths
    {
        private static readonly Lazy<string> RootPath = new Lazy<string>(() =>
        {
            string? directory = AppContext.BaseDirectory;
            while (directory != null)
            {
                if (File.Exists(Path.Combine(directory, "E2ENet.Compiler.sln"))) return directory;
                directory = Path.GetDirectoryName(directory);
            }
            throw new InvalidOperationException("E2ENet.Compiler.sln not found above " + AppContext.BaseDirectory);
        });

        /// <summary>The repository root (where E2ENet.Compiler.sln is).</summary>
        public static string Root => RootPath.Value;

        /// <summary>A path under the repository root.</summary>
        public static string Repo(params string[] parts) => Path.Combine(Root, Path.Combine(parts));

        /// <summary>The shared folder beside the checkout (../shared): the method, golden outputs, environment notes.</summary>
        public static string Shared(params string[] parts) => Path.Combine(Path.GetFullPath(Path.Combine(Root, "..", "shared")), Path.Combine(parts));
    }
}
