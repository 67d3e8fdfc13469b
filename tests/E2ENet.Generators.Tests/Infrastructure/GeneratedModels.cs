using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using E2ENet.Compiler;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Text;
using E2ENet.Tests;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using TorchSharp;
using static TorchSharp.torch;

namespace E2ENet.Generators.Tests.Infrastructure
{
    /// <summary>
    /// The generated classes of every shipped model and of the narrow test variants (TestModels/), compiled once with Roslyn
    /// against the real TorchSharp and E2ENet.Torch and loaded into the test process, plus the front end's IR of each model.
    /// </summary>
    internal static class GeneratedModels
    {
        private static readonly Lazy<Build> Built = new Lazy<Build>(Compile);

        /// <summary>Every model file: the shipped ones and the test variants, as one set.</summary>
        public static IReadOnlyList<(string Path, string Text)> Files()
        {
            var files = GeneratorHarness.ShippedModels().ToList();
            string folder = TestPaths.Repo("tests", "E2ENet.Generators.Tests", "TestModels");
            foreach (string path in Directory.GetFiles(folder, "*.e2e").OrderBy(p => p, StringComparer.Ordinal))
            {
                files.Add(("/project/models/" + Path.GetFileName(path), File.ReadAllText(path)));
            }
            return files;
        }

        /// <summary>Names of the shipped models.</summary>
        public static IEnumerable<string> ShippedModelNames()
            => Built.Value.Models.Values.Where(m => !m.Spec.SourcePath.Contains("variants", StringComparison.Ordinal)).Select(m => m.Spec.Name);

        /// <summary>Names of the narrow variants.</summary>
        public static IEnumerable<string> VariantNames()
            => Built.Value.Models.Values.Where(m => m.Spec.SourcePath.Contains("variants", StringComparison.Ordinal)).Select(m => m.Spec.Name);

        /// <summary>The compiler diagnostics of the generated code (warnings included).</summary>
        public static IReadOnlyList<Diagnostic> CompilerDiagnostics => Built.Value.Diagnostics;

        /// <summary>The generator's diagnostics.</summary>
        public static IReadOnlyList<Diagnostic> GeneratorDiagnostics => Built.Value.GeneratorDiagnostics;

        /// <summary>The IR of a model.</summary>
        public static NetworkIr Ir(string model) => Built.Value.Models[model];

        /// <summary>The generated type of a model.</summary>
        public static Type TypeOf(string model) => Built.Value.Types[model];

        /// <summary>A new instance of a model's generated class.</summary>
        public static nn.Module<Tensor, Tensor> Create(string model) => (nn.Module<Tensor, Tensor>)Activator.CreateInstance(TypeOf(model))!;

        /// <summary>A public static member of a model's class (a constant, a property).</summary>
        public static object? Static(string model, string member)
        {
            Type type = TypeOf(model);
            FieldInfo? field = type.GetField(member, BindingFlags.Public | BindingFlags.Static);
            if (field != null) return field.IsLiteral ? field.GetRawConstantValue() : field.GetValue(null);
            return type.GetProperty(member, BindingFlags.Public | BindingFlags.Static)!.GetValue(null);
        }

        private static Build Compile()
        {
            IReadOnlyList<(string Path, string Text)> files = Files();
            GeneratorRun run = GeneratorHarness.Run(files).AssertNoCrash();
            CSharpCompilation compilation = GeneratorHarness.Compilation(run.Sources.Values, References.All, "E2ENet.Generated.Models");
            using var stream = new MemoryStream();
            EmitResult result = compilation.Emit(stream);
            List<Diagnostic> diagnostics = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            if (!result.Success) throw new InvalidOperationException("the generated code does not compile:\n" + string.Join("\n", diagnostics.Take(30)));
            stream.Position = 0;
            Assembly assembly = AssemblyLoadContext.Default.LoadFromStream(stream);

            E2ECompilation frontEnd = E2ECompilation.Create(files.Select(f => new SourceFile(f.Path, f.Text)), new E2ENet.Compiler.CompilationOptions());
            var models = frontEnd.Models.Where(m => m.Network != null).ToDictionary(m => m.Name, m => m.Network!, StringComparer.Ordinal);
            var types = assembly.GetTypes()
                .Where(t => t.GetField("E2EModelName", BindingFlags.Public | BindingFlags.Static) != null)
                .ToDictionary(t => (string)t.GetField("E2EModelName")!.GetRawConstantValue()!, t => t, StringComparer.Ordinal);
            return new Build(models, types, diagnostics, run.Diagnostics.ToList());
        }

        private sealed record Build(Dictionary<string, NetworkIr> Models, Dictionary<string, Type> Types, List<Diagnostic> Diagnostics, List<Diagnostic> GeneratorDiagnostics);
    }
}
