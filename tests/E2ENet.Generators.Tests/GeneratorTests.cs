using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using E2ENet.Compiler;
using E2ENet.Compiler.Text;
using E2ENet.Generators.Model;
using E2ENet.Generators.Parsing;
using E2ENet.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace E2ENet.Generators.Tests
{
    /// <summary>What the generator reports and where, how it names classes, and that bad input never crashes it.</summary>
    public sealed class GeneratorTests
    {
        private const string Tiny = "input patch [64, 64, 64]\n  classes 3\n  widths base 2, max 4\n  fusion sparsity 0";

        private static string Model(string name, string body = "", string parent = "")
            => "model " + name + (parent.Length > 0 ? " : " + parent : string.Empty) + " {\n  " + (parent.Length > 0 ? body : Tiny + "\n  " + body) + "\n}\n";

        [Fact]
        public void A_front_end_error_is_a_build_error_at_the_e2e_line_and_column()
        {
            string bad = "// a model with a typo\nmodel Bad {\n  input patch [64, 64, 64]\n  classes 3\n  fusion sparsty 0.8\n}\n";
            GeneratorRun run = GeneratorHarness.Run(new[] { ("/src/bad.e2e", bad), ("/src/good.e2e", Model("Good")) }).AssertNoCrash();

            Diagnostic error = Assert.Single(run.Diagnostics);
            Assert.Equal("E2E0201", error.Id);
            Assert.Equal(DiagnosticSeverity.Error, error.Severity);
            FileLinePositionSpan span = error.Location.GetLineSpan();
            Assert.Equal("/src/bad.e2e", span.Path);
            Assert.Equal(new Microsoft.CodeAnalysis.Text.LinePosition(4, 9), span.StartLinePosition);
            Assert.StartsWith("/src/bad.e2e(5,10): error E2E0201: unknown key 'fusion.sparsty'", error.ToString(), StringComparison.Ordinal);
            Assert.Contains("did you mean 'sparsity'", error.GetMessage(), StringComparison.Ordinal);
            Assert.Equal("E2ENet.Values", error.Descriptor.Category);
            Assert.Equal(new[] { "E2ENet.Models.Good.g.cs" }, run.Sources.Keys); // the good file is still generated
        }

        [Fact]
        public void Warnings_stay_warnings_and_the_model_is_generated()
        {
            string text = Model("Deep", "block shift [-2, -1, 0, 1, 2]");
            GeneratorRun run = GeneratorHarness.Run(new[] { ("/src/deep.e2e", text) }).AssertNoCrash();
            Diagnostic warning = Assert.Single(run.Diagnostics);
            Assert.Equal("E2E0315", warning.Id);
            Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
            Assert.Equal(1, warning.WarningLevel);
            Assert.Single(run.Sources);
        }

        [Fact]
        public void A_warning_can_be_silenced_like_any_compiler_warning()
        {
            // <NoWarn>E2E0315</NoWarn> (or .editorconfig) reaches generator diagnostics through the compilation options.
            CSharpCompilation compilation = GeneratorHarness.Compilation(new[] { "class C { }" })
                .WithOptions(GeneratorHarness.CompilationOptions.WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["E2E0315"] = ReportDiagnostic.Suppress }));
            GeneratorDriver driver = GeneratorHarness.Driver(new AdditionalText[] { new InMemoryAdditionalText("/src/deep.e2e", Model("Deep", "block shift [-2, -1, 0, 1, 2]")) });
            driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
            Assert.DoesNotContain(diagnostics, d => d.Id == "E2E0315");
            Assert.Single(output.SyntaxTrees, t => t.FilePath.EndsWith("Deep.g.cs", StringComparison.Ordinal));
        }

        [Fact]
        public void Namespace_and_class_follow_the_documented_rules()
        {
            string text = Model("Plain")
                + Model("Custom", "codegen namespace My.Hospital.Models, class SpleenNet")
                + Model("Child", "fusion.sparsity 0.5", parent: "Custom")
                + Model("NamedChild", "codegen class OtherNet", parent: "Custom");
            GeneratorRun run = GeneratorHarness.Run(new[] { ("/src/names.e2e", text) }).AssertNoCrash();
            Assert.Empty(run.Diagnostics);
            Assert.Equal(
                new[] { "E2ENet.Models.Plain.g.cs", "My.Hospital.Models.Child.g.cs", "My.Hospital.Models.OtherNet.g.cs", "My.Hospital.Models.SpleenNet.g.cs" },
                run.Sources.Keys.OrderBy(k => k, StringComparer.Ordinal));
            Assert.Contains("namespace My.Hospital.Models", run.Sources["My.Hospital.Models.Child.g.cs"], StringComparison.Ordinal);
            Assert.Contains("public sealed partial class Child :", run.Sources["My.Hospital.Models.Child.g.cs"], StringComparison.Ordinal);
            Assert.Contains(": base(\"NamedChild\")", run.Sources["My.Hospital.Models.OtherNet.g.cs"], StringComparison.Ordinal);
        }

        [Fact]
        public void Two_models_that_would_make_one_class_are_an_error_at_the_second()
        {
            GeneratorRun run = GeneratorHarness.Run(new[]
            {
                ("/src/a.e2e", Model("First", "codegen class Net")),
                ("/src/b.e2e", "\n" + Model("Second", "codegen class Net")),
            }).AssertNoCrash();
            Diagnostic error = Assert.Single(run.Diagnostics);
            Assert.Equal("E2E0502", error.Id);
            Assert.Equal("/src/b.e2e", error.Location.GetLineSpan().Path);
            Assert.Equal(1, error.Location.GetLineSpan().StartLinePosition.Line);
            Assert.Contains("model 'Second' would generate class 'E2ENet.Models.Net', which model 'First' at /src/a.e2e(1,7) already generates", error.GetMessage(), StringComparison.Ordinal);
            Assert.Equal(new[] { "E2ENet.Models.Net.g.cs" }, run.Sources.Keys);
            Assert.Contains(": base(\"First\")", run.Sources["E2ENet.Models.Net.g.cs"], StringComparison.Ordinal);
        }

        [Fact]
        public void Classes_that_differ_only_in_case_get_distinct_file_names()
        {
            // Roslyn compares hint names ignoring case; two such classes are still two valid C# classes.
            GeneratorRun run = GeneratorHarness.Run(new[] { ("/src/case.e2e", Model("Net") + Model("NET")) }).AssertNoCrash();
            Assert.Empty(run.Diagnostics);
            Assert.Equal(new[] { "E2ENet.Models.Net.g.cs", "E2ENet.Models.NET.2.g.cs" }, run.Sources.Keys.OrderBy(k => k.Length).ThenBy(k => k, StringComparer.Ordinal));
            Assert.Contains("public sealed partial class NET :", run.Sources["E2ENet.Models.NET.2.g.cs"], StringComparison.Ordinal);
        }

        [Fact]
        public void Models_inherit_across_files_and_imports_must_be_in_the_set()
        {
            GeneratorRun run = GeneratorHarness.Run(new[]
            {
                ("/src/base.e2e", Model("Base")),
                ("/src/variants/child.e2e", "import \"../base.e2e\"\n" + Model("Derived", "classes 5", parent: "Base")),
                ("/src/lonely.e2e", "import \"missing.e2e\"\n" + Model("Lonely")),
            }).AssertNoCrash();
            Diagnostic error = Assert.Single(run.Diagnostics);
            Assert.Equal("E2E0011", error.Id);
            Assert.Equal("/src/lonely.e2e", error.Location.GetLineSpan().Path);
            Assert.Contains("AdditionalFiles", error.GetMessage(), StringComparison.Ordinal);
            Assert.Contains("public const int Classes = 5;", run.Sources["E2ENet.Models.Derived.g.cs"], StringComparison.Ordinal);
            Assert.Contains("E2ENet.Models.Base.g.cs", run.Sources.Keys);
        }

        [Fact]
        public void The_same_file_listed_twice_counts_once_and_other_additional_files_are_ignored()
        {
            GeneratorRun run = GeneratorHarness.Run(new[]
            {
                ("/src/a.e2e", Model("A")),
                ("/src/a.e2e", Model("A")),
                ("/src/notes.txt", "model NotAModel {"),
                ("/src/UPPER.E2E", Model("Upper")),
            }).AssertNoCrash();
            Assert.Empty(run.Diagnostics);
            Assert.Equal(new[] { "E2ENet.Models.A.g.cs", "E2ENet.Models.Upper.g.cs" }, run.Sources.Keys.OrderBy(k => k, StringComparer.Ordinal));
        }

        [Fact]
        public void An_unreadable_file_is_reported()
        {
            CSharpCompilation compilation = GeneratorHarness.Compilation(new[] { "class C { }" });
            GeneratorDriver driver = GeneratorHarness.Driver(new AdditionalText[] { new InMemoryAdditionalText("/src/gone.e2e", null) });
            driver = driver.RunGenerators(compilation);
            Diagnostic error = Assert.Single(driver.GetRunResult().Diagnostics);
            Assert.Equal("E2E0012", error.Id);
            Assert.Equal("/src/gone.e2e", error.Location.GetLineSpan().Path);
        }

        [Fact]
        public void Without_E2ENet_Torch_one_clear_error_replaces_the_compile_errors()
        {
            GeneratorRun run = GeneratorHarness.Run(new[] { ("/src/a.e2e", Model("A")) }, references: References.WithoutE2ENetTorch).AssertNoCrash();
            Diagnostic error = Assert.Single(run.Diagnostics);
            Assert.Equal("E2E0503", error.Id);
            Assert.Equal(DiagnosticSeverity.Error, error.Severity);
            Assert.Contains("E2ENet.Torch.IE2ENetNetwork", error.GetMessage(), StringComparison.Ordinal);
            Assert.Empty(run.Sources);
            // A project without .e2e files is left alone.
            Assert.Empty(GeneratorHarness.Run(Array.Empty<(string, string)>(), references: References.WithoutE2ENetTorch).Diagnostics);
        }

        [Fact]
        public void A_failure_inside_the_generator_is_diagnostic_E2E0501_not_a_crash()
        {
            var files = ImmutableArray.Create(new E2ESourceText("/src/a.e2e", Model("A")), new E2ESourceText("/src/b.e2e", Model("B")));
            ModelSetResult result = ModelSetCompiler.Compile(files, CancellationToken.None, _ => throw new InvalidOperationException("boom"));
            Assert.Empty(result.Models);
            DiagnosticInfo failure = Assert.Single(result.Diagnostics);
            Assert.Equal("E2E0501", failure.Id);
            Assert.Equal(DiagnosticSeverity.Error, failure.Severity);
            Assert.Contains("the set of 2 .e2e files (a.e2e, b.e2e): InvalidOperationException: boom", failure.Message, StringComparison.Ordinal);
            Assert.Throws<OperationCanceledException>(() => ModelSetCompiler.Compile(files, new CancellationToken(canceled: true)));
        }

        [Fact]
        public void Model_names_that_clash_with_the_types_the_code_uses_still_compile()
        {
            // global:: everywhere: a model called Tensor, Module, TorchSharp or System changes nothing in the generated code.
            string text = string.Concat(new[] { "Tensor", "Module", "TorchSharp", "System", "E2ENet", "ConvBlock", "Sequential", "var", "tiny" }.Select(n => Model(n)));
            GeneratorRun run = GeneratorHarness.Run(new[] { ("/src/names.e2e", text) }).AssertNoCrash();
            Assert.Empty(run.Diagnostics);
            Assert.Equal(9, run.Sources.Count);
            CSharpCompilation compilation = GeneratorHarness.Compilation(run.Sources.Values);
            Diagnostic[] problems = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
            Assert.True(problems.Length == 0, string.Join("\n", problems.Take(20)));
        }

        [Fact]
        public void Mutated_model_files_never_crash_the_generator()
        {
            // Thousands of random mutations run through the front end in its own tests; here a sample runs through the whole
            // generator: it must report diagnostics, never throw, and whatever it generates must parse.
            IReadOnlyList<(string Path, string Text)> originals = GeneratorHarness.ShippedModels().Where(f => f.Path.Contains("reference", StringComparison.Ordinal) || f.Path.EndsWith("btcv.e2e", StringComparison.Ordinal)).ToList();
            var random = new Random(20241210);
            const string alphabet = "{}[](),.:;=-+>\"/*\n x0123456789eE_abcmodelinputpatch";
            for (int round = 0; round < 150; round++)
            {
                var files = originals.Select(f => (f.Path, Text: Mutate(f.Text, random, alphabet))).ToList();
                GeneratorRun run = GeneratorHarness.Run(files).AssertNoCrash();
                Assert.DoesNotContain(run.Diagnostics, d => d.Id == "E2E0501");
                foreach (string source in run.Sources.Values)
                {
                    Assert.Empty(CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions).GetDiagnostics());
                }
            }
        }

        private static string Mutate(string text, Random random, string alphabet)
        {
            var chars = new List<char>(text);
            int edits = 1 + random.Next(4);
            for (int i = 0; i < edits && chars.Count > 0; i++)
            {
                int at = random.Next(chars.Count);
                switch (random.Next(4))
                {
                    case 0: chars.RemoveAt(at); break;
                    case 1: chars.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                    case 2: chars[at] = alphabet[random.Next(alphabet.Length)]; break;
                    default:
                        int length = Math.Min(chars.Count - at, random.Next(1, 40));
                        chars.InsertRange(random.Next(chars.Count), chars.GetRange(at, length));
                        break;
                }
            }
            return new string(chars.ToArray());
        }
    }
}
