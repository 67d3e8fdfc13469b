using System;
using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace E2ENet.Data.Volumes
{
    /// <summary>
    /// Stored voxel bytes to float32 values and back, for every <see cref="VoxelType"/>, shared by the file formats:
    /// byte-order swaps, an optional linear scaling (NIfTI's scl_slope/scl_inter), and the exactness checks of writing.
    /// </summary>
    public static class VoxelCodec
    {
        /// <summary>Reverses the byte order of every <paramref name="size"/>-byte value of <paramref name="data"/>, in place.</summary>
        public static void SwapBytes(Span<byte> data, int size)
        {
            switch (size)
            {
                case 2: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ushort>(data), MemoryMarshal.Cast<byte, ushort>(data)); break;
                case 4: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, uint>(data), MemoryMarshal.Cast<byte, uint>(data)); break;
                case 8: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ulong>(data), MemoryMarshal.Cast<byte, ulong>(data)); break;
            }
        }

        /// <summary>
        /// Little-endian stored values to float32, <c>value x slope + inter</c> (pass 1 and 0 for none). Values beyond the
        /// float32 range become infinite (a caller that refuses those checks with <see cref="CountNonFinite"/>).
        /// </summary>
        public static float[] Decode(ReadOnlySpan<byte> bytes, VoxelType type, double slope = 1, double inter = 0)
        {
            var result = new float[bytes.Length / type.Size()];
            DecodeInto(bytes, type, slope, inter, result);
            return result;
        }

        /// <summary>As <see cref="Decode"/>, into <paramref name="result"/> (one value per stored value): for reading a volume in parts.</summary>
        public static void DecodeInto(ReadOnlySpan<byte> bytes, VoxelType type, double slope, double inter, Span<float> result)
        {
            switch (type)
            {
                case VoxelType.UInt8: Convert(bytes, result, slope, inter); break;
                case VoxelType.Int8: Convert(MemoryMarshal.Cast<byte, sbyte>(bytes), result, slope, inter); break;
                case VoxelType.Int16: Convert(MemoryMarshal.Cast<byte, short>(bytes), result, slope, inter); break;
                case VoxelType.UInt16: Convert(MemoryMarshal.Cast<byte, ushort>(bytes), result, slope, inter); break;
                case VoxelType.Int32: Convert(MemoryMarshal.Cast<byte, int>(bytes), result, slope, inter); break;
                case VoxelType.UInt32: Convert(MemoryMarshal.Cast<byte, uint>(bytes), result, slope, inter); break;
                case VoxelType.Int64: Convert(MemoryMarshal.Cast<byte, long>(bytes), result, slope, inter); break;
                case VoxelType.UInt64: Convert(MemoryMarshal.Cast<byte, ulong>(bytes), result, slope, inter); break;
                case VoxelType.Float32: Convert(MemoryMarshal.Cast<byte, float>(bytes), result, slope, inter); break;
                default: Convert(MemoryMarshal.Cast<byte, double>(bytes), result, slope, inter); break;
            }
        }

        private static void Convert<T>(ReadOnlySpan<T> source, Span<float> target, double slope, double inter) where T : unmanaged, INumberBase<T>
        {
            if (slope == 1 && inter == 0)
            {
                for (int n = 0; n < source.Length; n++) target[n] = float.CreateTruncating(source[n]);
                return;
            }
            for (int n = 0; n < source.Length; n++) target[n] = (float)(double.CreateTruncating(source[n]) * slope + inter);
        }

        /// <summary>How many values are NaN or infinite, and the index of the first (-1 when none).</summary>
        public static (long Count, long First) CountNonFinite(float[] values)
        {
            long count = 0, first = -1;
            for (long n = 0; n < values.LongLength; n++)
                if (!float.IsFinite(values[n]))
                {
                    if (first < 0) first = n;
                    count++;
                }
            return (count, first);
        }

        /// <summary>E4010 when some values are NaN or infinite, naming the count and the first voxel's (i, j, k) on a grid of <paramref name="sizes"/> (i fastest).</summary>
        public static void CheckFinite(string path, float[] values, long[] sizes)
        {
            var (count, first) = CountNonFinite(values);
            if (count == 0) return;
            long i = first % sizes[0], j = first / sizes[0] % sizes[1], k = first / sizes[0] / sizes[1];
            float value = values[first];
            string what = float.IsNaN(value) ? "NaN" : (value > 0 ? "+Inf" : "-Inf") + " (or beyond the float32 range)";
            throw new DataException(DataErrors.NonFiniteVoxels, path, $"{count} of {values.LongLength} voxels are NaN or infinite; the first is {what} at voxel ({i}, {j}, {k}) (i, j, k)");
        }

        /// <summary>
        /// float32 values to little-endian stored bytes of <paramref name="type"/>, as <c>(value - inter) / slope</c>.
        /// Integer types take only values they hold exactly (whole numbers within 1e-3, in range): no silent rounding or
        /// clamping. NaN and infinite values are never written.
        /// </summary>
        /// <exception cref="DataException">E4014 naming <paramref name="path"/> and the first voxel that does not fit.</exception>
        public static byte[] Encode(string path, float[] values, VoxelType type, double slope = 1, double inter = 0)
        {
            var bytes = new byte[values.LongLength * type.Size()];
            Span<byte> span = bytes;
            bool scaled = slope != 1 || inter != 0;
            if (type == VoxelType.Float32 && !scaled)
            {
                for (long n = 0; n < values.LongLength; n++) if (!float.IsFinite(values[n])) throw NotFinite(path, n, values[n]);
                MemoryMarshal.Cast<float, byte>(values.AsSpan()).CopyTo(span);
                return bytes;
            }
            if (type == VoxelType.Float64 && !scaled)
            {
                Span<double> target = MemoryMarshal.Cast<byte, double>(span);
                for (int n = 0; n < values.Length; n++)
                {
                    if (!float.IsFinite(values[n])) throw NotFinite(path, n, values[n]);
                    target[n] = values[n];
                }
                return bytes;
            }
            var (min, max) = type.Range();
            int size = type.Size();
            for (int n = 0; n < values.Length; n++)
            {
                if (!float.IsFinite(values[n])) throw NotFinite(path, n, values[n]);
                double raw = (values[n] - inter) / slope;
                Span<byte> at = span.Slice(n * size, size);
                if (type == VoxelType.Float32) { BinaryPrimitives.WriteSingleLittleEndian(at, (float)raw); continue; }
                if (type == VoxelType.Float64) { BinaryPrimitives.WriteDoubleLittleEndian(at, raw); continue; }
                double rounded = Math.Round(raw);
                if (!(Math.Abs(raw - rounded) <= 1e-3) || rounded < min || rounded > max)
                    throw new DataException(DataErrors.CannotWrite, path,
                        $"voxel {n} has the value {values[n].ToString("R", CultureInfo.InvariantCulture)}, which {type.ToString().ToLowerInvariant()}{(scaled ? " with the template's scl_slope/scl_inter" : "")} cannot hold exactly; write a floating-point type");
                switch (type)
                {
                    case VoxelType.UInt8: at[0] = (byte)rounded; break;
                    case VoxelType.Int8: at[0] = (byte)(sbyte)rounded; break;
                    case VoxelType.Int16: BinaryPrimitives.WriteInt16LittleEndian(at, (short)rounded); break;
                    case VoxelType.UInt16: BinaryPrimitives.WriteUInt16LittleEndian(at, (ushort)rounded); break;
                    case VoxelType.Int32: BinaryPrimitives.WriteInt32LittleEndian(at, (int)rounded); break;
                    case VoxelType.UInt32: BinaryPrimitives.WriteUInt32LittleEndian(at, (uint)rounded); break;
                    case VoxelType.Int64: BinaryPrimitives.WriteInt64LittleEndian(at, (long)rounded); break;
                    default: BinaryPrimitives.WriteUInt64LittleEndian(at, (ulong)rounded); break;
                }
            }
            return bytes;
        }

        private static DataException NotFinite(string path, long index, float value)
            => new DataException(DataErrors.CannotWrite, path, $"voxel {index} is {value.ToString(CultureInfo.InvariantCulture)}; NaN and infinite values are not written");
    }
}
