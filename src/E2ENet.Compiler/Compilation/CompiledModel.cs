using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Diagnostics;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Compiler.Syntax;
using E2ENet.Compiler.Text;

namespace E2ENet.Compiler
{
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
}
