using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace E2ENet.Generators.Tests
{
    /// <summary>
    /// The pipeline caches: a C# edit recomputes nothing; an .e2e edit regenerates only the models it changes (checked with
    /// the driver's step tracking, on the tracked step names and on the source outputs).
    /// </summary>
    public sealed class IncrementalTests
    {
        private const string SpleenText = "model Spleen {\n  input patch [64, 64, 64]\n  classes 2\n  widths base 2, max 4\n}\n";
        private const string LiverText = "model Liver {\n  input patch [64, 64, 64]\n  classes 3\n  widths base 2, max 4\n}\n";

        private static readonly string[] GeneratorSteps = { TrackingNames.SourceFiles, TrackingNames.ModelSet, TrackingNames.Models, TrackingNames.Diagnostics, TrackingNames.Runtime };

        private static (GeneratorDriver Driver, CSharpCompilation Compilation, AdditionalText Spleen, AdditionalText Liver) FirstRun()
        {
            var spleen = new InMemoryAdditionalText("/src/spleen.e2e", SpleenText);
            var liver = new InMemoryAdditionalText("/src/liver.e2e", LiverText);
            CSharpCompilation compilation = GeneratorHarness.Compilation(new[] { "namespace App { public static class Program { public static int Answer => 41; } }" });
            GeneratorDriver driver = GeneratorHarness.Driver(new AdditionalText[] { spleen, liver }).RunGenerators(compilation);
            Assert.Equal(2, driver.GetRunResult().GeneratedTrees.Length);
            return (driver, compilation, spleen, liver);
        }

        private static IEnumerable<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRunResult result, string step)
            => result.TrackedSteps[step].SelectMany(s => s.Outputs);

        [Fact]
        public void An_unrelated_csharp_edit_leaves_every_step_cached()
        {
            var (driver, compilation, _, _) = FirstRun();
            SyntaxTree old = compilation.SyntaxTrees.Single();
            CSharpCompilation edited = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(
                "namespace App { public static class Program { public static int Answer => 42; } }", GeneratorHarness.ParseOptions, old.FilePath))
                .AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Another { }", GeneratorHarness.ParseOptions));

            GeneratorRunResult result = driver.RunGenerators(edited).GetRunResult().Results.Single();

            foreach (string step in GeneratorSteps)
            {
                Assert.All(Outputs(result, step), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {o.Reason}"));
            }
            Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
                o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        }

        [Fact]
        public void Editing_one_file_regenerates_only_its_models()
        {
            var (driver, compilation, spleen, _) = FirstRun();
            var edited = new InMemoryAdditionalText(spleen.Path, SpleenText.Replace("classes 2", "classes 4", StringComparison.Ordinal));
            GeneratorDriver next = driver.ReplaceAdditionalText(spleen, edited).RunGenerators(compilation);
            GeneratorRunResult result = next.GetRunResult().Results.Single();

            var files = Outputs(result, TrackingNames.SourceFiles).ToList();
            Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(files, f => ((Model.E2ESourceText)f.Value).Path == spleen.Path).Reason);
            Assert.Equal(IncrementalStepRunReason.Cached, Assert.Single(files, f => ((Model.E2ESourceText)f.Value).Path != spleen.Path).Reason);

            var models = Outputs(result, TrackingNames.Models).ToDictionary(o => ((Model.ModelToGenerate)o.Value).ModelName, o => o.Reason);
            Assert.Equal(IncrementalStepRunReason.Modified, models["Spleen"]);
            Assert.Equal(IncrementalStepRunReason.Unchanged, models["Liver"]);

            // The source outputs: Liver's is not produced again.
            var sources = SourceOutputs(result);
            Assert.Equal(IncrementalStepRunReason.Modified, sources["E2ENet.Models.Spleen.g.cs"]);
            Assert.Equal(IncrementalStepRunReason.Cached, sources["E2ENet.Models.Liver.g.cs"]);
            Assert.Contains("public const int Classes = 4;", next.GetRunResult().GeneratedTrees.Single(t => t.FilePath.EndsWith("Spleen.g.cs", StringComparison.Ordinal)).ToString(), StringComparison.Ordinal);
        }

        [Fact]
        public void A_comment_edit_regenerates_nothing()
        {
            var (driver, compilation, spleen, _) = FirstRun();
            var edited = new InMemoryAdditionalText(spleen.Path, "// the spleen model\n\n" + SpleenText);
            GeneratorRunResult result = driver.ReplaceAdditionalText(spleen, edited).RunGenerators(compilation).GetRunResult().Results.Single();
            Assert.All(Outputs(result, TrackingNames.Models), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
            Dictionary<string, IncrementalStepRunReason> sources = SourceOutputs(result);
            Assert.Equal(2, sources.Count);
            Assert.All(sources.Values, reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        }

        /// <summary>Each model's source output (by generated file name) and whether it ran again; found through the output step's input.</summary>
        private static Dictionary<string, IncrementalStepRunReason> SourceOutputs(GeneratorRunResult result)
        {
            var reasons = new Dictionary<string, IncrementalStepRunReason>(StringComparer.Ordinal);
            foreach (IncrementalGeneratorRunStep step in result.TrackedOutputSteps.SelectMany(s => s.Value))
            {
                var (source, index) = step.Inputs.Single();
                if (source.Outputs[index].Value is ValueTuple<Model.ModelToGenerate, bool> input)
                {
                    reasons[input.Item1.HintName] = step.Outputs.Single().Reason;
                }
            }
            return reasons;
        }
    }
}
