using System;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Runtime;
using E2ENet.Torch;
using static TorchSharp.torch;

namespace E2ENet.Onnx.Verification
{
    /// <summary>
    /// The checks of an export: a seeded random input, the TorchSharp network's output on it (the reference), ONNX Runtime's
    /// output of a graph on it (CPU), and their relative error max |output - reference| / max |reference|.
    /// </summary>
    public static class ExportVerifier
    {
        /// <summary>A standard-normal input (1, channels, D, H, W) from a seed.</summary>
        public static float[] RandomInput(int channels, Int3 patch, int seed, out long[] shape)
        {
            shape = new long[] { 1, channels, patch.D, patch.H, patch.W };
            var random = new Random(seed);
            var values = new float[channels * patch.Volume];
            for (long i = 0; i < values.LongLength; i += 2)
            {
                // Box-Muller: two independent normals from two uniforms.
                double u = 1.0 - random.NextDouble(), v = random.NextDouble();
                double radius = Math.Sqrt(-2.0 * Math.Log(u));
                values[i] = (float)(radius * Math.Cos(2 * Math.PI * v));
                if (i + 1 < values.LongLength) values[i + 1] = (float)(radius * Math.Sin(2 * Math.PI * v));
            }
            return values;
        }

        /// <summary>The TorchSharp network's logits (eval mode, no gradients), computed on the device the network is on.</summary>
        public static float[] Torch(IE2ENetNetwork network, float[] input, long[] shape)
        {
            network.Module.eval();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            Device device = network.Module.parameters().FirstOrDefault()?.device ?? CPU;
            Tensor x = tensor(input, shape).to(device);
            Tensor y = network.forward(x);
            return y.to(CPU).contiguous().data<float>().ToArray();
        }

        /// <summary>ONNX Runtime's output of <paramref name="model"/> on the CPU.</summary>
        public static float[] Onnx(byte[] model, float[] input, long[] shape, string? file = null)
        {
            using OnnxRunner runner = OnnxRunner.Create(model, ExecutionDevice.Cpu, file);
            return runner.Run(input, shape, out _);
        }

        /// <summary>max |actual - reference| / max |reference| (NaN anywhere makes it infinite).</summary>
        public static double RelativeError(float[] actual, float[] reference)
        {
            if (actual.Length != reference.Length) return double.PositiveInfinity;
            double diff = 0, scale = 0;
            for (long i = 0; i < actual.LongLength; i++)
            {
                double d = Math.Abs((double)actual[i] - reference[i]);
                if (double.IsNaN(d)) return double.PositiveInfinity;
                diff = Math.Max(diff, d);
                scale = Math.Max(scale, Math.Abs((double)reference[i]));
            }
            return diff / Math.Max(scale, 1e-30);
        }
    }
}
