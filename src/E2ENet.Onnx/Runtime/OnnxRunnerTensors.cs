using static TorchSharp.torch;

namespace E2ENet.Onnx.Runtime
{
    /// <summary>Running an <see cref="OnnxRunner"/> on TorchSharp tensors (the shape sliding-window inference and tensor files use).</summary>
    public static class OnnxRunnerTensors
    {
        /// <summary>
        /// (B, C, D, H, W) float32 on any device -> the graph's output as a new CPU float32 tensor (B, classes, D, H, W).
        /// The input is not disposed. Fits the sliding window's predictor delegate: <c>new PatchPredictor(runner.Predict)</c>.
        /// </summary>
        public static Tensor Predict(this OnnxRunner runner, Tensor input)
        {
            using Tensor cpu = input.to(CPU).to_type(ScalarType.Float32).contiguous();
            float[] output = runner.Run(cpu.data<float>().ToArray(), cpu.shape, out long[] shape);
            return tensor(output, shape);
        }
    }
}
