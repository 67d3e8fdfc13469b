using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Diagnostics;
using E2ENet.Compiler.Host;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Compiler.Syntax;
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

    /// <summary>One model of a compilation: its settings, its spec and IR when it is valid, and its diagnostics.</summary>
    public sealed class CompiledModel
    {
        internal CompiledModel(string name, string? parent, SourceFile file, ModelSyntax syntax, ResolvedSettings settings,
            ModelSpec? spec, NetworkIr? network, IReadOnlyList<Diagnostic> diagnostics)
        {
            Name = name;
            Parent = parent;
            File = file;
            Syntax = syntax;
            Settings = settings;
            Spec = spec;
            Network = network;
            Diagnostics = diagnostics;
        }

        /// <summary>The model's name.</summary>
        public string Name { get; }

        /// <summary>The model it inherits from.</summary>
        public string? Parent { get; }

        /// <summary>The file that declares it.</summary>
        public SourceFile File { get; }

        /// <summary>Its declaration.</summary>
        public ModelSyntax Syntax { get; }

        /// <summary>Every key's value and origin.</summary>
        public ResolvedSettings Settings { get; }

        /// <summary>The typed model, or null when it has errors.</summary>
        public ModelSpec? Spec { get; }

        /// <summary>The network graph, or null when it has errors.</summary>
        public NetworkIr? Network { get; }

        /// <summary>Problems of this model (its body, its resolved settings, its network), sorted by place.</summary>
        public IReadOnlyList<Diagnostic> Diagnostics { get; }

        /// <summary>True when any diagnostic is an error.</summary>
        public bool HasErrors => Diagnostics.Any(d => d.IsError);

        /// <summary>Where the model's name is written.</summary>
        public SourceLocation Location => File.Location(Syntax.Name.Span);
    }

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
                SourceFile? file = ReadFile(path, out string? error);
                if (file != null) sources.Add(file);
                else unreadable.Add(DiagnosticDescriptors.FileNotReadable.Create(SourceLocation.None(path), path, error));
            }
            var options = new CompilationOptions { Overrides = overrides ?? Array.Empty<string>(), ImportResolver = DiskImports };
            E2ECompilation compilation = Create(sources, options);
            if (unreadable.Count == 0) return compilation;
            unreadable.AddRange(compilation._fileDiagnostics);
            return new E2ECompilation(compilation.Files, compilation.Models, unreadable);
        }

        /// <summary>Resolves imports relative to the importing file, on disk.</summary>
        public static SourceFile? DiskImports(SourceFile importer, string path, out string? error)
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

        /// <summary>Compiles a set of sources.</summary>
        public static E2ECompilation Create(IEnumerable<SourceFile> sources, CompilationOptions? options = null)
        {
            options ??= new CompilationOptions();
            var fileDiagnostics = new List<Diagnostic>();
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
                    SourceFile? imported = ResolveImport(source, import.Path, options.ImportResolver, byKey, out string? error);
                    if (imported == null)
                    {
                        diagnostics.Add(DiagnosticDescriptors.ImportNotFound.Create(source.Location(import.Span), import.Path, error));
                        continue;
                    }
                    if (seen.Count + queue.Count >= MaxFiles)
                    {
                        diagnostics.Add(DiagnosticDescriptors.ImportNotFound.Create(source.Location(import.Span), import.Path, $"more than {MaxFiles} files in one set"));
                        continue;
                    }
                    string key = Key(imported.Path);
                    if (!byKey.ContainsKey(key)) byKey[key] = imported;
                    if (!seen.Contains(key)) queue.Enqueue(imported);
                }
            }

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

        /// <summary>Resolves inheritance chains, memoised, with cycle detection.</summary>
        private sealed class ModelResolution
        {
            private readonly Dictionary<string, (FileSyntax File, ModelSyntax Model)> _declarations;
            private readonly Dictionary<FileSyntax, List<Diagnostic>> _perFile;
            private readonly Dictionary<string, (ResolvedSettings Settings, List<Diagnostic> Diagnostics)> _done = new Dictionary<string, (ResolvedSettings, List<Diagnostic>)>();
            private readonly List<string> _stack = new List<string>();

            public ModelResolution(Dictionary<string, (FileSyntax, ModelSyntax)> declarations, Dictionary<FileSyntax, List<Diagnostic>> perFile)
            {
                _declarations = declarations;
                _perFile = perFile;
            }

            public ResolvedSettings Resolve(string name, out List<Diagnostic> diagnostics)
            {
                if (_done.TryGetValue(name, out var done))
                {
                    diagnostics = done.Diagnostics;
                    return done.Settings;
                }
                var (file, model) = _declarations[name];
                diagnostics = new List<Diagnostic>();
                ResolvedSettings settings = ResolvedSettings.Defaults();
                _stack.Add(name);
                if (model.Parent != null)
                {
                    string parent = model.Parent.Text;
                    SourceLocation at = file.Source.Location(model.Parent.Span);
                    if (!_declarations.ContainsKey(parent))
                    {
                        diagnostics.Add(DiagnosticDescriptors.UnknownParent.Create(at, name, parent, Suggestions.DidYouMean(parent, _declarations.Keys)));
                    }
                    else if (_stack.Contains(parent))
                    {
                        var cycle = _stack.Skip(_stack.IndexOf(parent)).Concat(new[] { parent });
                        diagnostics.Add(DiagnosticDescriptors.InheritanceCycle.Create(at, name, string.Join(" : ", cycle)));
                    }
                    else
                    {
                        ResolvedSettings inherited = Resolve(parent, out List<Diagnostic> parentDiagnostics);
                        settings = inherited.Clone();
                        if (parentDiagnostics.Any(d => d.IsError))
                        {
                            // The child cannot be right while its parent is wrong: say so here, the details are on the parent.
                            diagnostics.AddRange(parentDiagnostics.Where(d => d.IsError));
                        }
                    }
                }
                _stack.RemoveAt(_stack.Count - 1);

                var bodyDiagnostics = new List<Diagnostic>();
                List<BoundAssignment> assignments = Binder.BindBody(model, file.Source, bodyDiagnostics);
                var firstExplicit = new Dictionary<SchemaLeaf, BoundAssignment>();
                foreach (BoundAssignment assignment in assignments)
                {
                    if (!assignment.IsImplicit)
                    {
                        if (firstExplicit.TryGetValue(assignment.Leaf, out BoundAssignment? earlier) && earlier.Statement != assignment.Statement)
                        {
                            bodyDiagnostics.Add(DiagnosticDescriptors.DuplicateKey.Create(assignment.Location, assignment.Leaf.Path, earlier.Location.Line));
                        }
                        firstExplicit[assignment.Leaf] = assignment;
                    }
                    settings.Apply(assignment, name);
                }
                diagnostics.AddRange(bodyDiagnostics);
                _done[name] = (settings, diagnostics);
                return settings;
            }
        }
    }
}
