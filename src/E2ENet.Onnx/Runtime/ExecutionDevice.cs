using System;

namespace E2ENet.Onnx.Runtime
{
    /// <summary>Where ONNX Runtime runs a bundle.</summary>
    public enum ExecutionDevice
    {
        /// <summary>The CPU execution provider.</summary>
        Cpu,

        /// <summary>The CUDA execution provider; an error when it cannot be loaded.</summary>
        Cuda,

        /// <summary>CUDA when it loads, else the CPU (saying so).</summary>
        Auto,
    }

    /// <summary>Parsing and naming of <see cref="ExecutionDevice"/>.</summary>
    public static class ExecutionDevices
    {
        /// <summary>
        /// True when this build references the GPU package (<c>-p:E2ENetOnnxDevice=cuda</c>: Microsoft.ML.OnnxRuntime.Gpu);
        /// the default build references the CPU package, which has no CUDA provider.
        /// </summary>
        public static bool GpuPackage { get; } = IsGpuBuild();

        private static bool IsGpuBuild()
        {
#if E2ENET_ONNX_CUDA
            return true;
#else
            return false;
#endif
        }

        /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>auto</c> (case-insensitive); null when it is none of them.</summary>
        public static ExecutionDevice? Parse(string? text) => text?.Trim().ToLowerInvariant() switch
        {
            "cpu" => ExecutionDevice.Cpu,
            "cuda" or "gpu" => ExecutionDevice.Cuda,
            "auto" => ExecutionDevice.Auto,
            _ => null,
        };

        /// <summary>The lower-case name.</summary>
        public static string Name(this ExecutionDevice device) => device.ToString().ToLowerInvariant();
    }
}
