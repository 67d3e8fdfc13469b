using E2ENet.Torch.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace E2ENet.Torch.Modules
{
    /// <summary>
    /// The basic block of E2ENet: depth shift -> Conv3d -> InstanceNorm3d (affine, no running statistics, the same in training
    /// and inference) -> LeakyReLU. Parameters: <c>conv.weight</c> [out, in, kD, kH, kW], <c>conv.bias</c> [out],
    /// <c>instnorm.weight</c> [out], <c>instnorm.bias</c> [out], as in the authors' <c>ConvDropoutNormNonlin</c> (nnU-Net's
    /// <c>ConvDropoutNormReLU</c> names the norm <c>norm</c>: pass <c>normName: "norm"</c>).
    /// <code>
    ///   (B, in, D, H, W) -> shift -> conv(kernel, stride, padding) -> (B, out, D', H', W') -> instnorm -> leaky_relu
    /// </code>
    /// </summary>
    public sealed class ConvBlock : nn.Module<Tensor, Tensor>
    {
        private readonly int[] _shift;
        private readonly double _negativeSlope;
        private readonly long[] _stride;
        private readonly long[] _padding;

        // Held for the module's lifetime: TorchSharp's leaky_relu(double) converts the slope to a temporary Scalar that a
        // garbage collection on another thread can finalize while libtorch still reads it (intermittent c10::Scalar errors).
        private readonly Scalar _slope;

#pragma warning disable IDE1006 // Field names are the PyTorch state-dict keys.
        private readonly Conv3d conv;
        private readonly InstanceNorm3d instnorm;
#pragma warning restore IDE1006

        /// <summary>Creates a block; weights are He-initialised (Kaiming normal, a = 0.01) and biases zero, as nnU-Net does.</summary>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="kernel">Kernel (D, H, W), odd sizes.</param>
        /// <param name="stride">Stride (D, H, W): the pool factor for the first block of an encoder level, else 1.</param>
        /// <param name="padding">Padding (D, H, W): half the kernel.</param>
        /// <param name="shift">Depth-shift offsets, one per channel group; empty for no shift.</param>
        /// <param name="bias">Whether the convolution has a bias.</param>
        /// <param name="eps">Instance-norm epsilon.</param>
        /// <param name="affine">Whether instance norm has a learnable scale and shift.</param>
        /// <param name="negativeSlope">LeakyReLU slope (0 for ReLU).</param>
        /// <param name="normName">The state-dict name of the normalization: <c>instnorm</c> (E2ENet) or <c>norm</c> (nnU-Net).</param>
        public ConvBlock(long inChannels, long outChannels, (long D, long H, long W) kernel, (long D, long H, long W) stride,
            (long D, long H, long W) padding, int[] shift, bool bias, double eps, bool affine, double negativeSlope, string normName = "instnorm")
            : base(nameof(ConvBlock))
        {
            Convolutions.Prepare();
            _shift = (int[])shift.Clone();
            _stride = new[] { stride.D, stride.H, stride.W };
            _padding = new[] { padding.D, padding.H, padding.W };
            _negativeSlope = negativeSlope;
            _slope = negativeSlope.ToScalar();
            conv = nn.Conv3d(inChannels, outChannels, kernel, stride: stride, padding: padding, bias: bias);
            instnorm = nn.InstanceNorm3d(outChannels, eps: eps, affine: affine, track_running_stats: false);
            using (no_grad())
            {
                nn.init.kaiming_normal_(conv.weight!, a: 0.01);
                if (conv.bias is not null) nn.init.zeros_(conv.bias);
            }
            register_module("conv", conv);
            register_module(normName, instnorm);
        }

        /// <summary>
        /// Registers nothing more: the constructor registered <c>conv</c> and the norm under its state-dict name. TorchSharp's
        /// default registers every module field by its C# name when a parent registers this block, which would add the
        /// norm a second time as <c>instnorm</c> in a U-Net (whose norm is <c>norm</c>).
        /// </summary>
        protected override void RegisterComponents()
        {
        }

        /// <summary>The depth-shift offsets.</summary>
        public int[] Shift => (int[])_shift.Clone();

        /// <summary>The convolution (its weight is what sparse training masks).</summary>
        public Conv3d Conv => conv;

        /// <summary>The normalization.</summary>
        public InstanceNorm3d Norm => instnorm;

        /// <inheritdoc />
        protected override void Dispose(bool disposing)
        {
            if (disposing) _slope.Dispose();
            base.Dispose(disposing);
        }

        /// <inheritdoc />
        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            Tensor shifted = DepthShift.IsIdentity(_shift) ? input : DepthShift.Apply(input, _shift);
            Tensor output = instnorm.forward(Convolutions.Conv3d(shifted, conv.weight!, conv.bias, _stride, _padding)).leaky_relu_(_slope);
            FiniteChecks.Check(this, input, output);
            return output.MoveToOuterDisposeScope();
        }
    }
}
