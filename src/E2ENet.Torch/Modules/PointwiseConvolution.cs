using E2ENet.Torch.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace E2ENet.Torch.Modules
{
    /// <summary>
    /// A 1x1x1 convolution (the segmentation heads, <c>seg_outputs.{k}</c> / <c>decoder.seg_layers.{k}</c>): PyTorch's
    /// <c>Conv3d(in, out, 1)</c> with the same parameters (<c>weight</c> [out, in, 1, 1, 1], optional <c>bias</c> [out]),
    /// computed as one matrix multiply over the channels on the CPU (<see cref="Convolutions.Pointwise"/>).
    /// <code>
    ///   (B, in, D, H, W) -> (B, out, D, H, W)
    /// </code>
    /// </summary>
    public sealed class PointwiseConvolution : nn.Module<Tensor, Tensor>
    {
#pragma warning disable IDE1006 // Field names are the PyTorch state-dict keys.
        private readonly Parameter weight;
        private readonly Parameter? bias;
#pragma warning restore IDE1006

        /// <summary>Creates the layer; the weight is He-initialised (Kaiming normal, a = 0.01) as nnU-Net does, the bias zero.</summary>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="outChannels">Output channels (classes, for a head).</param>
        /// <param name="bias">Whether the layer has a bias (E2ENet's heads: no; nnU-Net's: yes).</param>
        public PointwiseConvolution(long inChannels, long outChannels, bool bias = false)
            : base(nameof(PointwiseConvolution))
        {
            Convolutions.Prepare();
            weight = new Parameter(empty(new[] { outChannels, inChannels, 1L, 1L, 1L }));
            this.bias = bias ? new Parameter(zeros(outChannels)) : null;
            using (no_grad()) nn.init.kaiming_normal_(weight, a: 0.01);
            register_parameter("weight", weight);
            if (this.bias is not null) register_parameter("bias", this.bias);
        }

        /// <summary>The weight [out, in, 1, 1, 1].</summary>
        public Parameter Weight => weight;

        /// <summary>The bias [out], or null.</summary>
        public Parameter? Bias => bias;

        /// <inheritdoc />
        public override Tensor forward(Tensor input)
        {
            Tensor output = Convolutions.Pointwise(input, weight, bias);
            FiniteChecks.Check(this, input, output);
            return output;
        }
    }
}
