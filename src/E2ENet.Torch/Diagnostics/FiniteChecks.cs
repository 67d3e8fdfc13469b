using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace E2ENet.Torch.Diagnostics
{
    /// <summary>
    /// Checks, layer by layer, that a network's forward produces no NaN or infinity, and names the first layer that does
    /// (E2E3010), instead of a NaN loss many layers later. Off by default (one reduction per layer); on when the environment
    /// variable <c>E2ENET_CHECK_FINITE</c> is <c>1</c> (the test suite sets it for every test assembly), or within
    /// <see cref="Enable"/> (the trainer re-runs a batch whose loss is not finite this way to say which layer broke).
    /// Every E2ENet building block (<c>ConvBlock</c>, <c>UpConvolution</c>, <c>PointwiseConvolution</c>) calls
    /// <see cref="Check"/> on its output; <see cref="Register"/> gives them their state-dict paths for the message.
    /// </summary>
    public static class FiniteChecks
    {
        /// <summary>The environment variable that turns the checks on for a whole process (<c>1</c>).</summary>
        public const string EnvironmentVariable = "E2ENET_CHECK_FINITE";

        private static readonly bool FromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable) == "1";
        private static readonly ConditionalWeakTable<nn.Module, string> Paths = new ConditionalWeakTable<nn.Module, string>();
        private static int _scopes;

        /// <summary>True when layers check their outputs.</summary>
        public static bool Enabled => FromEnvironment || System.Threading.Volatile.Read(ref _scopes) > 0;

        /// <summary>Turns the checks on until the returned object is disposed (process-wide; nests).</summary>
        public static IDisposable Enable()
        {
            System.Threading.Interlocked.Increment(ref _scopes);
            return new Scope();
        }

        /// <summary>Records the state-dict path of every submodule of <paramref name="network"/> (e.g. <c>loc0.4.1.blocks.0</c>) for the messages.</summary>
        public static void Register(nn.Module network)
        {
            if (network is null) throw new ArgumentNullException(nameof(network));
            foreach ((string name, nn.Module module) in network.named_modules())
            {
                if (name.Length == 0) continue;
                Paths.AddOrUpdate(module, name);
            }
        }

        /// <summary>The registered path of a module, or its type name.</summary>
        public static string Describe(nn.Module module) => Paths.TryGetValue(module, out string? path) ? path : module.GetType().Name;

        /// <summary>
        /// When checks are on: throws E2E3010 naming <paramref name="module"/> if <paramref name="output"/> holds NaN or
        /// infinity while <paramref name="input"/> is finite (a non-finite input is the previous layer's to report).
        /// </summary>
        public static void Check(nn.Module module, Tensor input, Tensor output)
        {
            if (!Enabled) return;
            using var scope = NewDisposeScope();
            using (no_grad())
            {
                if (output.isfinite().all().item<bool>()) return;
                bool finiteInput = input.isfinite().all().item<bool>();
                if (!finiteInput) return;
                long nan = output.isnan().sum().item<long>();
                long inf = output.isinf().sum().item<long>();
                double inputMax = input.abs().max().to(float64).item<double>();
                throw new E2ENetTorchException(TorchErrors.NonFiniteOutput, null, string.Format(CultureInfo.InvariantCulture,
                    "layer '{0}' produced {1} NaN and {2} infinite values out of {3} from a finite input of shape [{4}] (largest magnitude {5:G6}); " +
                    "the layers before it were finite. If this happens in training, lower the learning rate or the gradient clipping norm.",
                    Describe(module), nan, inf, output.numel(), string.Join(", ", input.shape), inputMax));
            }
        }

        private sealed class Scope : IDisposable
        {
            private int _disposed;

            public void Dispose()
            {
                if (System.Threading.Interlocked.Exchange(ref _disposed, 1) == 0) System.Threading.Interlocked.Decrement(ref _scopes);
            }
        }
    }
}
