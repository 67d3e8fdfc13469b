using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using E2ENet.Compiler.Text;

namespace E2ENet.Cli
{
    /// <summary>The models shipped in <c>models/</c>, embedded in the tool so that it runs from any directory.</summary>
    public static class BuiltinModels
    {
        /// <summary>Every embedded model file, named <c>models/...</c> as in the repository.</summary>
        public static IReadOnlyList<SourceFile> Load()
        {
            Assembly assembly = typeof(BuiltinModels).Assembly;
            var files = new List<SourceFile>();
            foreach (string name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("models/") && n.EndsWith(".e2e")).OrderBy(n => n, System.StringComparer.Ordinal))
            {
                using Stream stream = assembly.GetManifestResourceStream(name)!;
                using var reader = new StreamReader(stream);
                files.Add(new SourceFile(name.Replace('\\', '/'), reader.ReadToEnd()));
            }
            return files;
        }
    }
}
