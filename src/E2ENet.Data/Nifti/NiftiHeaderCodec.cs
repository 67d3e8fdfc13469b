using System;
using System.Buffers.Binary;
using System.Text;

namespace E2ENet.Data.Nifti
{
    /// <summary>
    /// Turns header bytes into a <see cref="NiftiHeader"/> and back, for both versions and both byte orders.
    /// Offsets follow nifti1.h (348 bytes) and nifti2.h (540 bytes). Parsing checks nothing beyond the version;
    /// <see cref="NiftiReader"/> validates.
    /// </summary>
    public static class NiftiHeaderCodec
    {
        /// <summary>Size of the NIfTI-1 header.</summary>
        public const int Nifti1Size = 348;

        /// <summary>Size of the NIfTI-2 header.</summary>
        public const int Nifti2Size = 540;

        /// <summary>
        /// The version and byte order announced by the first four bytes (sizeof_hdr): (1 or 2, big-endian), or
        /// (0, false) when they are neither 348 nor 540 in either byte order.
        /// </summary>
        public static (int Version, bool BigEndian) Sniff(ReadOnlySpan<byte> first4)
        {
            int little = BinaryPrimitives.ReadInt32LittleEndian(first4), big = BinaryPrimitives.ReadInt32BigEndian(first4);
            if (little == Nifti1Size) return (1, false);
            if (big == Nifti1Size) return (1, true);
            if (little == Nifti2Size) return (2, false);
            if (big == Nifti2Size) return (2, true);
            return (0, false);
        }

        /// <summary>Parses a header (348 or 540 bytes, plus optionally the 4-byte extender). Returns the header and its magic string.</summary>
        public static (NiftiHeader Header, string Magic) Parse(ReadOnlySpan<byte> bytes, int version, bool bigEndian)
        {
            var r = new Reader(bytes, bigEndian);
            var h = new NiftiHeader { Version = version, BigEndian = bigEndian };
            string magic;
            if (version == 1)
            {
                h.DimInfo = bytes[39];
                for (int i = 0; i < 8; i++) h.Dim[i] = r.I16(40 + 2 * i);
                for (int i = 0; i < 3; i++) h.IntentP[i] = r.F32(56 + 4 * i);
                h.IntentCode = r.I16(68);
                h.DataType = r.I16(70);
                h.BitPix = r.I16(72);
                h.SliceStart = r.I16(74);
                for (int i = 0; i < 8; i++) h.PixDim[i] = r.F32(76 + 4 * i);
                h.VoxOffset = r.F32(108);
                h.SclSlope = r.F32(112);
                h.SclInter = r.F32(116);
                h.SliceEnd = r.I16(120);
                h.SliceCode = bytes[122];
                h.XyztUnits = bytes[123];
                h.CalMax = r.F32(124);
                h.CalMin = r.F32(128);
                h.SliceDuration = r.F32(132);
                h.TOffset = r.F32(136);
                h.Description = Text(bytes.Slice(148, 80));
                h.AuxFile = Text(bytes.Slice(228, 24));
                h.QFormCode = r.I16(252);
                h.SFormCode = r.I16(254);
                for (int i = 0; i < 3; i++) h.Quatern[i] = r.F32(256 + 4 * i);
                for (int i = 0; i < 3; i++) h.QOffset[i] = r.F32(268 + 4 * i);
                for (int i = 0; i < 12; i++) h.SRows[i] = r.F32(280 + 4 * i);
                h.IntentName = Text(bytes.Slice(328, 16));
                magic = Text(bytes.Slice(344, 4));
                if (bytes.Length >= Nifti1Size + 4) h.HasExtensions = bytes[Nifti1Size] != 0;
            }
            else
            {
                magic = Text(bytes.Slice(4, 8));
                h.DataType = r.I16(12);
                h.BitPix = r.I16(14);
                for (int i = 0; i < 8; i++) h.Dim[i] = r.I64(16 + 8 * i);
                for (int i = 0; i < 3; i++) h.IntentP[i] = r.F64(80 + 8 * i);
                for (int i = 0; i < 8; i++) h.PixDim[i] = r.F64(104 + 8 * i);
                h.VoxOffset = r.I64(168);
                h.SclSlope = r.F64(176);
                h.SclInter = r.F64(184);
                h.CalMax = r.F64(192);
                h.CalMin = r.F64(200);
                h.SliceDuration = r.F64(208);
                h.TOffset = r.F64(216);
                h.SliceStart = r.I64(224);
                h.SliceEnd = r.I64(232);
                h.Description = Text(bytes.Slice(240, 80));
                h.AuxFile = Text(bytes.Slice(320, 24));
                h.QFormCode = r.I32(344);
                h.SFormCode = r.I32(348);
                for (int i = 0; i < 3; i++) h.Quatern[i] = r.F64(352 + 8 * i);
                for (int i = 0; i < 3; i++) h.QOffset[i] = r.F64(376 + 8 * i);
                for (int i = 0; i < 12; i++) h.SRows[i] = r.F64(400 + 8 * i);
                h.SliceCode = r.I32(496);
                h.XyztUnits = r.I32(500);
                h.IntentCode = r.I32(504);
                h.IntentName = Text(bytes.Slice(508, 16));
                h.DimInfo = bytes[524];
                if (bytes.Length >= Nifti2Size + 4) h.HasExtensions = bytes[Nifti2Size] != 0;
            }
            return (h, magic);
        }

        /// <summary>
        /// Serialises a header, little-endian, as a single-file (.nii) header followed by the 4-byte extender (no
        /// extensions). The caller sets <see cref="NiftiHeader.VoxOffset"/> (352 or 544 for data right after it).
        /// </summary>
        public static byte[] Serialize(NiftiHeader h)
        {
            var bytes = new byte[h.HeaderSize + 4];
            var w = new Writer(bytes);
            if (h.Version == 1)
            {
                w.I32(0, Nifti1Size);
                bytes[38] = (byte)'r'; // "regular", as Analyze readers expect
                bytes[39] = h.DimInfo;
                for (int i = 0; i < 8; i++) w.I16(40 + 2 * i, checked((short)h.Dim[i]));
                for (int i = 0; i < 3; i++) w.F32(56 + 4 * i, h.IntentP[i]);
                w.I16(68, checked((short)h.IntentCode));
                w.I16(70, h.DataType);
                w.I16(72, h.BitPix);
                w.I16(74, checked((short)h.SliceStart));
                for (int i = 0; i < 8; i++) w.F32(76 + 4 * i, h.PixDim[i]);
                w.F32(108, h.VoxOffset);
                w.F32(112, h.SclSlope);
                w.F32(116, h.SclInter);
                w.I16(120, checked((short)h.SliceEnd));
                bytes[122] = checked((byte)h.SliceCode);
                bytes[123] = checked((byte)h.XyztUnits);
                w.F32(124, h.CalMax);
                w.F32(128, h.CalMin);
                w.F32(132, h.SliceDuration);
                w.F32(136, h.TOffset);
                PutText(bytes, 148, 80, h.Description);
                PutText(bytes, 228, 24, h.AuxFile);
                w.I16(252, checked((short)h.QFormCode));
                w.I16(254, checked((short)h.SFormCode));
                for (int i = 0; i < 3; i++) w.F32(256 + 4 * i, h.Quatern[i]);
                for (int i = 0; i < 3; i++) w.F32(268 + 4 * i, h.QOffset[i]);
                for (int i = 0; i < 12; i++) w.F32(280 + 4 * i, h.SRows[i]);
                PutText(bytes, 328, 16, h.IntentName);
                PutText(bytes, 344, 4, "n+1");
            }
            else
            {
                w.I32(0, Nifti2Size);
                bytes[4] = (byte)'n'; bytes[5] = (byte)'+'; bytes[6] = (byte)'2'; bytes[7] = 0;
                bytes[8] = 0x0D; bytes[9] = 0x0A; bytes[10] = 0x1A; bytes[11] = 0x0A;
                w.I16(12, h.DataType);
                w.I16(14, h.BitPix);
                for (int i = 0; i < 8; i++) w.I64(16 + 8 * i, h.Dim[i]);
                for (int i = 0; i < 3; i++) w.F64(80 + 8 * i, h.IntentP[i]);
                for (int i = 0; i < 8; i++) w.F64(104 + 8 * i, h.PixDim[i]);
                w.I64(168, (long)h.VoxOffset);
                w.F64(176, h.SclSlope);
                w.F64(184, h.SclInter);
                w.F64(192, h.CalMax);
                w.F64(200, h.CalMin);
                w.F64(208, h.SliceDuration);
                w.F64(216, h.TOffset);
                w.I64(224, h.SliceStart);
                w.I64(232, h.SliceEnd);
                PutText(bytes, 240, 80, h.Description);
                PutText(bytes, 320, 24, h.AuxFile);
                w.I32(344, h.QFormCode);
                w.I32(348, h.SFormCode);
                for (int i = 0; i < 3; i++) w.F64(352 + 8 * i, h.Quatern[i]);
                for (int i = 0; i < 3; i++) w.F64(376 + 8 * i, h.QOffset[i]);
                for (int i = 0; i < 12; i++) w.F64(400 + 8 * i, h.SRows[i]);
                w.I32(496, h.SliceCode);
                w.I32(500, h.XyztUnits);
                w.I32(504, h.IntentCode);
                PutText(bytes, 508, 16, h.IntentName);
                bytes[524] = h.DimInfo;
            }
            return bytes;
        }

        private static string Text(ReadOnlySpan<byte> field)
        {
            int end = field.IndexOf((byte)0);
            if (end < 0) end = field.Length;
            var builder = new StringBuilder(end);
            foreach (byte b in field.Slice(0, end)) builder.Append(b >= 32 && b < 127 ? (char)b : '?');
            return builder.ToString();
        }

        private static void PutText(byte[] bytes, int offset, int length, string text)
        {
            for (int i = 0; i < length - 1 && i < text.Length; i++) bytes[offset + i] = text[i] < 128 ? (byte)text[i] : (byte)'?';
        }

        private readonly ref struct Reader
        {
            private readonly ReadOnlySpan<byte> _bytes;
            private readonly bool _big;

            public Reader(ReadOnlySpan<byte> bytes, bool big) { _bytes = bytes; _big = big; }

            public short I16(int o) => _big ? BinaryPrimitives.ReadInt16BigEndian(_bytes.Slice(o)) : BinaryPrimitives.ReadInt16LittleEndian(_bytes.Slice(o));
            public int I32(int o) => _big ? BinaryPrimitives.ReadInt32BigEndian(_bytes.Slice(o)) : BinaryPrimitives.ReadInt32LittleEndian(_bytes.Slice(o));
            public long I64(int o) => _big ? BinaryPrimitives.ReadInt64BigEndian(_bytes.Slice(o)) : BinaryPrimitives.ReadInt64LittleEndian(_bytes.Slice(o));
            public double F32(int o) => _big ? BinaryPrimitives.ReadSingleBigEndian(_bytes.Slice(o)) : BinaryPrimitives.ReadSingleLittleEndian(_bytes.Slice(o));
            public double F64(int o) => _big ? BinaryPrimitives.ReadDoubleBigEndian(_bytes.Slice(o)) : BinaryPrimitives.ReadDoubleLittleEndian(_bytes.Slice(o));
        }

        private readonly struct Writer
        {
            private readonly byte[] _bytes;

            public Writer(byte[] bytes) { _bytes = bytes; }

            public void I16(int o, short v) => BinaryPrimitives.WriteInt16LittleEndian(_bytes.AsSpan(o), v);
            public void I32(int o, int v) => BinaryPrimitives.WriteInt32LittleEndian(_bytes.AsSpan(o), v);
            public void I64(int o, long v) => BinaryPrimitives.WriteInt64LittleEndian(_bytes.AsSpan(o), v);
            public void F32(int o, double v) => BinaryPrimitives.WriteSingleLittleEndian(_bytes.AsSpan(o), (float)v);
            public void F64(int o, double v) => BinaryPrimitives.WriteDoubleLittleEndian(_bytes.AsSpan(o), v);
        }
    }
}
