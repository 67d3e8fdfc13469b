using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using E2ENet.Compiler;
using E2ENet.Compiler.Diagnostics;
using E2ENet.Compiler.Text;
using E2ENet.Generators.Model;
using Microsoft.CodeAnalysis.Text;
using FrontEndDiagnostic = E2ENet.Compiler.Diagnostics.Diagnostic;
using FrontEndSeverity = E2ENet.Compiler.Diagnostics.DiagnosticSeverity;
using RoslynSeverity = Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace E2ENet.Generators.Parsing
{
    /// <summary>
    /// Compiles the project's <c>.e2e</c> files as one set with the front end (models inherit across files; imports must be
    /// among the files) and turns the result into equatable pipeline models: the classes to generate and the diagnostics.
    /// Never throws (but for cancellation): an unexpected failure becomes diagnostic E2E0501.
    /// </summary>
    internal static class ModelSetCompiler
    {
        /// <summary>Compiles <paramref name="files"/>.</summary>
        /// <param name="files">The <c>.e2e</c> AdditionalFiles, in any order; the same path twice counts once.</param>
        /// <param name="cancellationToken">Cancels the work.</param>
        /// <param name="compile">The front end (tests replace it to check that failures are reported, not thrown).</param>
        public static ModelSetResult Compile(ImmutableArray<E2ESourceText> files, CancellationToken cancellationToken,
            Func<IReadOnlyList<SourceFile>, E2ECompilation>? compile = null)
        {
            if (files.IsDefaultOrEmpty) return ModelSetResult.Empty;
            // One entry per path, in path order: the result does not depend on the order MSBuild lists the files.
            List<E2ESourceText> set = files.GroupBy(f => f.Path, StringComparer.Ordinal).Select(g => g.First()).ToList();
            set.Sort(E2ESourceText.CompareByPath);
            try
            {
                return CompileSet(set, cancellationToken, compile ?? (sources => E2ECompilation.Create(sources, new CompilationOptions())));
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                string what = set.Count == 1
                    ? E2ESourceText.FileName(set[0].Path)
                    : string.Format(CultureInfo.InvariantCulture, "the set of {0} .e2e files ({1})", set.Count,
                        string.Join(", ", set.Select(f => E2ESourceText.FileName(f.Path))));
                var failure = new DiagnosticInfo(DiagnosticDescriptors.GeneratorFailed.Id, RoslynSeverity.Error,
                    DiagnosticDescriptors.GeneratorFailed.Create(SourceLocation.None(set[0].Path), what, e.GetType().Name + ": " + e.Message).Message,
                    set[0].Path, default, default);
                return new ModelSetResult(EquatableArray<ModelToGenerate>.Empty, EquatableArray.Of(failure));
            }
        }

        private static ModelSetResult CompileSet(List<E2ESourceText> set, CancellationToken cancellationToken, Func<IReadOnlyList<SourceFile>, E2ECompilation> compile)
        {
            var diagnostics = new List<DiagnosticInfo>();
            var sources = new List<SourceFile>();
            var files = new Dictionary<string, SourceFile>(StringComparer.Ordinal);
            foreach (E2ESourceText file in set)
            {
                if (file.Text == null)
                {
                    FrontEndDiagnostic unreadable = DiagnosticDescriptors.FileNotReadable.Create(SourceLocation.None(file.Path), file.Path, "the compiler could not read it");
                    diagnostics.Add(Convert(unreadable, files));
                    continue;
                }
                var source = new SourceFile(file.Path, file.Text);
                sources.Add(source);
                files[file.Path] = source;
            }
            cancellationToken.ThrowIfCancellationRequested();

            E2ECompilation compilation = compile(sources);
            cancellationToken.ThrowIfCancellationRequested();
            diagnostics.AddRange(compilation.Diagnostics.Select(d => Convert(d, files)));

            var models = new List<ModelToGenerate>();
            var taken = new Dictionary<string, CompiledModel>(StringComparer.Ordinal);
            var hintNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (CompiledModel model in compilation.Models)
            {
                if (model.Spec == null || model.Network == null) continue; // its errors are reported above
                string ns = model.Spec.Codegen.Namespace;
                string className = ClassName(model);
                string fullName = ns + "." + className;
                if (taken.TryGetValue(fullName, out CompiledModel? first))
                {
                    FrontEndDiagnostic collision = DiagnosticDescriptors.GeneratedNameCollision.Create(model.Location, model.Name, fullName, first.Name, first.Location.ToString());
                    diagnostics.Add(Convert(collision, files));
                    continue;
                }
                taken[fullName] = model;
                models.Add(new ModelToGenerate(ns, className, HintName(fullName, hintNames), E2ESourceText.FileName(model.File.Path), model.Network));
            }
            return new ModelSetResult(new EquatableArray<ModelToGenerate>(models.ToArray()), new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()));
        }

        /// <summary>
        /// <c>Namespace.Class.g.cs</c>; Roslyn compares hint names ignoring case (they become file names), so classes that differ
        /// only in case (<c>Net</c> and <c>NET</c>, both valid C#) get <c>.2</c>, <c>.3</c>... before the extension.
        /// </summary>
        private static string HintName(string fullName, HashSet<string> taken)
        {
            string hint = fullName + ".g.cs";
            for (int n = 2; !taken.Add(hint); n++) hint = fullName + "." + n.ToString(CultureInfo.InvariantCulture) + ".g.cs";
            return hint;
        }

        /// <summary>
        /// The class name: <c>codegen class</c> when the model sets it itself, else the model's name. A class name is not
        /// inherited (a variant of a model with <c>codegen class Net</c> would otherwise collide with it); the namespace is.
        /// </summary>
        private static string ClassName(CompiledModel model)
            => string.Equals(model.Settings["codegen.class"].SetBy, model.Name, StringComparison.Ordinal) ? model.Spec!.Codegen.ClassName : model.Name;

        private static DiagnosticInfo Convert(FrontEndDiagnostic diagnostic, Dictionary<string, SourceFile> files)
        {
            SourceLocation at = diagnostic.Location;
            RoslynSeverity severity = diagnostic.Severity switch
            {
                FrontEndSeverity.Error => RoslynSeverity.Error,
                FrontEndSeverity.Warning => RoslynSeverity.Warning,
                _ => RoslynSeverity.Info,
            };
            if (!at.HasPosition || !files.TryGetValue(at.File, out SourceFile? source))
            {
                return new DiagnosticInfo(diagnostic.Id, severity, diagnostic.Message, string.IsNullOrEmpty(at.File) ? null : at.File, default, default);
            }
            int start = source.Offset(at.Line, at.Column);
            var span = Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(start, Math.Max(start, source.Offset(at.EndLine, at.EndColumn)));
            var lines = new LinePositionSpan(
                new LinePosition(at.Line - 1, Math.Max(0, at.Column - 1)),
                new LinePosition(Math.Max(at.Line, at.EndLine) - 1, Math.Max(0, at.EndColumn - 1)));
            if (lines.End < lines.Start) lines = new LinePositionSpan(lines.Start, lines.Start);
            return new DiagnosticInfo(diagnostic.Id, severity, diagnostic.Message, at.File, span, lines);
        }
    }
}
