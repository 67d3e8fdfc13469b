using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using E2ENet.Tests;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace E2ENet.Generators.Tests.Infrastructure
{
    /// <summary>Runs the generator the way the compiler does, with step tracking, on in-memory .e2e files and C# sources.</summary>
    internal static class GeneratorHarness
    {
        public static readonly CSharpParseOptions ParseOptions = new CSharpParseOptions(LanguageVersion.Latest);

        public static readonly CSharpCompilationOptions CompilationOptions = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
            nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999, concurrentBuild: false, deterministic: true);

        /// <summary>A C# compilation of <paramref name="sources"/> with the given references.</summary>
        public static CSharpCompilation Compilation(IEnumerable<string> sources, IReadOnlyList<MetadataReference>? references = null, string name = "E2ENet.Generated.Tests")
            => CSharpCompilation.Create(name,
                sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: "User" + i + ".cs")),
                references ?? References.All, CompilationOptions);

        /// <summary>A driver for the generator with step tracking on.</summary>
        public static GeneratorDriver Driver(IEnumerable<AdditionalText> files)
            => CSharpGeneratorDriver.Create(new[] { new E2ENetGenerator().AsSourceGenerator() }, files, ParseOptions,
                optionsProvider: null, driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

        /// <summary>Runs the generator once on files given as (path, text).</summary>
        public static GeneratorRun Run(IEnumerable<(string Path, string Text)> files, IEnumerable<string>? csharp = null, IReadOnlyList<MetadataReference>? references = null)
        {
            CSharpCompilation compilation = Compilation(csharp ?? new[] { "namespace User { internal static class Placeholder { } }" }, references);
            GeneratorDriver driver = Driver(files.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text)));
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> driverDiagnostics);
            return new GeneratorRun(driver, driver.GetRunResult(), output, driverDiagnostics);
        }

        /// <summary>Every shipped model file (models/**/*.e2e), as a project would list them, with repository-relative paths.</summary>
        public static IReadOnlyList<(string Path, string Text)> ShippedModels()
        {
            string root = TestPaths.Repo("models");
            return Directory.GetFiles(root, "*.e2e", SearchOption.AllDirectories)
                .OrderBy(p => p, StringComparer.Ordinal)
                .Select(p => (Path: "/project/models/" + Path.GetRelativePath(root, p).Replace('\\', '/'), Text: File.ReadAllText(p)))
                .ToList();
        }
    }

    /// <summary>The outcome of one generator run.</summary>
    internal sealed record GeneratorRun(GeneratorDriver Driver, GeneratorDriverRunResult Result, Compilation Output, ImmutableArray<Diagnostic> DriverDiagnostics)
    {
        /// <summary>The generator's own result.</summary>
        public GeneratorRunResult Generator => Result.Results.Single();

        /// <summary>Diagnostics the generator reported.</summary>
        public ImmutableArray<Diagnostic> Diagnostics => Generator.Diagnostics;

        /// <summary>Generated sources by hint name.</summary>
        public IReadOnlyDictionary<string, string> Sources => Generator.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString(), StringComparer.Ordinal);

        /// <summary>Throws when the generator itself threw (it must report diagnostics instead).</summary>
        public GeneratorRun AssertNoCrash()
        {
            if (Generator.Exception != null) throw new InvalidOperationException("the generator threw: " + Generator.Exception);
            Assert.DoesNotContain(DriverDiagnostics, d => d.Id is "CS8785" or "AD0001");
            return this;
        }
    }
}
