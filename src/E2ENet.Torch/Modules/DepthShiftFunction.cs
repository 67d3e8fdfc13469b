using System.Collections.Generic;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace E2ENet.Torch.Modules
{
    /// <summary>
    /// The depth shift as one autograd node. Forward: <c>out[:, chunk k, d] = in[:, chunk k, d - o_k]</c> (zero fill).
    /// Backward: the gradient of a shift by <c>o_k</c> is the shift of the output gradient by <c>-o_k</c>
    /// (<c>grad_in[d] = grad_out[d + o_k]</c>, zero where <c>d + o_k</c> is outside), computed in one write.
    /// Use <see cref="DepthShift.Apply"/>, which picks this node only when autograd records.
    /// </summary>
    internal sealed class DepthShiftFunction : SingleTensorFunction<DepthShiftFunction>
    {
        private const string OffsetsKey = "offsets";

        /// <inheritdoc />
        public override string Name => "DepthShiftBackward";

        /// <summary>vars: the input (B, C, D, H, W) and the offsets (<c>int[]</c>).</summary>
        public override Tensor forward(AutogradContext ctx, params object[] vars)
        {
            var offsets = (int[])vars[1];
            ctx.save_data(OffsetsKey, offsets);
            return DepthShift.Shift((Tensor)vars[0], offsets);
        }

        /// <summary>Returns the input's gradient (and none for the offsets).</summary>
        public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output)
        {
            var offsets = (int[])ctx.get_data(OffsetsKey);
            var opposite = new int[offsets.Length];
            for (int i = 0; i < offsets.Length; i++) opposite[i] = -offsets[i];
            return new List<Tensor> { DepthShift.Shift(grad_output, opposite), null! };
        }
    }
}
