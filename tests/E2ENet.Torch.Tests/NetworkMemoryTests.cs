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
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long rssBefore = ResidentBytes();
            for (int i = 0; i < 10; i++) { Step(true); Step(false); }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long rssAfter = ResidentBytes();
            Assert.Equal(liveBefore, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            // One forward's activations here are ~10 MB; 10 leaked steps would add well over 100 MB.
            Assert.True(rssAfter - rssBefore < 48L * 1024 * 1024, $"resident memory grew by {(rssAfter - rssBefore) / 1048576} MB over 10 steps");
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
