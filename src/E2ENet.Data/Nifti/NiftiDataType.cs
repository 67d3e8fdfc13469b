using E2ENet.Data.Volumes;

namespace E2ENet.Data.Nifti
{
    /// <summary>NIfTI <c>datatype</c> codes and their mapping to <see cref="VoxelType"/>.</summary>
    public static class NiftiDataType
    {
        /// <summary>DT_UINT8.</summary>
        public const short UInt8 = 2;
        /// <summary>DT_INT16.</summary>
        public const short Int16 = 4;
        /// <summary>DT_INT32.</summary>
        public const short Int32 = 8;
        /// <summary>DT_FLOAT32.</summary>
        public const short Float32 = 16;
        /// <summary>DT_FLOAT64.</summary>
        public const short Float64 = 64;
        /// <summary>DT_INT8.</summary>
        public const short Int8 = 256;
        /// <summary>DT_UINT16.</summary>
        public const short UInt16 = 512;
        /// <summary>DT_UINT32.</summary>
        public const short UInt32 = 768;
        /// <summary>DT_INT64.</summary>
        public const short Int64 = 1024;
        /// <summary>DT_UINT64.</summary>
        public const short UInt64 = 1280;

        /// <summary>The voxel type of a datatype code, or null when unsupported (bit, complex, RGB, float128) or unknown.</summary>
        public static VoxelType? ToVoxelType(int code) => code switch
        {
            UInt8 => VoxelType.UInt8,
            Int16 => VoxelType.Int16,
            Int32 => VoxelType.Int32,
            Float32 => VoxelType.Float32,
            Float64 => VoxelType.Float64,
            Int8 => VoxelType.Int8,
            UInt16 => VoxelType.UInt16,
            UInt32 => VoxelType.UInt32,
            Int64 => VoxelType.Int64,
            UInt64 => VoxelType.UInt64,
            _ => null,
        };

        /// <summary>The datatype code of a voxel type.</summary>
        public static short FromVoxelType(VoxelType type) => type switch
        {
            VoxelType.UInt8 => UInt8,
            VoxelType.Int8 => Int8,
            VoxelType.Int16 => Int16,
            VoxelType.UInt16 => UInt16,
            VoxelType.Int32 => Int32,
            VoxelType.UInt32 => UInt32,
            VoxelType.Int64 => Int64,
            VoxelType.UInt64 => UInt64,
            VoxelType.Float32 => Float32,
            _ => Float64,
        };

        /// <summary>A readable name for a code, including the unsupported ones.</summary>
        public static string Describe(int code) => code switch
        {
            1 => "DT_BINARY (1 bit)",
            32 => "DT_COMPLEX64",
            128 => "DT_RGB24",
            1536 => "DT_FLOAT128",
            1792 => "DT_COMPLEX128",
            2048 => "DT_COMPLEX256",
            2304 => "DT_RGBA32",
            _ => ToVoxelType(code) is VoxelType t ? t.ToString().ToLowerInvariant() : "unknown code " + code,
        };
    }
}
