using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Diagnostics;
using E2ENet.Compiler.Syntax;
using E2ENet.Compiler.Text;

namespace E2ENet.Compiler
{
    /// <summary>
    /// The files of a compilation: the sources given, parsed, and transitively the files they import (each once, by full
    /// path), with each file's syntax diagnostics. At most <see cref="E2ECompilation.MaxFiles"/> files.
    /// </summary>
    internal sealed class SourceSet
    {
        private SourceSet(List<FileSyntax> files, Dictionary<FileSyntax, List<Diagnostic>> perFile)
        {
            Files = files;
            PerFile = perFile;
        }

        /// <summary>The parsed files, in the order given (imports after).</summary>
        public List<FileSyntax> Files { get; }

        /// <summary>Each file's own diagnostics (syntax, imports); the compilation adds to them.</summary>
        public Dictionary<FileSyntax, List<Diagnostic>> PerFile { get; }

        /// <summary>Parses <paramref name="sources"/> and what they import through <paramref name="resolver"/>.</summary>
        public static SourceSet Parse(IEnumerable<SourceFile> sources, ImportResolver? resolver)
        {
            var files = new List<FileSyntax>();
            var perFile = new Dictionary<FileSyntax, List<Diagnostic>>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var queue = new Queue<SourceFile>(sources);

            // Parse every file and, transitively, the files they import.
            var byKey = new Dictionary<string, SourceFile>();
            foreach (SourceFile source in queue) byKey[Key(source.Path)] = source;
            while (queue.Count > 0)
            {
                SourceFile source = queue.Dequeue();
                if (!seen.Add(Key(source.Path))) continue;
                var diagnostics = new List<Diagnostic>();
                FileSyntax syntax = Parser.ParseFile(source, diagnostics);
                files.Add(syntax);
                perFile[syntax] = diagnostics;
                if (syntax.Models.Count == 0 && !diagnostics.Any(d => d.IsError) && syntax.Imports.Count == 0)
                {
                    diagnostics.Add(DiagnosticDescriptors.NoModels.Create(source.Location(new TextSpan(0, 0))));
                }
                foreach (ImportSyntax import in syntax.Imports)
                {
                    SourceFile? imported = ResolveImport(source, import.Path, resolver, byKey, out string? error);
                    if (imported == null)
                    {
                        diagnostics.Add(DiagnosticDescriptors.ImportNotFound.Create(source.Location(import.Span), import.Path, error));
                        continue;
                    }
                    if (seen.Count + queue.Count >= E2ECompilation.MaxFiles)
                    {
                        diagnostics.Add(DiagnosticDescriptors.ImportNotFound.Create(source.Location(import.Span), import.Path, $"more than {E2ECompilation.MaxFiles} files in one set"));
                        continue;
                    }
                    string key = Key(imported.Path);
                    if (!byKey.ContainsKey(key)) byKey[key] = imported;
                    if (!seen.Contains(key)) queue.Enqueue(imported);
                }
            }
            return new SourceSet(files, perFile);
        }

        private static SourceFile? ResolveImport(SourceFile importer, string path, ImportResolver? resolver, Dictionary<string, SourceFile> known, out string? error)
        {
            string directory = Path.GetDirectoryName(importer.Path) ?? string.Empty;
            string combined;
            try
            {
                combined = Path.IsPathRooted(path) ? path : Path.Combine(directory, path);
            }
            catch (ArgumentException e)
            {
                error = e.Message;
                return null;
            }
            if (known.TryGetValue(Key(combined), out SourceFile? existing))
            {
                error = null;
                return existing;
            }
            if (resolver == null)
            {
                error = "it is not part of this set of files (add it to the compilation, or as an AdditionalFiles item)";
                return null;
            }
            return resolver(importer, path, out error);
        }

        private static string Key(string path)
        {
            try
            {
                return Path.GetFullPath(path).Replace('\\', '/');
            }
            catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is PathTooLongException || e is System.Security.SecurityException)
            {
                return path;
            }
        }
    }
}
