using System.Linq;
using E2ENet.Onnx.Proto;

namespace E2ENet.Onnx.Emit
{
    /// <summary>Selecting channels of a tensor: nothing when it is all of them in order, a Slice when they are contiguous, else a Gather.</summary>
    public static class ChannelSelect
    {
        /// <summary>True when <paramref name="positions"/> is 0, 1, ..., <paramref name="channels"/> - 1.</summary>
        public static bool IsWhole(int[] positions, int channels)
        {
            if (positions.Length != channels) return false;
            for (int i = 0; i < positions.Length; i++) if (positions[i] != i) return false;
            return true;
        }

        /// <summary>
        /// The channels at <paramref name="positions"/> of <paramref name="tensor"/> (which has <paramref name="channels"/>
        /// channels) as a tensor; returns <paramref name="tensor"/> itself when they are all of them, in order.
        /// </summary>
        public static string Select(EmitContext context, string tensor, int[] positions, int channels, string name)
        {
            if (IsWhole(positions, channels)) return tensor;
            bool contiguous = positions.Zip(positions.Skip(1), (a, b) => b == a + 1).All(x => x);
            if (contiguous)
            {
                return context.Graph.Add("Slice", name + ".slice", new[]
                {
                    tensor, context.Graph.Int64(positions[0]), context.Graph.Int64(positions[positions.Length - 1] + 1), context.Graph.Int64(1),
                });
            }
            string indices = context.Graph.Int64(positions.Select(p => (long)p).ToArray());
            return context.Graph.Add("Gather", name + ".gather", new[] { tensor, indices }, OnnxAttribute.Of("axis", 1L));
        }

        /// <summary>Moves a tensor by <paramref name="offset"/> slices along depth with zero fill: out[d] = in[d - offset], exact for any depth.</summary>
        public static string ShiftDepth(EmitContext context, string tensor, int offset, string name)
        {
            // pads = [N, C, D, H, W begins, N, C, D, H, W ends]; a negative pad removes slices.
            string pads = context.Graph.Int64(0, 0, offset, 0, 0, 0, 0, -offset, 0, 0);
            return context.Graph.Add("Pad", name + ".shift" + (offset > 0 ? "+" : string.Empty) + offset.ToString(System.Globalization.CultureInfo.InvariantCulture),
                new[] { tensor, pads }, OnnxAttribute.Of("mode", "constant"));
        }
    }
}
