using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Diagnostics;
using E2ENet.Compiler.Semantics;
using E2ENet.Compiler.Syntax;
using E2ENet.Compiler.Text;

namespace E2ENet.Compiler
{
    /// <summary>
    /// Resolves each model's settings: its parent's first (memoised, with cycle detection), then its own statements in order
    /// (a key set twice in one body is E2E0207).
    /// </summary>
    internal sealed class ModelResolution
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
