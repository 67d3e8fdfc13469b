using System;
using System.Runtime.InteropServices;

namespace E2ENet.Torch.Devices
{
    /// <summary>
    /// Which of oneDNN's CPU convolution kernels libtorch may use: at most the SSE4.1 ones, unless the user says otherwise.
    /// <para>
    /// <b>Why (root cause of the wrong results at batch &gt;= 2).</b> libtorch 2.10 (TorchSharp 0.107) runs CPU convolutions in
    /// oneDNN, which JIT-compiles a kernel for the best instruction set it finds. On an AMD EPYC of family 26 (Zen 5, AVX-512,
    /// seen under a hypervisor whose CPUID reports no cache or core topology: leaves 4, 0xB and 0x8000001D are all zero) the
    /// AVX-512 and AVX2 kernels (<c>jit:avx512_core</c>, <c>brgconv</c>, <c>brg_deconv</c>, <c>jit:avx2</c>) return wrong values:
    /// relative errors of 0.1 to 0.9, forward and backward, for many shapes at batch 2 and 3 and, at larger sizes (32x64x64),
    /// at batch 1 too; the error moves with the thread count. A plain <c>nn.Conv3d</c> or <c>nn.ConvTranspose3d</c> reproduces
    /// it without any E2ENet code, so it is libtorch's (oneDNN's) defect on that machine, not ours; Debian's PyTorch 1.13
    /// (an older oneDNN) is exact there. The SSE4.1 kernels (<c>ONEDNN_MAX_CPU_ISA=SSE41</c>) are exact on every shape tried
    /// (3,162 convolution, transposed convolution and gradient checks against float64, at 1 and 2 threads), and cost 1.15x
    /// to 1.5x of the AVX-512 kernels' time on the large layers; switching oneDNN off altogether is exact too but 2.5x to 4x
    /// slower (native <c>slow_conv3d</c>). Nothing here depends on the CPU: the cap applies on every machine.
    /// </para>
    /// <para>
    /// oneDNN reads <c>ONEDNN_MAX_CPU_ISA</c> once, at its first convolution. <see cref="Apply"/> sets it in the process
    /// environment (the C library's, which oneDNN reads; .NET's own copy is not enough) before that: every E2ENet module calls
    /// it when it is created, and loading this assembly does too. <c>E2ENET_ONEDNN_MAX_ISA</c> overrides the cap (e.g. <c>DEFAULT</c> to let oneDNN choose, on a
    /// machine where <c>e2enet verify</c> passes that way). A user's own <c>ONEDNN_MAX_CPU_ISA</c> above SSE4.1 is capped too
    /// (the defect shows under <c>AVX2</c> as well).
    /// </para>
    /// </summary>
    public static class CpuKernels
    {
        /// <summary>The variable oneDNN reads.</summary>
        public const string OneDnnVariable = "ONEDNN_MAX_CPU_ISA";

        /// <summary>The variable that overrides the cap.</summary>
        public const string OverrideVariable = "E2ENET_ONEDNN_MAX_ISA";

        /// <summary>The cap: oneDNN's SSE4.1 kernels.</summary>
        public const string SafeIsa = "SSE41";

        private static readonly Lazy<string> Applied = new Lazy<string>(Set);

        /// <summary>Applies the cap when this assembly loads, before any of its types runs (a program that runs convolutions of its own before it loads E2ENet.Torch calls <see cref="Apply"/> first).</summary>
#pragma warning disable CA2255 // Deliberate: the cap must be in the environment before libtorch's first convolution.
        [System.Runtime.CompilerServices.ModuleInitializer]
        internal static void OnLoad() => Apply();
#pragma warning restore CA2255

        /// <summary>The instruction-set limit this process gave oneDNN (e.g. <c>SSE41</c>), set on first use.</summary>
        public static string MaxIsa => Applied.Value;

        /// <summary>Caps oneDNN's instruction set for this process (once; later calls do nothing). Returns the limit in force.</summary>
        public static string Apply() => Applied.Value;

        private static string Set()
        {
            string? chosen = Environment.GetEnvironmentVariable(OverrideVariable);
            string value;
            if (!string.IsNullOrWhiteSpace(chosen)) value = chosen!.Trim();
            else
            {
                string? user = Environment.GetEnvironmentVariable(OneDnnVariable) ?? Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA");
                value = user != null && user.Trim().Equals(SafeIsa, StringComparison.OrdinalIgnoreCase) ? user.Trim() : SafeIsa;
            }
            SetNative(OneDnnVariable, value);
            SetNative("DNNL_MAX_CPU_ISA", value);
            return value;
        }

        private static void SetNative(string name, string value)
        {
            Environment.SetEnvironmentVariable(name, value);
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) _ = LinuxSetenv(name, value, 1);
            else if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) _ = MacSetenv(name, value, 1);
            // Windows: Environment.SetEnvironmentVariable already sets the process environment that the C runtime reads.
        }

        [DllImport("libc.so.6", EntryPoint = "setenv")]
        private static extern int LinuxSetenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

        [DllImport("libc", EntryPoint = "setenv")]
        private static extern int MacSetenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
    }
}
