using System.Collections.Generic;
using static TorchSharp.torch;

namespace E2ENet.Torch.Serialization
{
    /// <summary>The element types a torch.save storage may have, as the pickle names them (<c>torch.FloatStorage</c> ...).</summary>
    public enum TorchDtype
    {
        /// <summary>float32 (<c>torch.FloatStorage</c>).</summary>
        Float32,

        /// <summary>float64 (<c>torch.DoubleStorage</c>).</summary>
        Float64,

        /// <summary>float16 (<c>torch.HalfStorage</c>).</summary>
        Float16,

        /// <summary>bfloat16 (<c>torch.BFloat16Storage</c>).</summary>
        BFloat16,

        /// <summary>int64 (<c>torch.LongStorage</c>).</summary>
        Int64,

        /// <summary>int32 (<c>torch.IntStorage</c>).</summary>
        Int32,

        /// <summary>int16 (<c>torch.ShortStorage</c>).</summary>
        Int16,

        /// <summary>int8 (<c>torch.CharStorage</c>).</summary>
        Int8,

        /// <summary>uint8 (<c>torch.ByteStorage</c>).</summary>
        UInt8,

        /// <summary>bool (<c>torch.BoolStorage</c>).</summary>
        Bool,
    }

    /// <summary>Names, sizes and TorchSharp types of <see cref="TorchDtype"/>.</summary>
    public static class TorchDtypes
    {
        private static readonly Dictionary<string, TorchDtype> ByStorage = new Dictionary<string, TorchDtype>
        {
            ["FloatStorage"] = TorchDtype.Float32,
            ["DoubleStorage"] = TorchDtype.Float64,
            ["HalfStorage"] = TorchDtype.Float16,
            ["BFloat16Storage"] = TorchDtype.BFloat16,
            ["LongStorage"] = TorchDtype.Int64,
            ["IntStorage"] = TorchDtype.Int32,
            ["ShortStorage"] = TorchDtype.Int16,
            ["CharStorage"] = TorchDtype.Int8,
            ["ByteStorage"] = TorchDtype.UInt8,
            ["BoolStorage"] = TorchDtype.Bool,
        };

        /// <summary>The dtype of a storage class name of module <c>torch</c>, e.g. <c>FloatStorage</c>.</summary>
        public static bool TryFromStorage(string name, out TorchDtype dtype) => ByStorage.TryGetValue(name, out dtype);

        /// <summary>Bytes per element.</summary>
        public static int ElementSize(this TorchDtype dtype) => dtype switch
        {
            TorchDtype.Float64 or TorchDtype.Int64 => 8,
            TorchDtype.Float32 or TorchDtype.Int32 => 4,
            TorchDtype.Float16 or TorchDtype.BFloat16 or TorchDtype.Int16 => 2,
            _ => 1,
        };

        /// <summary>PyTorch's name, e.g. <c>float32</c>.</summary>
        public static string PythonName(this TorchDtype dtype) => dtype switch
        {
            TorchDtype.Float32 => "float32",
            TorchDtype.Float64 => "float64",
            TorchDtype.Float16 => "float16",
            TorchDtype.BFloat16 => "bfloat16",
            TorchDtype.Int64 => "int64",
            TorchDtype.Int32 => "int32",
            TorchDtype.Int16 => "int16",
            TorchDtype.Int8 => "int8",
            TorchDtype.UInt8 => "uint8",
            _ => "bool",
        };

        /// <summary>The TorchSharp scalar type.</summary>
        public static ScalarType ToScalarType(this TorchDtype dtype) => dtype switch
        {
            TorchDtype.Float32 => ScalarType.Float32,
            TorchDtype.Float64 => ScalarType.Float64,
            TorchDtype.Float16 => ScalarType.Float16,
            TorchDtype.BFloat16 => ScalarType.BFloat16,
            TorchDtype.Int64 => ScalarType.Int64,
            TorchDtype.Int32 => ScalarType.Int32,
            TorchDtype.Int16 => ScalarType.Int16,
            TorchDtype.Int8 => ScalarType.Int8,
            TorchDtype.UInt8 => ScalarType.Byte,
            _ => ScalarType.Bool,
        };
    }
}
