using System.Collections.Generic;
using System.Linq;
using System.Text;
using E2ENet.Compiler.Text;

namespace E2ENet.Compiler.Semantics
{
    /// <summary>The value of one key in a resolved model, and where it came from.</summary>
    public sealed record Setting(ConfigValue? Value, SourceLocation? Origin, string? SetBy)
    {
        /// <summary>True when no model in the chain set it (the schema default applies).</summary>
        public bool IsDefault => Origin == null;
    }

    /// <summary>Every key of a model with its value: defaults, then the parents' statements, then the model's, then overrides.</summary>
    public sealed class ResolvedSettings
    {
        private readonly Dictionary<SchemaLeaf, Setting> _values;

        private ResolvedSettings(Dictionary<SchemaLeaf, Setting> values) => _values = values;

        /// <summary>Settings where every key has its default (required keys have none).</summary>
        public static ResolvedSettings Defaults()
            => new ResolvedSettings(E2ESchema.Leaves.ToDictionary(l => l, l => new Setting(l.Default, null, null)));

        /// <summary>An independent copy.</summary>
        public ResolvedSettings Clone() => new ResolvedSettings(new Dictionary<SchemaLeaf, Setting>(_values));

        /// <summary>The setting of <paramref name="leaf"/>.</summary>
        public Setting this[SchemaLeaf leaf] => _values[leaf];

        /// <summary>The setting at a dotted path (a schema path; throws for an unknown one).</summary>
        public Setting this[string path] => _values[E2ESchema.Leaves.First(l => l.Path == path)];

        /// <summary>The value at a dotted path.</summary>
        public ConfigValue? Value(string path) => this[path].Value;

        /// <summary>
        /// A copy where a defaulted key holds the value the checker resolved for it (a default that depends on other keys, such
        /// as a U-Net's deep-supervision weights), so <see cref="ToE2E"/> writes what the model runs. Keys set in the source stay.
        /// </summary>
        internal ResolvedSettings WithResolvedDefaults(IEnumerable<(string Path, ConfigValue Value)> values)
        {
            ResolvedSettings copy = Clone();
            foreach (var (path, value) in values)
            {
                SchemaLeaf leaf = E2ESchema.Leaves.First(l => l.Path == path);
                if (copy._values[leaf].IsDefault) copy._values[leaf] = new Setting(value, null, null);
            }
            return copy;
        }

        internal void Apply(BoundAssignment assignment, string model)
            => _values[assignment.Leaf] = new Setting(assignment.Value, assignment.Location, model);

        /// <summary>
        /// The model as a standalone .e2e declaration with every key explicit, in reference order. Parsing it gives the
        /// same settings; it is what runs and bundles record as the model's source.
        /// </summary>
        public string ToE2E(string modelName)
        {
            var builder = new StringBuilder();
            builder.Append("model ").Append(modelName).Append(" {\n");
            foreach (SchemaNode node in E2ESchema.Root.Children)
            {
                if (node is SchemaLeaf leaf)
                {
                    Setting setting = _values[leaf];
                    if (setting.Value == null) continue;
                    builder.Append("  ").Append(leaf.Name).Append(' ').Append(setting.Value.ToE2E()).Append('\n');
                    continue;
                }
                var section = (SchemaSection)node;
                var parts = new List<string>();
                foreach (SchemaLeaf inner in section.Leaves())
                {
                    Setting setting = _values[inner];
                    if (setting.Value == null || OmittedWhereItDoesNotApply(inner, setting)) continue;
                    parts.Add(inner.Path.Substring(section.Path.Length + 1) + " " + setting.Value.ToE2E());
                }
                if (parts.Count == 0) continue;
                builder.Append("  ").Append(section.Name).Append(' ').Append(string.Join(",\n    ", parts)).Append('\n');
            }
            builder.Append("}\n");
            return builder.ToString();
        }

        /// <summary>
        /// A key that only applies under one choice of another, left at its default where that choice is not made, is not
        /// written: the canonical source (and the hashes that runs and bundles keep of it) of a model that does not use it
        /// stays what it was before the key existed. <c>fusion.groups</c> applies to <c>fusion unit group</c> only.
        /// </summary>
        private bool OmittedWhereItDoesNotApply(SchemaLeaf leaf, Setting setting)
            => leaf.Path == "fusion.groups" && setting.IsDefault && !(this["fusion.unit"].Value?.ToE2E() == "group");
    }
}
