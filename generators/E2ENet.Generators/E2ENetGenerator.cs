using System;
using System.Collections.Immutable;
using E2ENet.Compiler;
using E2ENet.Generators.Emitting;
using E2ENet.Generators.Model;
using E2ENet.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace E2ENet.Generators
{
    /// <summary>
    /// The E2ENet source generator: every <c>.e2e</c> file given as <c>AdditionalFiles</c> is compiled by the front end, as
    /// one set, and each valid model becomes a TorchSharp module class (see docs/generator.md). This file is only the
    /// pipeline; <see cref="ModelSetCompiler"/> builds the equatable models and <see cref="ModelEmitter"/> writes the code.
    /// <code>
    ///   AdditionalFiles (*.e2e) -> path + text -> collect -> front end (one set) -+-> models (one per class) -> source
    ///                                                                             +-> diagnostics               -> report
    ///   compilation -> is E2ENet.Torch referenced? (a bool) ----------------------^
    /// </code>
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class E2ENetGenerator : IIncrementalGenerator
    {
        /// <summary>The type the generated classes implement; its absence is diagnostic E2E0503.</summary>
        internal const string RuntimeContract = "E2ENet.Torch.IE2ENetNetwork";

        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<E2ESourceText> files = context.AdditionalTextsProvider
                .Where(static text => text.Path.EndsWith(".e2e", StringComparison.OrdinalIgnoreCase))
                .Select(static (text, cancellationToken) => new E2ESourceText(text.Path, text.GetText(cancellationToken)?.ToString()))
                .WithTrackingName(TrackingNames.SourceFiles);

            IncrementalValueProvider<ModelSetResult> set = files
                .Collect()
                .Select(static (all, cancellationToken) => ModelSetCompiler.Compile(all, cancellationToken))
                .WithTrackingName(TrackingNames.ModelSet);

            IncrementalValueProvider<bool> runtime = context.CompilationProvider
                .Select(static (compilation, _) => compilation.GetTypeByMetadataName(RuntimeContract) != null)
                .WithTrackingName(TrackingNames.Runtime);

            IncrementalValuesProvider<ModelToGenerate> models = set
                .SelectMany(static (result, _) => result.Models)
                .WithTrackingName(TrackingNames.Models);

            IncrementalValueProvider<(EquatableArray<DiagnosticInfo> Diagnostics, bool HasModels)> diagnostics = set
                .Select(static (result, _) => (result.Diagnostics, result.Models.Count > 0))
                .WithTrackingName(TrackingNames.Diagnostics);

            context.RegisterSourceOutput(diagnostics.Combine(runtime), static (production, input) =>
            {
                foreach (DiagnosticInfo diagnostic in input.Left.Diagnostics) production.ReportDiagnostic(GeneratorDiagnostics.Create(diagnostic));
                if (input.Left.HasModels && !input.Right) production.ReportDiagnostic(GeneratorDiagnostics.RuntimeNotReferenced(RuntimeContract));
            });

            context.RegisterSourceOutput(models.Combine(runtime), static (production, input) =>
            {
                if (!input.Right) return; // E2E0503 says why; generating would only add CS0246 errors
                ModelToGenerate model = input.Left;
                string source;
                try
                {
                    source = ModelEmitter.Emit(model);
                }
                catch (Exception e) when (!(e is OperationCanceledException))
                {
                    production.ReportDiagnostic(GeneratorDiagnostics.EmitFailed(model, e));
                    return;
                }
                production.AddSource(model.HintName, SourceText.From(source, System.Text.Encoding.UTF8));
            });
        }
    }
}
