using System.Collections.Generic;
using System.Linq;
using E2ENet.Generators.Model;
using Microsoft.CodeAnalysis;
using FrontEnd = E2ENet.Compiler.Diagnostics;

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

        private static DiagnosticSeverity ToRoslyn(FrontEnd.DiagnosticSeverity severity) => severity switch
        {
            FrontEnd.DiagnosticSeverity.Error => DiagnosticSeverity.Error,
            FrontEnd.DiagnosticSeverity.Warning => DiagnosticSeverity.Warning,
            _ => DiagnosticSeverity.Info,
        };
    }
}
