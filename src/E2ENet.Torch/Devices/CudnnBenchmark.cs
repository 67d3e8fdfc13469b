using System;
using System.Runtime.InteropServices;

namespace E2ENet.Torch.Devices
{
    /// <summary>
    /// cuDNN's benchmark mode (PyTorch's <c>torch.backends.cudnn.benchmark</c>): cuDNN times its convolution algorithms for each
    /// new input shape and keeps the fastest. nnU-Net turns it on for training; on an H100 it decides whether fp16 3D
    /// convolutions are fast at all (see docs/method.md, "Reference timings of the authors' code"). TorchSharp 0.107 does not expose the switch, so it is
    /// set here through libtorch's own exported <c>at::globalContext().setBenchmarkCuDNN(bool)</c>, looked up at run time:
    /// where the symbols are missing (another libtorch build) the switch reports that it is unavailable, never crashes.
    /// The flag is process-wide and harmless without a GPU (nothing reads it there).
    /// </summary>
    public static class CudnnBenchmark
    {
        // at::globalContext() and the non-static members at::Context::setBenchmarkCuDNN(bool) / benchmarkCuDNN() const,
        // Itanium C++ ABI names (GCC/Clang, Linux): a member function takes `this` as its first argument.
        private const string GlobalContextSymbol = "_ZN2at13globalContextEv";
        private const string SetSymbol = "_ZN2at7Context17setBenchmarkCuDNNEb";
        private const string GetSymbol = "_ZNK2at7Context14benchmarkCuDNNEv";

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate IntPtr GlobalContextFn();

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate void SetFn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool value);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        [return: MarshalAs(UnmanagedType.U1)]
        private delegate bool GetFn(IntPtr context);

        private static readonly Lazy<(GlobalContextFn Context, SetFn Set, GetFn Get)?> Functions = new Lazy<(GlobalContextFn, SetFn, GetFn)?>(Resolve);

        /// <summary>True when this process's libtorch exports the switch.</summary>
        public static bool IsAvailable => Functions.Value != null;

        /// <summary>The current setting, or null when the switch is unavailable.</summary>
        public static bool? Enabled
        {
            get
            {
                var functions = Functions.Value;
                return functions == null ? null : functions.Value.Get(functions.Value.Context());
            }
        }

        /// <summary>Sets benchmark mode; false (and nothing changed) when this libtorch does not export the switch.</summary>
        public static bool TrySet(bool enabled)
        {
            var functions = Functions.Value;
            if (functions == null) return false;
            functions.Value.Set(functions.Value.Context(), enabled);
            return true;
        }

        private static (GlobalContextFn, SetFn, GetFn)? Resolve()
        {
            // TorchSharp has loaded libtorch before any tensor exists: make sure of it, then find the library it loaded
            // (the application folder's copy, or the one on LD_LIBRARY_PATH when running against PyTorch's own libtorch).
            TorchSharp.torch.InitializeDeviceType(TorchSharp.DeviceType.CPU);
            foreach (string name in new[] { "libtorch_cpu.so", "libtorch_cpu.dylib", "torch_cpu.dll" })
            {
                if (!NativeLibrary.TryLoad(name, typeof(CudnnBenchmark).Assembly, null, out IntPtr library)) continue;
                if (NativeLibrary.TryGetExport(library, GlobalContextSymbol, out IntPtr context)
                    && NativeLibrary.TryGetExport(library, SetSymbol, out IntPtr set)
                    && NativeLibrary.TryGetExport(library, GetSymbol, out IntPtr get))
                {
                    return (Marshal.GetDelegateForFunctionPointer<GlobalContextFn>(context),
                        Marshal.GetDelegateForFunctionPointer<SetFn>(set),
                        Marshal.GetDelegateForFunctionPointer<GetFn>(get));
                }
            }
            return null;
        }
    }
}
