using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Diagnostics;
using E2ENet.Compiler.Syntax;
using E2ENet.Compiler.Text;

namespace E2ENet.Compiler.Semantics
{
    /// <summary>A value written for a section as a whole, which sets several of its keys: <c>norm instance(eps 1e-5)</c>.</summary>
    public abstract class DirectForm
    {
        /// <summary>The form as shown in the language reference.</summary>
        public abstract string Describe();

        /// <summary>Words this form accepts (for "did you mean" and docs).</summary>
        public virtual IEnumerable<string> Words => Enumerable.Empty<string>();

        /// <summary>Whether the phrase is meant for this form (else the binder reports an unknown key).</summary>
        internal abstract bool Accepts(PhraseSyntax phrase);

        /// <summary>Turns the phrase into assignments of the section's leaves.</summary>
        internal abstract void Bind(PhraseSyntax phrase, SchemaSection section, BindContext context, List<PendingAssignment> output);

        private protected static string LeafPath(SchemaSection section, string leaf) => section.Path + "." + leaf;
    }

    /// <summary>A leaf and the value bound for it, before it is applied to a model.</summary>
    internal readonly struct PendingAssignment
    {
        public PendingAssignment(SchemaLeaf leaf, ConfigValue value, TextSpan span, bool isImplicit = false)
        {
            Leaf = leaf;
            Value = value;
            Span = span;
            IsImplicit = isImplicit;
        }

        /// <summary>True for a reset to the default that the short form implies.</summary>
        public bool IsImplicit { get; }

        public SchemaLeaf Leaf { get; }

        public ConfigValue Value { get; }

        public TextSpan Span { get; }
    }

    /// <summary>The signature of one function of a <see cref="CallForm"/>: its arguments and which one may be given by position.</summary>
    public sealed class CallSignature
    {
        /// <summary>Creates a signature.</summary>
        public CallSignature(string name, string? positional, params string[] arguments)
        {
            Name = name;
            Positional = positional;
            Arguments = arguments;
        }

        /// <summary>The function's name (a choice of the section's <c>type</c> key).</summary>
        public string Name { get; }

        /// <summary>The argument that may be written without its name, first: <c>leaky_relu(0.01)</c>.</summary>
        public string? Positional { get; }

        /// <summary>The keys of the section this function uses.</summary>
        public IReadOnlyList<string> Arguments { get; }
    }

    /// <summary>
    /// <c>name</c> or <c>name(arg value, ...)</c>: sets the section's <c>type</c> key to <c>name</c>, the named arguments to their
    /// values, and every other argument of that function back to its default.
    /// </summary>
    public sealed class CallForm : DirectForm
    {
        private readonly string _typeLeaf;
        private readonly CallSignature[] _signatures;

        /// <summary>Creates the form.</summary>
        public CallForm(string typeLeaf, params CallSignature[] signatures)
        {
            _typeLeaf = typeLeaf;
            _signatures = signatures;
        }

        /// <summary>The functions.</summary>
        public IReadOnlyList<CallSignature> Signatures => _signatures;

        /// <inheritdoc />
        public override IEnumerable<string> Words => _signatures.Select(s => s.Name);

        /// <inheritdoc />
        public override string Describe()
            => string.Join(" | ", _signatures.Select(s => s.Arguments.Count == 0 ? s.Name
                : s.Name + "(" + string.Join(", ", s.Arguments.Select(a => a == s.Positional ? "[" + a + "] value" : a + " value")) + ")"));

        internal override bool Accepts(PhraseSyntax phrase)
            => phrase.Terms.Count == 1 && (phrase.Terms[0] is CallTerm || phrase.Terms[0] is NameTerm);

        internal override void Bind(PhraseSyntax phrase, SchemaSection section, BindContext context, List<PendingAssignment> output)
        {
            TermSyntax term = phrase.Terms[0];
            string name;
            TextSpan nameSpan;
            IReadOnlyList<PhraseSyntax> args;
            if (term is CallTerm call)
            {
                name = call.Name.Text;
                nameSpan = call.Name.Span;
                args = call.Arguments;
            }
            else
            {
                name = ((NameTerm)term).Name;
                nameSpan = term.Span;
                args = new PhraseSyntax[0];
            }
            SchemaLeaf typeLeaf = section.Leaf(_typeLeaf);
            ConfigValue? type = ((ChoiceType)typeLeaf.Type).BindWord(name, nameSpan, typeLeaf.Path, context);
            if (type == null) return;
            CallSignature signature = _signatures.First(s => s.Name == name);
            output.Add(new PendingAssignment(typeLeaf, type, term.Span));

            var given = new Dictionary<string, TextSpan>();
            for (int i = 0; i < args.Count; i++)
            {
                PhraseSyntax arg = args[i];
                SchemaLeaf? leaf;
                PhraseSyntax valuePhrase;
                if (arg.Terms[0] is NameTerm argName && arg.Terms.Count >= 2)
                {
                    if (!signature.Arguments.Contains(argName.Name))
                    {
                        context.Report(DiagnosticDescriptors.UnknownArgument, argName.Span, name + "(...)", argName.Name,
                            Suggestions.DidYouMean(argName.Name, signature.Arguments) + Takes(signature));
                        continue;
                    }
                    leaf = section.Leaf(argName.Name);
                    valuePhrase = BindContext.Phrase(arg.Terms.Skip(1).ToList());
                }
                else if (i == 0 && signature.Positional != null)
                {
                    leaf = section.Leaf(signature.Positional);
                    valuePhrase = arg;
                }
                else
                {
                    context.Report(DiagnosticDescriptors.Expected, arg.Span,
                        signature.Arguments.Count == 0 ? $"no arguments for {name}" : $"a named argument of {name}, such as '{signature.Arguments[0]} value'",
                        arg.Terms[0].KindName);
                    continue;
                }
                if (given.ContainsKey(leaf.Name))
                {
                    context.Report(DiagnosticDescriptors.DuplicateArgument, arg.Span, name + "(...)", leaf.Name);
                    continue;
                }
                given[leaf.Name] = arg.Span;
                ConfigValue? value = leaf.Type.Bind(valuePhrase, leaf.Path, context);
                if (value != null) output.Add(new PendingAssignment(leaf, value, arg.Span));
            }
            // Arguments not given go back to their defaults: 'act leaky_relu' means the default slope, whatever a parent said.
            foreach (string argument in signature.Arguments)
            {
                if (!given.ContainsKey(argument))
                {
                    SchemaLeaf leaf = section.Leaf(argument);
                    output.Add(new PendingAssignment(leaf, leaf.Default!, term.Span, isImplicit: true));
                }
            }
        }

        private static string Takes(CallSignature signature)
            => signature.Arguments.Count == 0 ? $" ({signature.Name} takes no arguments)" : $" ({signature.Name} takes {string.Join(", ", signature.Arguments)})";
    }

    /// <summary><c>on</c>/<c>off</c> (and <c>true</c>/<c>false</c>) for a section's boolean switch: <c>evolve off</c>.</summary>
    public sealed class SwitchForm : DirectForm
    {
        private readonly string _leaf;

        /// <summary>Creates the form for the boolean leaf <paramref name="leaf"/>.</summary>
        public SwitchForm(string leaf) => _leaf = leaf;

        /// <inheritdoc />
        public override IEnumerable<string> Words => new[] { "on", "off", "true", "false" };

        /// <inheritdoc />
        public override string Describe() => "on | off";

        internal override bool Accepts(PhraseSyntax phrase)
            => phrase.Terms.Count == 1 && phrase.Terms[0] is NameTerm name && Words.Contains(name.Name);

        internal override void Bind(PhraseSyntax phrase, SchemaSection section, BindContext context, List<PendingAssignment> output)
        {
            SchemaLeaf leaf = section.Leaf(_leaf);
            ConfigValue? value = leaf.Type.Bind(phrase, leaf.Path, context);
            if (value != null) output.Add(new PendingAssignment(leaf, value, phrase.Span));
        }
    }

    /// <summary>A probability for an augmentation: <c>rotation 0.2</c>, <c>rotation off</c> (0), <c>rotation on</c> (its default).</summary>
    public sealed class ProbabilityForm : DirectForm
    {
        private readonly string _leaf;

        /// <summary>Creates the form for the probability leaf <paramref name="leaf"/>.</summary>
        public ProbabilityForm(string leaf) => _leaf = leaf;

        /// <inheritdoc />
        public override IEnumerable<string> Words => new[] { "on", "off" };

        /// <inheritdoc />
        public override string Describe() => "probability | on | off";

        internal override bool Accepts(PhraseSyntax phrase)
            => phrase.Terms.Count == 1 && (phrase.Terms[0] is NumberTerm || (phrase.Terms[0] is NameTerm name && Words.Contains(name.Name)));

        internal override void Bind(PhraseSyntax phrase, SchemaSection section, BindContext context, List<PendingAssignment> output)
        {
            SchemaLeaf leaf = section.Leaf(_leaf);
            if (phrase.Terms[0] is NameTerm word)
            {
                ConfigValue value = word.Name == "off" ? new FloatValue(0) : leaf.Default!;
                output.Add(new PendingAssignment(leaf, value, phrase.Span));
                return;
            }
            ConfigValue? bound = leaf.Type.Bind(phrase, leaf.Path, context);
            if (bound != null) output.Add(new PendingAssignment(leaf, bound, phrase.Span));
        }
    }

    /// <summary><c>on</c>/<c>off</c> for a group of probability sections: <c>augment off</c> sets every probability to 0.</summary>
    public sealed class AllProbabilitiesForm : DirectForm
    {
        private readonly string _leaf;

        /// <summary>Creates the form for the probability leaf named <paramref name="leaf"/> of every child section.</summary>
        public AllProbabilitiesForm(string leaf) => _leaf = leaf;

        /// <inheritdoc />
        public override IEnumerable<string> Words => new[] { "on", "off" };

        /// <inheritdoc />
        public override string Describe() => "on | off";

        internal override bool Accepts(PhraseSyntax phrase)
            => phrase.Terms.Count == 1 && phrase.Terms[0] is NameTerm name && Words.Contains(name.Name);

        internal override void Bind(PhraseSyntax phrase, SchemaSection section, BindContext context, List<PendingAssignment> output)
        {
            bool on = ((NameTerm)phrase.Terms[0]).Name == "on";
            foreach (SchemaNode child in section.Children)
            {
                if (child is SchemaSection group && group.Child(_leaf) is SchemaLeaf leaf)
                {
                    // Implicit: 'augment off' followed by 'augment.mirror 0.5' is a pattern, not a key set twice.
                    output.Add(new PendingAssignment(leaf, on ? leaf.Default! : new FloatValue(0), phrase.Span, isImplicit: true));
                }
            }
        }
    }

    /// <summary>A list written for the section as a whole: <c>widths [32, 64, 128, 256, 320, 320]</c>.</summary>
    public sealed class ListForm : DirectForm
    {
        private readonly string _leaf;

        /// <summary>Creates the form for the list leaf <paramref name="leaf"/>.</summary>
        public ListForm(string leaf) => _leaf = leaf;

        /// <inheritdoc />
        public override string Describe() => "[list]";

        internal override bool Accepts(PhraseSyntax phrase) => phrase.Terms[0] is ListTerm;

        internal override void Bind(PhraseSyntax phrase, SchemaSection section, BindContext context, List<PendingAssignment> output)
        {
            SchemaLeaf leaf = section.Leaf(_leaf);
            ConfigValue? value = leaf.Type.Bind(phrase, leaf.Path, context);
            if (value != null) output.Add(new PendingAssignment(leaf, value, phrase.Span));
        }
    }

    /// <summary>A number with its unit: <c>every 1200 iterations</c>, <c>every 5 epochs</c>.</summary>
    public sealed class QuantityForm : DirectForm
    {
        private readonly string _count;
        private readonly string _unit;

        /// <summary>Creates the form for the number leaf <paramref name="count"/> and the unit leaf <paramref name="unit"/>.</summary>
        public QuantityForm(string count, string unit)
        {
            _count = count;
            _unit = unit;
        }

        /// <inheritdoc />
        public override string Describe() => "number unit";

        internal override bool Accepts(PhraseSyntax phrase) => phrase.Terms[0] is NumberTerm;

        internal override void Bind(PhraseSyntax phrase, SchemaSection section, BindContext context, List<PendingAssignment> output)
        {
            SchemaLeaf count = section.Leaf(_count);
            SchemaLeaf unit = section.Leaf(_unit);
            if (phrase.Terms.Count != 2)
            {
                string units = string.Join(" or ", ((ChoiceType)unit.Type).Choices);
                if (phrase.Terms.Count < 2) context.Report(DiagnosticDescriptors.MissingValue, phrase.Span, section.Path, $"write the unit after the number ({units}), as in '{section.Name} 1200 iterations'");
                else context.Report(DiagnosticDescriptors.TooManyValues, phrase.Terms[2].Span, section.Path, $"write a number and a unit ({units}) only");
                return;
            }
            ConfigValue? n = count.Type.Bind(BindContext.Phrase(phrase.Terms[0]), section.Path, context);
            ConfigValue? u = unit.Type.Bind(BindContext.Phrase(phrase.Terms[1]), section.Path, context);
            if (n != null) output.Add(new PendingAssignment(count, n, phrase.Terms[0].Span));
            if (u != null) output.Add(new PendingAssignment(unit, u, phrase.Terms[1].Span));
        }
    }

    /// <summary>
    /// A rate schedule: <c>criterion rate</c> (constant) or <c>criterion start -> end [decay]</c>:
    /// <c>prune l1 0.5 -> 0.001 cosine</c>.
    /// </summary>
    public sealed class ScheduleForm : DirectForm
    {
        /// <inheritdoc />
        public override string Describe() => "criterion start -> end decay | criterion rate";

        internal override bool Accepts(PhraseSyntax phrase) => phrase.Terms[0] is NameTerm && phrase.Terms.Count >= 2;

        internal override void Bind(PhraseSyntax phrase, SchemaSection section, BindContext context, List<PendingAssignment> output)
        {
            SchemaLeaf criterion = section.Leaf("criterion");
            SchemaLeaf from = section.Leaf("from");
            SchemaLeaf to = section.Leaf("to");
            SchemaLeaf decay = section.Leaf("decay");
            var terms = phrase.Terms;
            string example = $"write '{section.Name} l1 0.5 -> 0.001 cosine' or '{section.Name} l1 0.3'";

            ConfigValue? c = criterion.Type.Bind(BindContext.Phrase(terms[0]), criterion.Path, context);
            if (c != null) output.Add(new PendingAssignment(criterion, c, terms[0].Span));
            ConfigValue? start = from.Type.Bind(BindContext.Phrase(terms[1]), from.Path, context);
            if (start == null) return;
            output.Add(new PendingAssignment(from, start, terms[1].Span));
            if (terms.Count == 2)
            {
                // A constant rate.
                output.Add(new PendingAssignment(to, start, terms[1].Span));
                output.Add(new PendingAssignment(decay, new SymbolValue(PruneDecay.Constant.ToSymbol()), terms[1].Span));
                return;
            }
            if (terms[2] is not ArrowTerm || terms.Count < 4)
            {
                context.Report(DiagnosticDescriptors.Expected, terms[2].Span, "'->' and the final rate: " + example, terms[2].KindName);
                return;
            }
            ConfigValue? end = to.Type.Bind(BindContext.Phrase(terms[3]), to.Path, context);
            if (end != null) output.Add(new PendingAssignment(to, end, terms[3].Span));
            if (terms.Count == 4)
            {
                output.Add(new PendingAssignment(decay, decay.Default!, terms[3].Span, isImplicit: true));
                return;
            }
            ConfigValue? d = decay.Type.Bind(BindContext.Phrase(terms[4]), decay.Path, context);
            if (d != null) output.Add(new PendingAssignment(decay, d, terms[4].Span));
            if (terms.Count > 5)
            {
                context.Report(DiagnosticDescriptors.TooManyValues, terms[5].Span, section.Path, example);
            }
        }
    }
}
