using System.Globalization;
using E2ENet.Compiler.Semantics;
using E2ENet.Torch.Diagnostics;
using static TorchSharp.torch;

namespace E2ENet.Torch.Network
{
    /// <summary>What an input must be for a model: (B, channels, D, H, W) float32, each axis divisible by the product of the pools.</summary>
    public static class InputCheck
    {
        /// <summary>Throws E2E3003 or E2E3004 (with the fix) when <paramref name="shape"/> does not fit <paramref name="spec"/>.</summary>
        public static void Check(ModelSpec spec, long[] shape, ScalarType dtype, string? file = null)
        {
            string text = "[" + string.Join(", ", shape) + "]";
            if (shape.Length != 5)
            {
                throw new E2ENetTorchException(TorchErrors.InputShape, file, string.Format(CultureInfo.InvariantCulture,
                    "the input has the shape {0} ({1} dimensions); model '{2}' takes (batch, {3}, D, H, W): add the missing batch or channel axis",
                    text, shape.Length, spec.Name, spec.Input.Channels));
            }
            if (shape[1] != spec.Input.Channels)
            {
                throw new E2ENetTorchException(TorchErrors.InputShape, file, string.Format(CultureInfo.InvariantCulture,
                    "the input has {0} channels (shape {1}) but model '{2}' takes {3}; give a (batch, {3}, D, H, W) input or set input.channels",
                    shape[1], text, spec.Name, spec.Input.Channels));
            }
            if (dtype != ScalarType.Float32)
            {
                throw new E2ENetTorchException(TorchErrors.UnsupportedDtype, file, "the input is " + dtype.ToString().ToLowerInvariant()
                    + "; the network takes float32: convert it (x.float() in PyTorch)");
            }
            Int3 total = new Int3(1, 1, 1);
            foreach (Int3 pool in spec.Pools) total *= pool;
            long bottleneck = 1;
            for (int axis = 0; axis < 3; axis++)
            {
                long size = shape[axis + 2];
                if (shape[0] < 1 || size < total[axis] || size % total[axis] != 0)
                {
                    long down = size / total[axis] * total[axis];
                    long up = down + total[axis];
                    throw new E2ENetTorchException(TorchErrors.InputNotDivisible, file, string.Format(CultureInfo.InvariantCulture,
                        shape[0] < 1 ? "the input {0} has an empty batch" :
                        "the input {0} has {1} = {2} along {3}, which the product of the pools ({4}) does not divide; crop or pad it to {5}",
                        text, "DHW"[axis], size, "DHW"[axis], total[axis], down > 0 ? down + " or " + up : up.ToString(CultureInfo.InvariantCulture)));
                }
                bottleneck *= size / total[axis];
            }
            if (bottleneck < 2)
            {
                throw new E2ENetTorchException(TorchErrors.InputNotDivisible, file, string.Format(CultureInfo.InvariantCulture,
                    "the input {0} leaves a single voxel at the bottleneck, where instance normalization needs more than one; give a larger input", text));
            }
        }
    }
}
