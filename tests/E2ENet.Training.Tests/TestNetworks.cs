using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Text;
using static TorchSharp.torch;

namespace E2ENet.Training.Tests
{
    /// <summary>Narrow networks for DSFF tests: the IR plus one random tensor per parameter, named as in the state dict.</summary>
    internal static class TestNetworks
    {
        public static NetworkIr Ir(string fusion = "sparsity 0.7, unit kernel")
        {
            string text = "model T {\n  input channels 1, patch [16, 32, 32]\n  classes 3\n  widths base 4, max 16\n  pools [[1,2,2], [2,2,2] x 3, [1,2,2]]\n  fusion " + fusion + "\n}\n";
            var compilation = E2ECompilation.Create(new[] { new SourceFile("t.e2e", text) });
            Assert.False(compilation.HasErrors, string.Join("; ", compilation.Diagnostics));
            return compilation.Models[0].Network!;
        }

        public static Dictionary<string, Tensor> Parameters(NetworkIr network, long seed = 1)
        {
            var generator = new Generator((ulong)seed, CPU);
            return network.Parameters.ToDictionary(p => p.Name, p => randn(p.Shape.ToArray(), generator: generator).requires_grad_(true));
        }
    }
}
