using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using E2ENet.Compiler.Diagnostics;
using E2ENet.Compiler.Syntax;

namespace E2ENet.Compiler.Semantics
{
    /// <summary>The type of a setting: what it accepts, how it reads a phrase, and how it is described in messages and docs.</summary>
    public abstract class ValueType
    {
        /// <summary>"an integer from 1 to 1024", used in messages and in the language reference.</summary>
        public abstract string Describe();

        /// <summary>Reads <paramref name="phrase"/> as a value of this type, or reports why not and returns null.</summary>
        internal abstract ConfigValue? Bind(PhraseSyntax phrase, string path, BindContext context);

        /// <summary>Reads a one-term phrase; reports extra terms.</summary>
        internal ConfigValue? BindSingle(PhraseSyntax phrase, string path, BindContext context, Func<TermSyntax, ConfigValue?> bindTerm)
        {
            if (phrase.Terms.Count > 1)
            {
                TermSyntax extra = phrase.Terms[1];
                context.Report(DiagnosticDescriptors.TooManyValues, Text.TextSpan.Cover(extra.Span, phrase.Terms[phrase.Terms.Count - 1].Span), path,
                    $"remove '{string.Join(" ", phrase.Terms.Skip(1))}' (a list is written in brackets: [a, b, c]; separate keys with ',')");
                return null;
            }
            return bindTerm(phrase.Terms[0]);
        }

        internal static void WrongType(string path, string expected, TermSyntax term, BindContext context)
            => context.Report(DiagnosticDescriptors.WrongType, term.Span, path, expected, term.KindName);
    }

    /// <summary>An integer in [Min, Max].</summary>
    public sealed class IntType : ValueType
    {
        /// <summary>Creates the type.</summary>
        public IntType(long min, long max)
        {
            Min = min;
            Max = max;
        }

        /// <summary>Smallest allowed value.</summary>
        public long Min { get; }

        /// <summary>Largest allowed value.</summary>
        public long Max { get; }

        /// <inheritdoc />
        public override string Describe() => string.Format(CultureInfo.InvariantCulture, "an integer from {0} to {1}", Min, Max);

        internal override ConfigValue? Bind(PhraseSyntax phrase, string path, BindContext context)
            => BindSingle(phrase, path, context, term =>
            {
                if (term is NumberTerm number && number.IsInteger)
                {
                    if (!long.TryParse(number.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
                    {
                        context.Report(DiagnosticDescriptors.OutOfRange, term.Span, path, number.Text, Describe());
                        return null;
                    }
                    if (value < Min || value > Max)
                    {
                        context.Report(DiagnosticDescriptors.OutOfRange, term.Span, path, number.Text, Describe());
                        return null;
                    }
                    return new IntValue(value);
                }
                WrongType(path, Describe(), term, context);
                return null;
            });
    }

    /// <summary>A real number in a range whose ends may be open.</summary>
    public sealed class FloatType : ValueType
    {
        /// <summary>Creates the type.</summary>
        public FloatType(double min, double max, bool minInclusive = true, bool maxInclusive = true)
        {
            Min = min;
            Max = max;
            MinInclusive = minInclusive;
            MaxInclusive = maxInclusive;
        }

        /// <summary>Lower end.</summary>
        public double Min { get; }

        /// <summary>Upper end.</summary>
        public double Max { get; }

        /// <summary>Whether <see cref="Min"/> itself is allowed.</summary>
        public bool MinInclusive { get; }

        /// <summary>Whether <see cref="Max"/> itself is allowed.</summary>
        public bool MaxInclusive { get; }

        /// <inheritdoc />
        public override string Describe()
            => string.Format(CultureInfo.InvariantCulture, "a number in {0}{1}, {2}{3}",
                MinInclusive ? "[" : "(", FloatValue.Format(Min), FloatValue.Format(Max), MaxInclusive ? "]" : ")");

        internal override ConfigValue? Bind(PhraseSyntax phrase, string path, BindContext context)
            => BindSingle(phrase, path, context, term =>
            {
                if (term is NumberTerm number)
                {
                    if (!double.TryParse(number.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
                        || double.IsInfinity(value) || double.IsNaN(value))
                    {
                        context.Report(DiagnosticDescriptors.OutOfRange, term.Span, path, number.Text, Describe());
                        return null;
                    }
                    bool low = MinInclusive ? value >= Min : value > Min;
                    bool high = MaxInclusive ? value <= Max : value < Max;
                    if (!low || !high)
                    {
                        context.Report(DiagnosticDescriptors.OutOfRange, term.Span, path, number.Text, Describe());
                        return null;
                    }
                    return new FloatValue(value);
                }
                WrongType(path, Describe(), term, context);
                return null;
            });
    }

    /// <summary><c>true</c>/<c>false</c> (also <c>on</c>/<c>off</c>, <c>yes</c>/<c>no</c>).</summary>
    public sealed class BoolType : ValueType
    {
        /// <summary>The one instance.</summary>
        public static readonly BoolType Instance = new BoolType();

        /// <inheritdoc />
        public override string Describe() => "true or false";

        internal override ConfigValue? Bind(PhraseSyntax phrase, string path, BindContext context)
            => BindSingle(phrase, path, context, term =>
            {
                if (term is NameTerm name)
                {
                    switch (name.Name)
                    {
                        case "true":
                        case "on":
                        case "yes":
                            return new BoolValue(true);
                        case "false":
                        case "off":
                        case "no":
                            return new BoolValue(false);
                    }
                }
                WrongType(path, Describe(), term, context);
                return null;
            });
    }

    /// <summary>One word out of a fixed set. Known but unimplemented words get a "not supported" error.</summary>
    public sealed class ChoiceType : ValueType
    {
        /// <summary>Creates the type.</summary>
        public ChoiceType(IEnumerable<string> choices, IReadOnlyDictionary<string, string>? unsupported = null)
        {
            Choices = choices.ToArray();
            Unsupported = unsupported ?? new Dictionary<string, string>();
        }

        /// <summary>The accepted words.</summary>
        public IReadOnlyList<string> Choices { get; }

        /// <summary>Words the language knows but this version refuses, with the reason.</summary>
        public IReadOnlyDictionary<string, string> Unsupported { get; }

        /// <inheritdoc />
        public override string Describe() => "one of " + string.Join(", ", Choices);

        internal override ConfigValue? Bind(PhraseSyntax phrase, string path, BindContext context)
            => BindSingle(phrase, path, context, term => BindWord(term, path, context));

        internal ConfigValue? BindWord(TermSyntax term, string path, BindContext context)
        {
            string? word = term switch
            {
                NameTerm name => name.Name,
                StringTerm text => text.Value,
                _ => null,
            };
            if (word == null)
            {
                WrongType(path, Describe(), term, context);
                return null;
            }
            return BindWord(word, term.Span, path, context);
        }

        internal ConfigValue? BindWord(string word, Text.TextSpan span, string path, BindContext context)
        {
            if (Choices.Contains(word)) return new SymbolValue(word);
            if (Unsupported.TryGetValue(word, out string? reason))
            {
                context.Report(DiagnosticDescriptors.NotSupported, span, $"'{path} {word}' is not supported: {reason}");
                return null;
            }
            context.Report(DiagnosticDescriptors.UnknownChoice, span, path, word, string.Join(", ", Choices), Suggestions.DidYouMean(word, Choices));
            return null;
        }
    }

    /// <summary>What a name may look like.</summary>
    public enum NameRule
    {
        /// <summary>Any word or string.</summary>
        Any,

        /// <summary>A C# identifier.</summary>
        Identifier,

        /// <summary>Identifiers joined by dots (a namespace).</summary>
        DottedIdentifier,
    }

    /// <summary>A name: a word, or a string when it has spaces.</summary>
    public sealed class NameType : ValueType
    {
        /// <summary>Creates the type.</summary>
        public NameType(NameRule rule) => Rule = rule;

        /// <summary>What the name may look like.</summary>
        public NameRule Rule { get; }

        /// <inheritdoc />
        public override string Describe() => Rule switch
        {
            NameRule.Identifier => "an identifier (letters, digits, '_')",
            NameRule.DottedIdentifier => "a dotted name such as My.Models",
            _ => "a name (a word, or a string in quotes)",
        };

        internal override ConfigValue? Bind(PhraseSyntax phrase, string path, BindContext context)
            => BindSingle(phrase, path, context, term => BindTerm(term, path, context));

        internal ConfigValue? BindTerm(TermSyntax term, string path, BindContext context)
        {
            string? text = term switch
            {
                NameTerm name => name.Name,
                StringTerm str => str.Value,
                _ => null,
            };
            if (text == null)
            {
                WrongType(path, Describe(), term, context);
                return null;
            }
            bool ok = Rule switch
            {
                NameRule.Identifier => Identifiers.IsIdentifier(text),
                NameRule.DottedIdentifier => text.Split('.').All(Identifiers.IsIdentifier),
                _ => text.Length > 0 && text.Length <= 200 && text.All(c => !char.IsControl(c)),
            };
            if (!ok)
            {
                context.Report(DiagnosticDescriptors.WrongType, term.Span, path, Describe(), term.KindName);
                return null;
            }
            return Identifiers.IsWord(text) ? new SymbolValue(text) : new TextValue(text);
        }
    }

    /// <summary><c>none</c>, or a value of the inner type.</summary>
    public sealed class OptionalType : ValueType
    {
        /// <summary>Creates the type.</summary>
        public OptionalType(ValueType inner, params string[] noneWords)
        {
            Inner = inner;
            NoneWords = noneWords.Length == 0 ? new[] { "none" } : noneWords;
        }

        /// <summary>The type of the value when there is one.</summary>
        public ValueType Inner { get; }

        /// <summary>Words that mean "no value".</summary>
        public IReadOnlyList<string> NoneWords { get; }

        /// <inheritdoc />
        public override string Describe() => Inner.Describe() + ", or " + string.Join("/", NoneWords);

        internal override ConfigValue? Bind(PhraseSyntax phrase, string path, BindContext context)
        {
            if (phrase.Terms.Count == 1 && phrase.Terms[0] is NameTerm name && NoneWords.Contains(name.Name)) return NoneValue.Instance;
            return Inner.Bind(phrase, path, context);
        }
    }

    /// <summary>
    /// A list: <c>[a, b, c]</c>. Items may repeat (<c>[[1,2,2], [2,2,2] x 3, [1,2,2]]</c>), a whole list may be written
    /// <c>item x count</c>, and where allowed a single item stands for a one-item list.
    /// </summary>
    public sealed class ListType : ValueType
    {
        /// <summary>The most items a list may expand to.</summary>
        public const int MaxItems = 4096;

        /// <summary>Creates the type.</summary>
        public ListType(ValueType element, int minCount, int maxCount, bool allowScalar = false, string? example = null, int[]? allowedCounts = null)
        {
            Element = element;
            MinCount = minCount;
            MaxCount = maxCount;
            AllowScalar = allowScalar;
            Example = example;
            AllowedCounts = allowedCounts;
        }

        /// <summary>The items' type.</summary>
        public ValueType Element { get; }

        /// <summary>Fewest items.</summary>
        public int MinCount { get; }

        /// <summary>Most items.</summary>
        public int MaxCount { get; }

        /// <summary>Exactly these counts, when not null.</summary>
        public int[]? AllowedCounts { get; }

        /// <summary>Whether a single item may be written without brackets.</summary>
        public bool AllowScalar { get; }

        /// <summary>An example shown in messages.</summary>
        public string? Example { get; }

        private string CountText
        {
            get
            {
                if (AllowedCounts != null) return string.Join(" or ", AllowedCounts);
                if (MinCount == MaxCount) return MinCount.ToString(CultureInfo.InvariantCulture);
                return string.Format(CultureInfo.InvariantCulture, "{0} to {1}", MinCount, MaxCount);
            }
        }

        /// <inheritdoc />
        public override string Describe()
        {
            string text = $"a list of {CountText} item(s), each {Element.Describe()}";
            if (AllowScalar) text += " (or one item without brackets)";
            if (Example != null) text += ", such as " + Example;
            return text;
        }

        internal override ConfigValue? Bind(PhraseSyntax phrase, string path, BindContext context)
        {
            List<ConfigValue>? items;
            var terms = phrase.Terms;
            if (terms.Count == 3 && terms[1] is NameTerm { Name: "x" })
            {
                // item x count
                int? count = BindRepeatCount(terms[2], path, context);
                ConfigValue? item = Element.Bind(BindContext.Phrase(terms[0]), path, context);
                if (count == null || item == null) return null;
                items = Enumerable.Repeat(item, count.Value).ToList();
            }
            else if (terms.Count == 1 && terms[0] is ListTerm list)
            {
                items = BindItems(list, path, context);
                if (items == null) return null;
            }
            else if (AllowScalar)
            {
                ConfigValue? item = Element.Bind(phrase, path, context);
                if (item == null) return null;
                items = new List<ConfigValue> { item };
            }
            else if (terms.Count > 1 && terms[0] is ListTerm)
            {
                return BindSingle(phrase, path, context, _ => null);
            }
            else
            {
                context.Report(DiagnosticDescriptors.WrongType, phrase.Span, path, Describe(), terms[0].KindName);
                return null;
            }

            bool countOk = AllowedCounts != null ? AllowedCounts.Contains(items.Count) : items.Count >= MinCount && items.Count <= MaxCount;
            if (!countOk)
            {
                context.Report(DiagnosticDescriptors.WrongLength, phrase.Span, path, items.Count, CountText + (Example != null ? ", such as " + Example : ""));
                return null;
            }
            return new ListValue(new EquatableArray<ConfigValue>(items.ToArray()));
        }

        private List<ConfigValue>? BindItems(ListTerm list, string path, BindContext context)
        {
            var items = new List<ConfigValue>();
            bool ok = true;
            foreach (PhraseSyntax itemPhrase in list.Items)
            {
                var terms = itemPhrase.Terms;
                if (terms.Count == 3 && terms[1] is NameTerm { Name: "x" })
                {
                    int? count = BindRepeatCount(terms[2], path, context);
                    ConfigValue? repeated = Element.Bind(BindContext.Phrase(terms[0]), path, context);
                    if (count == null || repeated == null)
                    {
                        ok = false;
                        continue;
                    }
                    if (items.Count + count.Value > MaxItems)
                    {
                        context.Report(DiagnosticDescriptors.WrongLength, itemPhrase.Span, path, items.Count + count.Value, CountText);
                        return null;
                    }
                    for (int i = 0; i < count.Value; i++) items.Add(repeated);
                    continue;
                }
                ConfigValue? item = Element.Bind(itemPhrase, path, context);
                if (item == null) ok = false;
                else items.Add(item);
                if (items.Count > MaxItems)
                {
                    context.Report(DiagnosticDescriptors.WrongLength, list.Span, path, list.Items.Count, CountText);
                    return null;
                }
            }
            return ok ? items : null;
        }

        private static int? BindRepeatCount(TermSyntax term, string path, BindContext context)
        {
            if (term is NumberTerm number && number.IsInteger
                && int.TryParse(number.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int count)
                && count >= 1 && count <= MaxItems)
            {
                return count;
            }
            context.Report(DiagnosticDescriptors.WrongType, term.Span, path + " (repeat count after 'x')",
                string.Format(CultureInfo.InvariantCulture, "an integer from 1 to {0}", MaxItems), term.KindName);
            return null;
        }
    }

    /// <summary>
    /// A triple <c>[D, H, W]</c> for every level, or one triple per level (<c>[[1, 3, 3], [1, 3, 3], [3, 3, 3] x 4]</c>): the
    /// value is the flat triple, or a list of triples.
    /// </summary>
    public sealed class PerLevelTripleType : ValueType
    {
        private readonly ListType _one;
        private readonly ListType _each;

        /// <summary>Creates the type.</summary>
        public PerLevelTripleType(IntType element, string example, string perLevelExample)
        {
            _one = new ListType(element, 3, 3, example: example);
            _each = new ListType(_one, 2, 9, example: perLevelExample);
        }

        /// <inheritdoc />
        public override string Describe() => _one.Describe() + " for every level, or one per level (" + _each.Describe() + ")";

        internal override ConfigValue? Bind(PhraseSyntax phrase, string path, BindContext context)
        {
            var terms = phrase.Terms;
            bool repeated = terms.Count == 3 && terms[1] is NameTerm { Name: "x" };
            bool nested = terms.Count == 1 && terms[0] is ListTerm list && list.Items.Count > 0 && list.Items[0].Terms.Count > 0 && list.Items[0].Terms[0] is ListTerm;
            return repeated || nested ? _each.Bind(phrase, path, context) : _one.Bind(phrase, path, context);
        }
    }

    /// <summary>Identifier rules shared by names and the generator.</summary>
    public static class Identifiers
    {
        /// <summary>True for a C# identifier made of ASCII letters, digits and '_', not starting with a digit.</summary>
        public static bool IsIdentifier(string text)
        {
            if (string.IsNullOrEmpty(text) || text.Length > 200) return false;
            if (!(char.IsLetter(text[0]) || text[0] == '_') || text[0] > 127) return false;
            return text.All(c => c < 128 && (char.IsLetterOrDigit(c) || c == '_'));
        }

        /// <summary>True when the text reads back as a word (or dotted word) of the language, so it needs no quotes.</summary>
        public static bool IsWord(string text) => text.Split('.').All(IsIdentifier);
    }
}
