using System.Linq;
using System.Text;
using E2ENet.Compiler.Diagnostics;
using E2ENet.Compiler.Semantics;

namespace E2ENet.Compiler
{
    /// <summary>The reference tables of docs/language.md and docs/diagnostics.md, made from the schema and the catalogue.</summary>
    public static class LanguageReference
    {
        /// <summary>A Markdown table of every key: path, type, default, meaning, example.</summary>
        public static string KeysMarkdown()
        {
            var builder = new StringBuilder();
            builder.Append("| key | accepts | default | meaning |\n|---|---|---|---|\n");
            foreach (SchemaNode node in Walk(E2ESchema.Root))
            {
                if (node is SchemaSection section)
                {
                    string forms = section.Direct != null ? " Short form: `" + section.Name + " " + section.Direct.Describe() + "`." : string.Empty;
                    builder.Append("| **`").Append(section.Path).Append("`** | section | | ").Append(Escape(section.Doc + forms)).Append(" |\n");
                    continue;
                }
                var leaf = (SchemaLeaf)node;
                string @default = leaf.Default == null ? "*required*" : "`" + leaf.Default.ToE2E() + "`";
                string example = leaf.Example != null ? " Example: `" + leaf.Example + "`." : string.Empty;
                builder.Append("| `").Append(leaf.Path).Append("` | ").Append(Escape(leaf.Type.Describe())).Append(" | ").Append(Escape(@default))
                    .Append(" | ").Append(Escape(leaf.Doc + example)).Append(" |\n");
            }
            return builder.ToString();
        }

        /// <summary>A Markdown table of every diagnostic: id, severity, title.</summary>
        public static string DiagnosticsMarkdown()
        {
            var builder = new StringBuilder();
            builder.Append("| id | severity | category | title |\n|---|---|---|---|\n");
            foreach (DiagnosticDescriptor descriptor in DiagnosticDescriptors.All.OrderBy(d => d.Id, System.StringComparer.Ordinal))
            {
                builder.Append("| [").Append(descriptor.Id).Append("](#").Append(descriptor.Id.ToLowerInvariant()).Append(") | ")
                    .Append(descriptor.Severity.ToString().ToLowerInvariant()).Append(" | ").Append(descriptor.Category).Append(" | ")
                    .Append(Escape(descriptor.Title)).Append(" |\n");
            }
            return builder.ToString();
        }

        private static System.Collections.Generic.IEnumerable<SchemaNode> Walk(SchemaSection section)
        {
            foreach (SchemaNode child in section.Children)
            {
                yield return child;
                if (child is SchemaSection inner)
                {
                    foreach (SchemaNode deeper in Walk(inner)) yield return deeper;
                }
            }
        }

        private static string Escape(string text) => text.Replace("|", "\\|");
    }
}
