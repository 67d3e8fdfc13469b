using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Diagnostics;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Compiler.Syntax;
using E2ENet.Compiler.Text;

namespace E2ENet.Compiler
{
    /// <summary>
    /// A set of .e2e files compiled together: models of any file may inherit from models of any other. The entry point of
    /// the front end, shared by the command-line tool, the run-time builder and the source generator.
    /// </summary>
    public sealed class E2ECompilation
    {
        /// <summary>The most files (imports included) one compilation reads.</summary>
        public const int MaxFiles = 1000;

        private readonly List<Diagnostic> _fileDiagnostics;

        private E2ECompilation(IReadOnlyList<FileSyntax> files, IReadOnlyList<CompiledModel> models, List<Diagnostic> fileDiagnostics)
        {
            Files = files;
            Models = models;
            _fileDiagnostics = fileDiagnostics;
            var all = new List<Diagnostic>(fileDiagnostics);
            foreach (CompiledModel model in models) all.AddRange(model.Diagnostics);
            Diagnostics = Sort(all.Distinct());
        }

        /// <summary>The parsed files, in the order given (imports after).</summary>
        public IReadOnlyList<FileSyntax> Files { get; }

        /// <summary>Every model, in declaration order.</summary>
        public IReadOnlyList<CompiledModel> Models { get; }

        /// <summary>Every diagnostic (of files and models), without duplicates, sorted by place.</summary>
        public IReadOnlyList<Diagnostic> Diagnostics { get; }

        /// <summary>Diagnostics that belong to no model (outside model bodies, overrides).</summary>
        public IReadOnlyList<Diagnostic> FileDiagnostics => Sort(_fileDiagnostics.Distinct());

        /// <summary>True when any diagnostic is an error.</summary>
        public bool HasErrors => Diagnostics.Any(d => d.IsError);

        /// <summary>The model named <paramref name="name"/>, or null.</summary>
        public CompiledModel? Find(string name) => Models.FirstOrDefault(m => m.Name == name);

        /// <summary>"; did you mean 'X'?" for a model name that does not exist, or an empty string.</summary>
        public string SuggestModel(string name) => Suggestions.DidYouMean(name, Models.Select(m => m.Name));

        /// <summary>Reads files from disk (imports relative to the importing file) and compiles them.</summary>
        public static E2ECompilation FromFiles(IEnumerable<string> paths, IReadOnlyList<string>? overrides = null)
        {
            var sources = new List<SourceFile>();
            var unreadable = new List<Diagnostic>();
            foreach (string path in paths)
            {
                SourceFile? file = DiskSources.ReadFile(path, out string? error);
                if (file != null) sources.Add(file);
                else unreadable.Add(DiagnosticDescriptors.FileNotReadable.Create(SourceLocation.None(path), path, error));
            }
            var options = new CompilationOptions { Overrides = overrides ?? Array.Empty<string>(), ImportResolver = DiskSources.Imports };
            E2ECompilation compilation = Create(sources, options);
            if (unreadable.Count == 0) return compilation;
            unreadable.AddRange(compilation._fileDiagnostics);
            return new E2ECompilation(compilation.Files, compilation.Models, unreadable);
        }

        /// <summary>Compiles a set of sources.</summary>
        public static E2ECompilation Create(IEnumerable<SourceFile> sources, CompilationOptions? options = null)
        {
            options ??= new CompilationOptions();
            var fileDiagnostics = new List<Diagnostic>();
            SourceSet set = SourceSet.Parse(sources, options.ImportResolver);
            List<FileSyntax> files = set.Files;
            Dictionary<FileSyntax, List<Diagnostic>> perFile = set.PerFile;

            // Declarations: one name, one model.
            var declarations = new Dictionary<string, (FileSyntax File, ModelSyntax Model)>(StringComparer.Ordinal);
            var ordered = new List<(FileSyntax File, ModelSyntax Model)>();
            foreach (FileSyntax file in files)
            {
                foreach (ModelSyntax model in file.Models)
                {
                    if (declarations.TryGetValue(model.Name.Text, out var first))
                    {
                        perFile[file].Add(DiagnosticDescriptors.DuplicateModel.Create(file.Source.Location(model.Name.Span), model.Name.Text,
                            first.File.Source.Location(first.Model.Name.Span).ToString()));
                        continue;
                    }
                    declarations[model.Name.Text] = (file, model);
                    ordered.Add((file, model));
                }
            }

            // Overrides are bound once, independent of the models they apply to.
            var overrides = new List<BoundAssignment>();
            for (int i = 0; i < options.Overrides.Count; i++)
            {
                var source = new SourceFile("--set", options.Overrides[i]);
                overrides.AddRange(Binder.BindOverride(source, fileDiagnostics));
            }
            bool overridesFailed = fileDiagnostics.Any(d => d.IsError);

            // Resolve each model: parent first (memoised), then its own statements.
            var resolver = new ModelResolution(declarations, perFile);
            var models = new List<CompiledModel>();
            foreach (var (file, model) in ordered)
            {
                ResolvedSettings inherited = resolver.Resolve(model.Name.Text, out List<Diagnostic> own);
                var diagnostics = new List<Diagnostic>(own);
                // Syntax errors inside this model's body belong to it.
                diagnostics.AddRange(perFile[file].Where(d => d.Location.File == file.Source.Path && Inside(file.Source, model.Span, d.Location)));
                ResolvedSettings final = inherited.Clone();
                foreach (BoundAssignment assignment in overrides) final.Apply(assignment, "--set");

                ModelSpec? spec = null;
                NetworkIr? network = null;
                string? parent = model.Parent?.Text;
                bool blocked = diagnostics.Any(d => d.IsError) || overridesFailed;
                var checks = new List<Diagnostic>();
                ModelSpec? checkedSpec = ModelChecker.Check(model.Name.Text, parent, file.Source.Path, final, file.Source.Location(model.Name.Span), checks);
                diagnostics.AddRange(checks);
                if (checkedSpec != null)
                {
                    var irDiagnostics = new List<Diagnostic>();
                    NetworkIr? built = IrBuilder.Build(checkedSpec, irDiagnostics, leaf => final[leaf].Origin ?? file.Source.Location(model.Name.Span));
                    diagnostics.AddRange(irDiagnostics);
                    if (!blocked && !diagnostics.Any(d => d.IsError))
                    {
                        spec = checkedSpec;
                        network = built;
                    }
                }
                models.Add(new CompiledModel(model.Name.Text, parent, file.Source, model, final, spec, network, Sort(diagnostics.Distinct())));
            }

            // The rest (outside model bodies, or in a model that was refused as a duplicate) belongs to the file.
            foreach (FileSyntax file in files)
            {
                var owned = ordered.Where(o => o.File == file).Select(o => o.Model).ToList();
                fileDiagnostics.AddRange(perFile[file].Where(d => !owned.Any(m => Inside(file.Source, m.Span, d.Location))));
            }
            return new E2ECompilation(files, models, fileDiagnostics);
        }

        private static bool Inside(SourceFile file, TextSpan span, SourceLocation location)
        {
            if (location.File != file.Path || !location.HasPosition) return false;
            var (startLine, startColumn) = file.LineColumn(span.Start);
            var (endLine, endColumn) = file.LineColumn(span.End);
            bool afterStart = location.Line > startLine || (location.Line == startLine && location.Column >= startColumn);
            bool beforeEnd = location.Line < endLine || (location.Line == endLine && location.Column <= endColumn);
            return afterStart && beforeEnd;
        }

        private static IReadOnlyList<Diagnostic> Sort(IEnumerable<Diagnostic> diagnostics)
            => diagnostics.OrderBy(d => d.Location.File, StringComparer.Ordinal).ThenBy(d => d.Location.Line).ThenBy(d => d.Location.Column)
                .ThenBy(d => d.Id, StringComparer.Ordinal).ToList();
    }
}
