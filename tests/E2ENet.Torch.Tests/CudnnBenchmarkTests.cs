using E2ENet.Torch.Devices;

namespace E2ENet.Torch.Tests
{
    /// <summary>cuDNN's benchmark switch, reached through libtorch's exports (TorchSharp 0.107 has none): it reads back what was set.</summary>
    public class CudnnBenchmarkTests
    {
        [Fact]
        public void The_switch_is_found_in_the_libtorch_this_process_loaded_and_reads_back_what_was_set()
        {
            Assert.True(CudnnBenchmark.IsAvailable, "libtorch 2.10 exports at::Context::setBenchmarkCuDNN");
            bool? before = CudnnBenchmark.Enabled;
            Assert.False(before, "libtorch starts with benchmark mode off");
            try
            {
                Assert.True(CudnnBenchmark.TrySet(true));
                Assert.True(CudnnBenchmark.Enabled);
                Assert.True(CudnnBenchmark.TrySet(false));
                Assert.False(CudnnBenchmark.Enabled);
            }
            finally
            {
                CudnnBenchmark.TrySet(false);
            }
        }
    }
}
