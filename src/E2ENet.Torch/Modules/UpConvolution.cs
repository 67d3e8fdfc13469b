using E2ENet.Torch.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace E2ENet.Torch.Modules
{
    /// <summary>
    /// A transposed convolution whose kernel equals its stride (the upsampling of E2ENet's fusion nodes, <c>up{z}.{i}</c>, and
    /// of U-Net decoders): PyTorch's <c>ConvTranspose3d(in, out, kernel_size=pool, stride=pool)</c>, with the same parameters
    /// (<c>weight</c> [in, out, kD, kH, kW], optional <c>bias</c> [out]) and the same result, computed as one matrix multiply on
    /// the CPU (<see cref="Convolutions.TransposedPatches"/>: exact at every batch size on every CPU).
    /// <code>
    ///   (B, in, D, H, W) -> (B, out, D·kD, H·kH, W·kW)
    /// </code>
    /// </summary>
    public sealed class UpConvolution : nn.Module<Tensor, Tensor>
    {
#pragma warning disable IDE1006 // Field names are the PyTorch state-dict keys.
        private readonly Parameter weight;
        private readonly Parameter? bias;
#pragma warning restore IDE1006

        /// <summary>Creates the layer; the weight is He-initialised (Kaiming normal, a = 0.01) as nnU-Net does, the bias zero.</summary>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="pool">Kernel and stride (D, H, W): the pool factor between the two levels.</param>
        /// <param name="bias">Whether the layer has a bias (E2ENet: no; nnU-Net's U-Net: yes).</param>
        public UpConvolution(long inChannels, long outChannels, (long D, long H, long W) pool, bool bias = false)
            : base(nameof(UpConvolution))
        {
            Convolutions.Prepare();
            Pool = pool;
            weight = new Parameter(empty(new[] { inChannels, outChannels, pool.D, pool.H, pool.W }));
            this.bias = bias ? new Parameter(zeros(outChannels)) : null;
            using (no_grad()) nn.init.kaiming_normal_(weight, a: 0.01);
            register_parameter("weight", weight);
            if (this.bias is not null) register_parameter("bias", this.bias);
        }

        /// <summary>Kernel = stride (D, H, W).</summary>
        public (long D, long H, long W) Pool { get; }

        /// <summary>The weight [in, out, kD, kH, kW] (what sparse training masks).</summary>
        public Parameter Weight => weight;

        /// <summary>The bias [out], or null.</summary>
        public Parameter? Bias => bias;

        /// <inheritdoc />
        public override Tensor forward(Tensor input)
        {
            Tensor output = Convolutions.TransposedPatches(input, weight, bias);
            FiniteChecks.Check(this, input, output);
            return output;
        }
    }
}
