using TorchSharp;
using static TorchSharp.torch;

namespace E2ENet.Torch.Modules
{
    /// <summary>
    /// The convolutions every E2ENet (and U-Net) module runs. Creating a module caps oneDNN's CPU kernels at SSE4.1
    /// (<see cref="Devices.CpuKernels"/>: its AVX2 and AVX-512 convolution kernels return wrong values on some CPUs), and two
    /// layers avoid oneDNN altogether:
    /// <list type="bullet">
    /// <item><see cref="TransposedPatches"/>: a transposed convolution whose kernel equals its stride (no overlap: every
    /// output voxel comes from exactly one input voxel and one tap) is one matrix multiply plus a reshape, which is exact and
    /// faster than a deconvolution on the CPU.</item>
    /// <item><see cref="Pointwise"/>: a 1x1x1 convolution is one matrix multiply.</item>
    /// </list>
    /// Matrix multiplies in float32 go to the BLAS, not to oneDNN. <c>e2enet verify</c> and the batch-consistency tests check
    /// every shipped model at batch 3 against three batch-1 runs, forward and gradients. Inside
    /// <see cref="Precision.MixedPrecision.Use"/> each of them computes in bfloat16 or float16 and returns float32.
    /// </summary>
    public static class Convolutions
    {
        static Convolutions() => Devices.CpuKernels.Apply();

        /// <summary>Caps oneDNN's CPU kernels (see <see cref="Devices.CpuKernels"/>) before the first convolution; modules call it when created.</summary>
        public static void Prepare() => Devices.CpuKernels.Apply();
        /// <summary>
        /// A 3D convolution: (B, Cin, D, H, W) with weight (Cout, Cin, kD, kH, kW) and optional bias (Cout) -> (B, Cout, D', H', W').
        /// libtorch's <c>conv3d</c> (oneDNN on the CPU, capped as the class says; cuDNN on CUDA). Differentiable.
        /// </summary>
        public static Tensor Conv3d(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding)
            => Precision.MixedPrecision.Run(input, weight, bias, (x, w, b) => nn.functional.conv3d(x, w, b, strides: stride, padding: padding));

        /// <summary>
        /// A transposed convolution whose kernel equals its stride, without overlap:
        /// (B, Cin, D, H, W) with weight (Cin, Cout, kD, kH, kW) and optional bias (Cout) -> (B, Cout, D·kD, H·kH, W·kW).
        /// <code>
        ///   out[b, o, d·kD + i, h·kH + j, w·kW + k] = sum_c in[b, c, d, h, w] · weight[c, o, i, j, k] (+ bias[o])
        /// </code>
        /// On the CPU one matrix multiply (B·D·H·W, Cin) x (Cin, Cout·kD·kH·kW) and a reshape; elsewhere
        /// <c>conv_transpose3d</c>. Differentiable.
        /// </summary>
        public static Tensor TransposedPatches(Tensor input, Tensor weight, Tensor? bias)
            => Precision.MixedPrecision.Run(input, weight, bias, TransposedPatchesAt);

        private static Tensor TransposedPatchesAt(Tensor input, Tensor weight, Tensor? bias)
        {
            long[] kernel = { weight.shape[2], weight.shape[3], weight.shape[4] };
            if (input.device_type != DeviceType.CPU)
                return nn.functional.conv_transpose3d(input, weight, bias, strides: kernel);
            using var scope = NewDisposeScope();
            long batch = input.shape[0], cin = input.shape[1], d = input.shape[2], h = input.shape[3], w = input.shape[4];
            long cout = weight.shape[1];
            Tensor rows = input.permute(0, 2, 3, 4, 1).reshape(batch * d * h * w, cin);
            Tensor product = rows.matmul(weight.reshape(cin, cout * kernel[0] * kernel[1] * kernel[2]));
            // (B, D, H, W, Cout, kD, kH, kW) -> (B, Cout, D, kD, H, kH, W, kW) -> (B, Cout, D·kD, H·kH, W·kW)
            Tensor output = product.view(batch, d, h, w, cout, kernel[0], kernel[1], kernel[2])
                .permute(0, 4, 1, 5, 2, 6, 3, 7)
                .reshape(batch, cout, d * kernel[0], h * kernel[1], w * kernel[2]);
            if (bias is not null) output = output + bias.view(1, cout, 1, 1, 1);
            return output.MoveToOuterDisposeScope();
        }

        /// <summary>
        /// A 1x1x1 convolution: (B, Cin, D, H, W) with weight (Cout, Cin, 1, 1, 1) and optional bias (Cout) -> (B, Cout, D, H, W).
        /// On the CPU one matrix multiply over the channels; elsewhere <c>conv3d</c>. Differentiable.
        /// </summary>
        public static Tensor Pointwise(Tensor input, Tensor weight, Tensor? bias)
            => Precision.MixedPrecision.Run(input, weight, bias, PointwiseAt);

        private static Tensor PointwiseAt(Tensor input, Tensor weight, Tensor? bias)
        {
            if (input.device_type != DeviceType.CPU) return nn.functional.conv3d(input, weight, bias);
            using var scope = NewDisposeScope();
            long batch = input.shape[0], cin = input.shape[1], d = input.shape[2], h = input.shape[3], w = input.shape[4];
            long cout = weight.shape[0];
            Tensor rows = input.permute(0, 2, 3, 4, 1).reshape(batch * d * h * w, cin);
            Tensor product = rows.matmul(weight.view(cout, cin).t());
            if (bias is not null) product = product + bias;
            Tensor output = product.view(batch, d, h, w, cout).permute(0, 4, 1, 2, 3).contiguous();
            return output.MoveToOuterDisposeScope();
        }
    }
}
