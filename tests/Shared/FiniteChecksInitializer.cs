using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace E2ENet.Tests
{
    /// <summary>
    /// Set before anything else in every test assembly (and inherited by the child processes the tests start):
    /// <list type="bullet">
    /// <item><c>E2ENET_CHECK_FINITE=1</c>: the layer-by-layer finite checks are on, so a NaN or infinity in any forward fails
    /// the test with E2E3010 naming the layer that produced it;</item>
    /// <item><c>ONEDNN_MAX_CPU_ISA=SSE41</c>, in the C library's environment that oneDNN reads at its first convolution: what
    /// <c>E2ENet.Torch.Devices.CpuKernels</c> sets when an E2ENet module is created, here also for the tests that run plain
    /// TorchSharp convolutions before any E2ENet module exists in the test process. The product's own setting is tested in
    /// child processes (BatchConsistencyTests), where nothing else runs first.</item>
    /// </list>
    /// </summary>
    internal static class FiniteChecksInitializer
    {
        [ModuleInitializer]
        internal static void TurnOn()
        {
            Environment.SetEnvironmentVariable("E2ENET_CHECK_FINITE", "1");
            if (Environment.GetEnvironmentVariable("E2ENET_ONEDNN_MAX_ISA") == null && RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                _ = SetEnv("ONEDNN_MAX_CPU_ISA", "SSE41", 1);
            }
        }

        [DllImport("libc.so.6", EntryPoint = "setenv")]
        private static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
    }
}
