using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace E2ENet.Generators.Tests.Infrastructure
{
    /// <summary>
    /// Metadata references for compiling generated code offline: the running framework's assemblies (the trusted platform
    /// assemblies) and TorchSharp and E2ENet.Torch from the test's output folder, exactly the versions the tests run.
    /// </summary>
    internal static class References
    {
        private static readonly Lazy<IReadOnlyList<MetadataReference>> AllReferences = new Lazy<IReadOnlyList<MetadataReference>>(() =>
        {
            string platform = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
            var paths = platform.Split(Path.PathSeparator)
                .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
                .ToList();
            foreach (string name in new[] { "TorchSharp.dll", "E2ENet.Torch.dll", "E2ENet.Compiler.dll" })
            {
                paths.Add(Path.Combine(AppContext.BaseDirectory, name));
            }
            return paths.Distinct(StringComparer.Ordinal).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        });

        private static readonly Lazy<IReadOnlyList<MetadataReference>> WithoutRuntime = new Lazy<IReadOnlyList<MetadataReference>>(
            () => AllReferences.Value.Where(r => !(r.Display ?? string.Empty).EndsWith("E2ENet.Torch.dll", StringComparison.Ordinal)).ToList());

        /// <summary>Framework, TorchSharp, E2ENet.Torch and the front end.</summary>
        public static IReadOnlyList<MetadataReference> All => AllReferences.Value;

        /// <summary>The same without E2ENet.Torch (a project that forgot the runtime).</summary>
        public static IReadOnlyList<MetadataReference> WithoutE2ENetTorch => WithoutRuntime.Value;
    }
}
