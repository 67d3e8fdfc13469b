using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Diagnostics;
using E2ENet.Compiler.Syntax;
using E2ENet.Compiler.Text;

namespace E2ENet.Compiler.Semantics
{
    /// <summary>One value for one leaf, from one statement, ready to apply to a model.</summary>
    public sealed class BoundAssignment
    {
        internal BoundAssignment(SchemaLeaf leaf, ConfigValue value, SourceLocation location, int statement, bool isImplicit)
        {
            Leaf = leaf;
            Value = value;
            Location = location;
            Statement = statement;
            IsImplicit = isImplicit;
        }

        /// <summary>The key.</summary>
        public SchemaLeaf Leaf { get; }

        /// <summary>The value.</summary>
        public ConfigValue Value { get; }

        /// <summary>Where it was written.</summary>
        public SourceLocation Location { get; }

        /// <summary>Which statement produced it (assignments of one statement never count as duplicates).</summary>
        public int Statement { get; }

        /// <summary>True for a reset to the default that a short form implies (<c>act relu</c> resets <c>act.slope</c>).</summary>
        public bool IsImplicit { get; }
    }

    /// <summary>Turns statements (of a model body or a <c>--set</c>) into assignments, checking keys and values against the schema.</summary>
    public static class Binder
    {
        /// <summary>Binds every statement of a model body.</summary>
        public static List<BoundAssignment> BindBody(ModelSyntax model, SourceFile source, List<Diagnostic> diagnostics)
        {
            var context = new BindContext(source, diagnostics);
            var output = new List<BoundAssignment>();
            int counter = 0;
            BindStatements(model.Body, E2ESchema.Root, context, output, ref counter);
            return output;
        }

        /// <summary>
        /// Binds one override <c>path=value</c> (the text after <c>--set</c>). Diagnostics point into <paramref name="source"/>,
        /// whose text is the override itself.
        /// </summary>
        public static List<BoundAssignment> BindOverride(SourceFile source, List<Diagnostic> diagnostics)
        {
            var output = new List<BoundAssignment>();
            string text = source.Text;
            int equals = text.IndexOf('=');
            if (equals <= 0 || equals == text.Length - 1 || text.Substring(0, equals).Trim().Length == 0)
            {
                diagnostics.Add(DiagnosticDescriptors.BadOverride.Create(source.Location(new TextSpan(0, text.Length)), text));
                return output;
            }
            var local = new List<Diagnostic>();
            var statement = OverrideParser.Parse(source, equals, local);
            diagnostics.AddRange(local);
            if (statement == null) return output;
            var context = new BindContext(source, diagnostics);
            int counter = 0;
            BindStatements(new[] { statement }, E2ESchema.Root, context, output, ref counter);
            return output;
        }

        private static void BindStatements(IReadOnlyList<StatementSyntax> statements, SchemaSection scope, BindContext context, List<BoundAssignment> output, ref int counter)
        {
            foreach (StatementSyntax statement in statements)
            {
                SchemaNode? node = ResolvePath(statement.Path, scope, context);
                if (node == null) continue;
                if (statement.Block != null)
                {
                    if (node is SchemaSection section)
                    {
                        BindStatements(statement.Block, section, context, output, ref counter);
                    }
                    else
                    {
                        context.Report(DiagnosticDescriptors.Expected, statement.PathSpan, $"a value after '{node.Path}' (it is a key, not a section)", "'{'");
                    }
                    continue;
                }
                if (statement.Phrases.Count == 0)
                {
                    context.Report(DiagnosticDescriptors.MissingValue, statement.PathSpan, node.Path, Hint(node));
                    continue;
                }
                if (node is SchemaLeaf leaf)
                {
                    counter++;
                    ConfigValue? value = leaf.Type.Bind(statement.Phrases[0], leaf.Path, context);
                    if (value != null) Add(output, leaf, value, context.At(statement.Phrases[0].Span), counter, false);
                    // 'lr 0.01, schedule poly(0.9)': further 'key value' phrases are keys of the same scope.
                    for (int i = 1; i < statement.Phrases.Count; i++)
                    {
                        PhraseSyntax more = statement.Phrases[i];
                        if (more.Terms.Count >= 2 && more.Terms[0] is NameTerm key && scope.Find(key.Name.Split('.')) != null)
                        {
                            counter++;
                            BindSectionPhrase(scope, more, context, output, counter);
                            continue;
                        }
                        context.Report(DiagnosticDescriptors.TooManyValues, TextSpan.Cover(more.Span, statement.Phrases[statement.Phrases.Count - 1].Span),
                            leaf.Path, "a list is written in brackets, such as [a, b, c]; after ',' comes another 'key value'");
                        break;
                    }
                    continue;
                }
                var group = (SchemaSection)node;
                foreach (PhraseSyntax phrase in statement.Phrases)
                {
                    counter++;
                    // 'optimizer adamw, lr 0.001' inside 'training { }': a 'key value' that is not the section's own but
                    // belongs to the enclosing scope goes there, as after a leaf.
                    if (phrase != statement.Phrases[0] && BelongsToScopeOnly(group, scope, phrase))
                    {
                        BindSectionPhrase(scope, phrase, context, output, counter);
                        continue;
                    }
                    BindSectionPhrase(group, phrase, context, output, counter);
                }
            }
        }

        private static bool BelongsToScopeOnly(SchemaSection section, SchemaSection scope, PhraseSyntax phrase)
        {
            if (phrase.Terms.Count < 2 || phrase.Terms[0] is not NameTerm key) return false;
            string[] parts = key.Name.Split('.');
            if (section.Find(parts) != null || (section.Direct != null && section.Direct.Accepts(phrase))) return false;
            return scope.Find(parts) != null;
        }

        private static void Add(List<BoundAssignment> output, SchemaLeaf leaf, ConfigValue value, SourceLocation location, int statement, bool isImplicit)
        {
            output.Add(new BoundAssignment(leaf, value, location, statement, isImplicit));
            if (leaf.Parent != null)
            {
                foreach (string reset in leaf.Resets)
                {
                    SchemaLeaf sibling = leaf.Parent.Leaf(reset);
                    output.Add(new BoundAssignment(sibling, sibling.Default!, location, statement, true));
                }
            }
        }

        /// <summary>A phrase given to a section: <c>key value</c>, or the section's own short form.</summary>
        private static void BindSectionPhrase(SchemaSection section, PhraseSyntax phrase, BindContext context, List<BoundAssignment> output, int statement)
        {
            TermSyntax first = phrase.Terms[0];
            if (first is NameTerm name)
            {
                SchemaNode? child = section.Find(name.Name.Split('.'));
                if (child != null)
                {
                    if (phrase.Terms.Count == 1)
                    {
                        context.Report(DiagnosticDescriptors.MissingValue, name.Span, child.Path, Hint(child));
                        return;
                    }
                    PhraseSyntax rest = BindContext.Phrase(phrase.Terms.Skip(1).ToList());
                    if (child is SchemaLeaf leaf)
                    {
                        ConfigValue? value = leaf.Type.Bind(rest, leaf.Path, context);
                        if (value != null) Add(output, leaf, value, context.At(rest.Span), statement, false);
                    }
                    else
                    {
                        BindSectionPhrase((SchemaSection)child, rest, context, output, statement);
                    }
                    return;
                }
            }
            if (section.Direct != null && section.Direct.Accepts(phrase))
            {
                var pending = new List<PendingAssignment>();
                section.Direct.Bind(phrase, section, context, pending);
                foreach (PendingAssignment assignment in pending)
                {
                    Add(output, assignment.Leaf, assignment.Value, context.At(assignment.Span), statement, assignment.IsImplicit);
                }
                return;
            }
            if (first is NameTerm unknown)
            {
                IEnumerable<string> candidates = section.Children.Select(c => c.Name);
                if (section.Direct != null) candidates = candidates.Concat(section.Direct.Words);
                string key = section.Parent == null ? unknown.Name : section.Path + "." + unknown.Name;
                context.Report(DiagnosticDescriptors.UnknownKey, unknown.Span, key,
                    Suggest(unknown.Name, candidates, section) + KeysOf(section));
                return;
            }
            context.Report(DiagnosticDescriptors.Expected, first.Span, $"a key of '{section.Path}'{KeysOf(section)}", first.KindName);
        }

        private static string KeysOf(SchemaSection section)
        {
            string keys = string.Join(", ", section.Children.Select(c => c.Name));
            string forms = section.Direct != null ? $", or the short form '{section.Name} {section.Direct.Describe()}'" : string.Empty;
            return $" (keys of '{section.Path}': {keys}{forms})";
        }

        private static string Suggest(string word, IEnumerable<string> candidates, SchemaSection scope)
        {
            string? close = Suggestions.Closest(word, candidates);
            if (close != null) return $"; did you mean '{close}'?";
            // 'sparsity 0.8' at the top level: suggest the key where it lives.
            var elsewhere = E2ESchema.Leaves.Where(l => l.Name == word || Suggestions.Distance(l.Name, word, 1) <= 1).Select(l => l.Path).ToList();
            if (elsewhere.Count == 0)
            {
                elsewhere = AllSections(E2ESchema.Root).Where(s => s.Name == word).Select(s => s.Path).ToList();
            }
            return elsewhere.Count > 0 ? $"; did you mean '{elsewhere[0]}'?" : string.Empty;
        }

        private static IEnumerable<SchemaSection> AllSections(SchemaSection section)
        {
            foreach (SchemaNode child in section.Children)
            {
                if (child is SchemaSection inner)
                {
                    yield return inner;
                    foreach (SchemaSection deeper in AllSections(inner)) yield return deeper;
                }
            }
        }

        private static SchemaNode? ResolvePath(IReadOnlyList<NameSyntax> path, SchemaSection scope, BindContext context)
        {
            SchemaNode node = scope;
            for (int i = 0; i < path.Count; i++)
            {
                NameSyntax part = path[i];
                if (node is not SchemaSection section)
                {
                    context.Report(DiagnosticDescriptors.UnknownKey, part.Span, node.Path + "." + part.Text, $"; '{node.Path}' is a key, not a section");
                    return null;
                }
                SchemaNode? child = section.Child(part.Text);
                if (child == null)
                {
                    string written = section.Parent == null ? part.Text : section.Path + "." + part.Text;
                    IEnumerable<string> candidates = section.Children.Select(c => c.Name);
                    context.Report(DiagnosticDescriptors.UnknownKey, part.Span, written, Suggest(part.Text, candidates, section) + (section.Parent == null ? string.Empty : KeysOf(section)));
                    return null;
                }
                node = child;
            }
            return node;
        }

        private static string Hint(SchemaNode node)
        {
            if (node is SchemaLeaf leaf) return "for example '" + (leaf.Example ?? leaf.Path + " ...") + "'";
            var section = (SchemaSection)node;
            SchemaLeaf? example = section.Leaves().FirstOrDefault(l => l.Example != null);
            return $"give keys ({string.Join(", ", section.Children.Select(c => c.Name))})" + (example != null ? ", for example '" + example.Example + "'" : string.Empty);
        }
    }

    /// <summary>Parses the text of a <c>--set path=value</c> into a statement, keeping the override's columns.</summary>
    internal static class OverrideParser
    {
        public static StatementSyntax? Parse(SourceFile source, int equals, List<Diagnostic> diagnostics)
        {
            // Parse the path and the value separately from the same text, so every span stays an offset into the override.
            string text = source.Text;
            var path = new List<NameSyntax>();
            int i = 0;
            while (i < equals)
            {
                while (i < equals && text[i] == ' ') i++;
                int start = i;
                while (i < equals && text[i] != '.' && text[i] != ' ') i++;
                string part = text.Substring(start, i - start);
                if (!Identifiers.IsIdentifier(part))
                {
                    diagnostics.Add(DiagnosticDescriptors.BadOverride.Create(source.Location(new TextSpan(0, equals)), text));
                    return null;
                }
                path.Add(new NameSyntax(part, new TextSpan(start, part.Length)));
                while (i < equals && text[i] == ' ') i++;
                if (i < equals && text[i] == '.') i++;
            }
            if (path.Count == 0)
            {
                diagnostics.Add(DiagnosticDescriptors.BadOverride.Create(source.Location(new TextSpan(0, text.Length)), text));
                return null;
            }
            // The value: blank out "path=" so offsets are preserved, then parse phrases.
            string valueText = new string(' ', equals + 1) + text.Substring(equals + 1);
            var valueSource = new SourceFile(source.Path, valueText);
            IReadOnlyList<PhraseSyntax> phrases = Parser.ParseValue(valueSource, diagnostics);
            if (phrases.Count == 0)
            {
                diagnostics.Add(DiagnosticDescriptors.BadOverride.Create(source.Location(new TextSpan(0, text.Length)), text));
                return null;
            }
            return new StatementSyntax(path, phrases, null, new TextSpan(0, text.Length));
        }
    }
}
