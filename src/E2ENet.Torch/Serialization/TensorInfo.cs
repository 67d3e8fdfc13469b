using System.Globalization;
using System.Linq;

namespace E2ENet.Torch.Serialization
{
    /// <summary>A tensor of a torch.save file, described without reading its data: its key, shape and dtype.</summary>
    public sealed class TensorInfo
    {
        internal TensorInfo(string name, TensorRecord record)
        {
            Name = name;
            Record = record;
        }

        /// <summary>The key, e.g. <c>loc0.0.0.blocks.0.conv.weight</c>.</summary>
        public string Name { get; }

        /// <summary>The key as it may be printed in a message: at most 80 characters, control characters replaced (a file may hold any key).</summary>
        public string PrintableName => RestrictedUnpickler.Printable(Name);

        /// <summary>The shape.</summary>
        public long[] Shape => (long[])Record.Shape.Clone();

        /// <summary>The element type.</summary>
        public TorchDtype Dtype => Record.Storage.Dtype;

        /// <summary>The shape as <c>[a, b, c]</c>.</summary>
        public string ShapeText => FormatShape(Record.Shape);

        internal TensorRecord Record { get; }

        /// <summary><c>[a, b, c]</c>.</summary>
        public static string FormatShape(long[] shape) => "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
    }
}
