using System;
using System.Collections.Generic;
using System.Linq;

namespace E2ENet.Compiler.Semantics
{
    /// <summary>A key of the language: a section (with keys below it) or a leaf (with a value).</summary>
    public abstract class SchemaNode
    {
        private protected SchemaNode(string name, string doc)
        {
            Name = name;
            Doc = doc;
        }

        /// <summary>The key's own name.</summary>
        public string Name { get; }

        /// <summary>What it means, for the language reference.</summary>
        public string Doc { get; }

        /// <summary>The section above, or null for the root.</summary>
        public SchemaSection? Parent { get; internal set; }

        /// <summary>The dotted path from the root: <c>fusion.sparsity</c>.</summary>
        public string Path => Parent == null || Parent.Parent == null ? Name : Parent.Path + "." + Name;
    }

    /// <summary>A key that holds a value.</summary>
    public sealed class SchemaLeaf : SchemaNode
    {
        /// <summary>Creates a leaf. A null <paramref name="defaultValue"/> makes the key required.</summary>
        public SchemaLeaf(string name, ValueType type, ConfigValue? defaultValue, string doc, string? example = null, string[]? resets = null)
            : base(name, doc)
        {
            Type = type;
            Default = defaultValue;
            Example = example;
            Resets = resets ?? Array.Empty<string>();
        }

        /// <summary>What the key accepts.</summary>
        public ValueType Type { get; }

        /// <summary>The value when nothing sets it; null when the key is required.</summary>
        public ConfigValue? Default { get; }

        /// <summary>True when a model must set it (or inherit it).</summary>
        public bool Required => Default == null;

        /// <summary>An example statement for messages and docs.</summary>
        public string? Example { get; }

        /// <summary>Sibling leaves that go back to their defaults when this one is set.</summary>
        public IReadOnlyList<string> Resets { get; }
    }

    /// <summary>A key that groups other keys, and may accept a short form of its own (<c>act leaky_relu(0.01)</c>).</summary>
    public sealed class SchemaSection : SchemaNode
    {
        private readonly List<SchemaNode> _children = new List<SchemaNode>();

        /// <summary>Creates a section with its children.</summary>
        public SchemaSection(string name, string doc, DirectForm? direct, params SchemaNode[] children)
            : base(name, doc)
        {
            Direct = direct;
            foreach (SchemaNode child in children)
            {
                child.Parent = this;
                _children.Add(child);
            }
        }

        /// <summary>The keys below, in reference order.</summary>
        public IReadOnlyList<SchemaNode> Children => _children;

        /// <summary>The short form the section accepts, if any.</summary>
        public DirectForm? Direct { get; }

        /// <summary>The child named <paramref name="name"/>, or null.</summary>
        public SchemaNode? Child(string name) => _children.FirstOrDefault(c => c.Name == name);

        /// <summary>The leaf named <paramref name="name"/>; throws if it is not one (a schema bug, not a user error).</summary>
        public SchemaLeaf Leaf(string name) => Child(name) as SchemaLeaf ?? throw new InvalidOperationException($"schema: {Path}.{name} is not a leaf");

        /// <summary>Every leaf below, depth first, in reference order.</summary>
        public IEnumerable<SchemaLeaf> Leaves()
        {
            foreach (SchemaNode child in _children)
            {
                if (child is SchemaLeaf leaf) yield return leaf;
                else if (child is SchemaSection section)
                {
                    foreach (SchemaLeaf inner in section.Leaves()) yield return inner;
                }
            }
        }

        /// <summary>Resolves a dotted path relative to this section; null when a part is unknown.</summary>
        public SchemaNode? Find(IReadOnlyList<string> parts)
        {
            SchemaNode node = this;
            foreach (string part in parts)
            {
                if (node is not SchemaSection section) return null;
                SchemaNode? child = section.Child(part);
                if (child == null) return null;
                node = child;
            }
            return node;
        }
    }
}
