using System.Collections.Generic;
using System.Linq;
using E2ENet.Generators.Model;
using Microsoft.CodeAnalysis;
using FrontEnd = E2ENet.Compiler.Diagnostics;
using FrontEndText = E2ENet.Compiler.Text;

namespace E2ENet.Generators
{
    /// <summary>
    /// Roslyn descriptors for the one diagnostics catalogue of the front end (<c>E2E0001</c>...; the generator's own are
    /// <c>E2E05xx</c>), and the conversion of pipeline <see cref="DiagnosticInfo"/> values into Roslyn diagnostics.
    /// </summary>
    internal static class GeneratorDiagnostics
    {
        private static readonly Dictionary<string, DiagnosticDescriptor> Descriptors = FrontEnd.DiagnosticDescriptors.All.ToDictionary(
            d => d.Id,
            d => new DiagnosticDescriptor(d.Id, d.Title, "{0}", "E2ENet." + d.Category, ToRoslyn(d.Severity), isEnabledByDefault: true,
                description: null, helpLinkUri: null, customTags: d.Severity == FrontEnd.DiagnosticSeverity.Error ? new[] { WellKnownDiagnosticTags.NotConfigurable } : new string[0]));

        /// <summary>The Roslyn diagnostic of <paramref name="info"/>, at its place in the <c>.e2e</c> file.</summary>
        public static Diagnostic Create(DiagnosticInfo info)
        {
            if (!Descriptors.TryGetValue(info.Id, out DiagnosticDescriptor? descriptor))
            {
                descriptor = new DiagnosticDescriptor(info.Id, info.Id, "{0}", "E2ENet", info.Severity, isEnabledByDefault: true);
            }
            return Diagnostic.Create(descriptor, info.ToLocation(), info.Severity, additionalLocations: null, properties: null, info.Message);
        }

        /// <summary>E2E0503: the project has models but not the runtime type <paramref name="contract"/>.</summary>
        public static Diagnostic RuntimeNotReferenced(string contract)
            => Create(Info(FrontEnd.DiagnosticDescriptors.RuntimeNotReferenced, contract));

        /// <summary>E2E0501 for a model whose code could not be written (a bug; reported instead of crashing the build).</summary>
        public static Diagnostic EmitFailed(ModelToGenerate model, System.Exception exception)
            => Create(Info(FrontEnd.DiagnosticDescriptors.GeneratorFailed, "model '" + model.ModelName + "' of " + model.FileName, exception.GetType().Name + ": " + exception.Message));

        /// <summary>A diagnostic of the catalogue that belongs to no place in a file.</summary>
        private static DiagnosticInfo Info(FrontEnd.DiagnosticDescriptor descriptor, params object?[] arguments)
            => new DiagnosticInfo(descriptor.Id, ToRoslyn(descriptor.Severity), descriptor.Create(FrontEndText.SourceLocation.None(string.Empty), arguments).Message, null, default, default);

        private static DiagnosticSeverity ToRoslyn(FrontEnd.DiagnosticSeverity severity) => severity switch
        {
            FrontEnd.DiagnosticSeverity.Error => DiagnosticSeverity.Error,
            FrontEnd.DiagnosticSeverity.Warning => DiagnosticSeverity.Warning,
            _ => DiagnosticSeverity.Info,
        };
    }
}
