using System;
using System.IO;
using E2ENet.Compiler.Host;
using E2ENet.Compiler.Syntax;
using E2ENet.Compiler.Text;

namespace E2ENet.Compiler
{
    /// <summary>.e2e sources on disk: a file read safely, and imports resolved relative to the importing file.</summary>
    public static class DiskSources
    {
        /// <summary>Resolves imports relative to the importing file, on disk.</summary>
        public static SourceFile? Imports(SourceFile importer, string path, out string? error)
        {
            string directory = Path.GetDirectoryName(importer.Path) ?? string.Empty;
            string combined = Path.IsPathRooted(path) ? path : Path.Combine(directory, path);
            return ReadFile(combined, out error);
        }

        /// <summary>
        /// Reads a source file: only a regular file (a FIFO is never opened, a device never read), and never more bytes than an
        /// .e2e file may have, whatever its length claims.
        /// </summary>
        public static SourceFile? ReadFile(string path, out string? error)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    error = "it is a directory";
                    return null;
                }
                error = null;
                return new SourceFile(path, RegularFile.ReadAllText(path, Lexer.MaxSourceLength * 4L));
            }
            catch (FileNotFoundException)
            {
                error = "no such file";
                return null;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException)
            {
                error = e is FileRefusedException ? "it " + e.Message : e.Message;
                return null;
            }
        }
    }
}
