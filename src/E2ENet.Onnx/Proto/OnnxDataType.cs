namespace E2ENet.Onnx.Proto
{
    /// <summary>The element types this exporter writes (values of <c>onnx.TensorProto.DataType</c>).</summary>
    public enum OnnxDataType
    {
        /// <summary>float32.</summary>
        Float = 1,

        /// <summary>int64 (shapes, pads, indices).</summary>
        Int64 = 7,

        /// <summary>IEEE float16.</summary>
        Float16 = 10,
    }
}
