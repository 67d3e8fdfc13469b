using System.Globalization;

namespace E2ENet.Onnx.Graph
{
    /// <summary>
    /// The ONNX opsets the exporter writes. Pinned default: <see cref="Default"/> = 17 (ONNX 1.12, IR version 8): every
    /// operator used (Conv, ConvTranspose, MaxPool, InstanceNormalization, LeakyRelu, Relu, Pad with negative pads, Slice,
    /// Gather, Concat, Sum, Cast, Identity) has the same semantics in opsets 13 to 21, so those may be asked for with
    /// --opset; 17 is also the newest that Debian 12's python3-onnx checker knows.
    /// </summary>
    public static class OnnxOpsets
    {
        /// <summary>The pinned default opset.</summary>
        public const int Default = 17;

        /// <summary>The oldest opset written.</summary>
        public const int Minimum = 13;

        /// <summary>The newest opset written.</summary>
        public const int Maximum = 21;

        /// <summary>The IR version that goes with an opset (the one of the ONNX release that introduced it, at least 7).</summary>
        public static long IrVersion(int opset) => opset switch
        {
            <= 14 => 7,
            <= 18 => 8,
            <= 20 => 9,
            _ => 10,
        };

        /// <summary>True when the opset can be written.</summary>
        public static bool IsSupported(int opset) => opset >= Minimum && opset <= Maximum;

        /// <summary>"13..21".</summary>
        public static string Range => Minimum.ToString(CultureInfo.InvariantCulture) + ".." + Maximum.ToString(CultureInfo.InvariantCulture);
    }
}
