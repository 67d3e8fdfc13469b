using System.Globalization;
using System.Linq;
using E2ENet.Compiler.Semantics;

namespace E2ENet.Compiler.Ir
{
    /// <summary>What is wrong with an input, by kind (each layer reports the kinds under its own error ids).</summary>
    public enum InputProblemKind
    {
        /// <summary>Not (batch, channels, D, H, W), or the wrong number of channels.</summary>
        Shape,

        /// <summary>Not float32.</summary>
        DataType,

        /// <summary>An empty batch, an axis the pools do not divide, or a single voxel at the bottleneck.</summary>
        Size,
    }

    /// <summary>One problem with an input: its kind and a message that says what is wrong and the fix (without a file).</summary>
    public sealed record InputProblem(InputProblemKind Kind, string Message);

    /// <summary>
    /// What an input must be for a model, in one place for every check (the front end's patch check, the run-time and the
    /// generated networks, the ONNX exporter's patch, a bundle's input): (batch, <see cref="Channels"/>, D, H, W) in float32,
    /// a batch of at least one, each spatial axis a positive multiple of <see cref="DivisibleBy"/> (the product of the pools),
    /// and more than one voxel at the bottleneck (instance normalization needs more than one).
    /// </summary>
    /// <param name="Model">The model's name, for messages.</param>
    /// <param name="Channels">Input channels.</param>
    /// <param name="DivisibleBy">The product of the pools along D, H and W.</param>
    public sealed record InputContract(string Model, int Channels, Int3 DivisibleBy)
    {
        /// <summary>The contract of a model.</summary>
        public static InputContract Of(ModelSpec spec) => new InputContract(spec.Name, spec.Input.Channels, Divisor(spec.Pools));

        /// <summary>The product of <paramref name="pools"/> per axis: what every spatial size must be a multiple of.</summary>
        public static Int3 Divisor(System.Collections.Generic.IEnumerable<Int3> pools) => pools.Aggregate(Int3.All(1), (a, p) => a * p);

        /// <summary>Voxels at the bottleneck for a spatial size the pools divide; the contract needs more than one.</summary>
        public long BottleneckVoxels(Int3 size) => (size / DivisibleBy).Volume;

        /// <summary>The first problem of an input of <paramref name="shape"/> and data type, or null when it fits.</summary>
        /// <param name="shape">The tensor's shape.</param>
        /// <param name="isFloat32">Whether its data type is float32.</param>
        /// <param name="dataType">Its data type's name, for the message.</param>
        public InputProblem? Check(long[] shape, bool isFloat32, string dataType)
        {
            string text = "[" + string.Join(", ", shape) + "]";
            if (shape.Length != 5)
            {
                return new InputProblem(InputProblemKind.Shape, string.Format(CultureInfo.InvariantCulture,
                    "the input has the shape {0} ({1} dimensions); model '{2}' takes (batch, {3}, D, H, W): add the missing batch or channel axis",
                    text, shape.Length, Model, Channels));
            }
            if (shape[1] != Channels)
            {
                return new InputProblem(InputProblemKind.Shape, string.Format(CultureInfo.InvariantCulture,
                    "the input has {0} channels (shape {1}) but model '{2}' takes {3}; give a (batch, {3}, D, H, W) input or set input.channels",
                    shape[1], text, Model, Channels));
            }
            if (!isFloat32)
            {
                return new InputProblem(InputProblemKind.DataType, "the input is " + dataType + "; model '" + Model + "' takes float32: convert it (x.float() in PyTorch)");
            }
            if (shape[0] < 1) return new InputProblem(InputProblemKind.Size, "the input " + text + " has an empty batch");
            return CheckSize(new[] { shape[2], shape[3], shape[4] }, "the input " + text, "it");
        }

        /// <summary>The problem of a spatial size (a patch), or null when it fits.</summary>
        public InputProblem? CheckPatch(Int3 patch) => CheckSize(new long[] { patch.D, patch.H, patch.W }, "the patch " + patch.ToSizeString(), "the patch");

        private InputProblem? CheckSize(long[] size, string what, string it)
        {
            long bottleneck = 1;
            for (int axis = 0; axis < 3; axis++)
            {
                long step = DivisibleBy[axis];
                if (size[axis] < step || size[axis] % step != 0)
                {
                    long down = size[axis] / step * step;
                    long up = down + step;
                    return new InputProblem(InputProblemKind.Size, string.Format(CultureInfo.InvariantCulture,
                        "{0} has {1} = {2}, which is not a positive multiple of {3} (the product of the pools along {1}); crop or pad {4} to {5}",
                        what, "DHW"[axis], size[axis], step, it, down > 0 ? down.ToString(CultureInfo.InvariantCulture) + " or " + up.ToString(CultureInfo.InvariantCulture) : up.ToString(CultureInfo.InvariantCulture)));
                }
                bottleneck *= size[axis] / step;
            }
            if (bottleneck < 2)
            {
                return new InputProblem(InputProblemKind.Size, what + " leaves a single voxel at the bottleneck, where instance normalization needs more than one; give a larger " + (it == "it" ? "input" : "patch"));
            }
            return null;
        }
    }
}
