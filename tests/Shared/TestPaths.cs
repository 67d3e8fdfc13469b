using System;
using System.IO;

namespace E2ENet.Tests
{
    /// <summary>Where the repository and its test data are, found from the test assembly's location.</summary>
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

        /// <summary>
        /// A path in the golden cases, tests/data/golden (outputs of the authors' PyTorch code and of nnU-Net's U-Net class,
        /// committed as test data; see its README.md): <c>Golden()</c> is the folder, <c>Golden("x.io.pt")</c> a file in it.
        /// </summary>
        public static string Golden(params string[] parts) => Path.Combine(Repo("tests", "data", "golden"), Path.Combine(parts));
    }
}
