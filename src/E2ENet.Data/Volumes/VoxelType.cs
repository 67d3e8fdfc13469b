using System;

namespace E2ENet.Data.Volumes
{
    /// <summary>How voxel values are stored in a file, independent of the file format.</summary>
    public enum VoxelType
    {
        /// <summary>Unsigned 8-bit integer.</summary>
        UInt8,

        /// <summary>Signed 8-bit integer.</summary>
        Int8,

        /// <summary>Signed 16-bit integer.</summary>
        Int16,

        /// <summary>Unsigned 16-bit integer.</summary>
        UInt16,

        /// <summary>Signed 32-bit integer.</summary>
        Int32,

        /// <summary>Unsigned 32-bit integer.</summary>
        UInt32,

        /// <summary>Signed 64-bit integer.</summary>
        Int64,

        /// <summary>Unsigned 64-bit integer.</summary>
        UInt64,

        /// <summary>32-bit IEEE float.</summary>
        Float32,

        /// <summary>64-bit IEEE float.</summary>
        Float64,
    }

    /// <summary>Facts about <see cref="VoxelType"/>.</summary>
    public static class VoxelTypes
    {
        /// <summary>Bytes per voxel.</summary>
        public static int Size(this VoxelType type) => type switch
        {
            VoxelType.UInt8 or VoxelType.Int8 => 1,
            VoxelType.Int16 or VoxelType.UInt16 => 2,
            VoxelType.Int32 or VoxelType.UInt32 or VoxelType.Float32 => 4,
            VoxelType.Int64 or VoxelType.UInt64 or VoxelType.Float64 => 8,
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };

        /// <summary>True for the two floating-point types.</summary>
        public static bool IsFloatingPoint(this VoxelType type) => type == VoxelType.Float32 || type == VoxelType.Float64;

        /// <summary>The smallest and largest value an integer type holds (floats: their finite range).</summary>
        public static (double Min, double Max) Range(this VoxelType type) => type switch
        {
            VoxelType.UInt8 => (byte.MinValue, byte.MaxValue),
            VoxelType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
            VoxelType.Int16 => (short.MinValue, short.MaxValue),
            VoxelType.UInt16 => (ushort.MinValue, ushort.MaxValue),
            VoxelType.Int32 => (int.MinValue, int.MaxValue),
            VoxelType.UInt32 => (uint.MinValue, uint.MaxValue),
            VoxelType.Int64 => (long.MinValue, long.MaxValue),
            VoxelType.UInt64 => (ulong.MinValue, ulong.MaxValue),
            VoxelType.Float32 => (float.MinValue, float.MaxValue),
            _ => (double.MinValue, double.MaxValue),
        };

        /// <summary>The smallest integer type that holds label values 0..<paramref name="maxLabel"/>.</summary>
        public static VoxelType ForLabels(int maxLabel) => maxLabel <= byte.MaxValue ? VoxelType.UInt8 : maxLabel <= short.MaxValue ? VoxelType.Int16 : VoxelType.Int32;
    }
}
