using System;
using System.IO;
using System.Linq;
using E2ENet.Torch.Network;
using TorchSharp;
using static TorchSharp.torch;

namespace E2ENet.Torch.Tests
{
    /// <summary>Tests that measure the process's resident memory: run alone, since any other test allocating meanwhile would count.</summary>
    [Xunit.CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class ResidentMemoryCollection
    {
        /// <summary>The collection's name.</summary>
        public const string Name = "resident memory (not parallel)";
    }

    /// <summary>The run-time network does not leak over training and inference steps.</summary>
    [Xunit.Collection(ResidentMemoryCollection.Name)]
    public class NetworkMemoryTests
    {
        [Fact]
        public void A_loop_of_forwards_and_backwards_does_not_grow_memory()
        {
            using E2ENetNetwork network = E2ENetNetwork.FromFile(Golden.ModelFile("tiny_s3_dense"), "TinyS3Dense");
            using Tensor input = randn(new long[] { 1, 1, 32, 32, 64 });
            void Step(bool train)
            {
                using var scope = NewDisposeScope();
                if (train)
                {
                    network.zero_grad();
                    network.ForwardDeepSupervision(input).Select(h => h.mean()).Aggregate((a, b) => a + b).backward();
                }
                else
                {
                    using var noGrad = no_grad();
                    network.forward(input);
                }
            }
            for (int i = 0; i < 3; i++) { Step(true); Step(false); }
            long liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            // Two windows of 10 steps: a leak grows both alike (one forward's activations are ~10 MB here, so 10 leaked
            // steps add well over 100 MB each time); the allocators' own warm-up (glibc arenas, libtorch's caches)
            // shows in the first window only and has measured anywhere from under 48 MB to 95 MB, by machine and load.
            long first = GrowthOver(10, Step);
            long second = GrowthOver(10, Step);
            Assert.Equal(liveBefore, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            Assert.True(second < 48L * 1024 * 1024,
                $"resident memory grew by {second / 1048576} MB over the second 10 steps (first 10 steps: {first / 1048576} MB)");
        }

        private static long GrowthOver(int steps, Action<bool> step)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long before = ResidentBytes();
            for (int i = 0; i < steps; i++) { step(true); step(false); }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            return ResidentBytes() - before;
        }

        private static long ResidentBytes()
        {
            foreach (string line in File.ReadAllLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.Substring(6).Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
            return 0;
        }
    }
}
