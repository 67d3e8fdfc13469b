using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Runtime.InteropServices;
using E2ENet.Data.Volumes;
using E2ENet.Compiler.Host;

namespace E2ENet.Data.Nifti
{
    /// <summary>
    /// Reads NIfTI-1 and NIfTI-2 single files (.nii, and .nii.gz by content, whatever the name), either byte order.
    /// A managed reader (no native library): it checks every header field before allocating, never trusts a size it
    /// has not verified against the file, and turns every problem into a <see cref="DataException"/> that names the
    /// file and the field (E40xx). A header claiming terabytes is refused before anything is allocated; a truncated or
    /// corrupt gzip stream, a vox_offset past the end, NaN or infinite voxels each have their own error.
    /// </summary>
    public static class NiftiReader
    {
        private const int GrowthStep = 64 << 20; // a .nii.gz buffer grows by at most this much before its bytes arrived

        /// <summary>Reads the header only (the voxel data is not read, so truncation is not detected).</summary>
        public static NiftiHeader ReadHeader(string path)
        {
            using var source = NiftiSource.Open(path);
            return ReadAndCheckHeader(source, path, VolumeReadOptions.Default).Header;
        }

        /// <summary>
        /// Reads a 3D volume (see <see cref="NiftiImage.ToVolume()"/>), decoding the voxel data in chunks straight into the float32
        /// array: at its peak it holds the volume's float32 values and one chunk, never the whole stored data beside them.
        /// </summary>
        public static Volume ReadVolume(string path, VolumeReadOptions? options = null)
        {
            options ??= VolumeReadOptions.Default;
            using var source = NiftiSource.Open(path);
            var (header, type, dataOffset, byteCount) = ReadAndCheckHeader(source, path, options);
            // A gzip stream is decoded straight into the float32 array only when its trailer (ISIZE, the decompressed length modulo
            // 2^32) agrees with the header; a stream that may hold less than the header claims is read as before (its bytes first,
            // growing as they arrive), so a small file cannot make the reader allocate what it claims.
            if (source.IsCompressed && source.TrailerSize != (uint)(dataOffset + byteCount)) return ReadImage(path, options).ToVolume();
            SkipToData(source, path, header, type, dataOffset, byteCount);
            int size = type.Size();
            long voxels = byteCount / size;
            var values = new float[voxels];
            var (slope, inter) = NiftiImage.Scaling(header);
            var finite = new FiniteCheck(type, NiftiImage.HasScaling(header), slope, inter);
            var chunk = new byte[(int)Math.Min(byteCount, ChunkBytes)];
            long done = 0;
            while (done < voxels)
            {
                int count = (int)Math.Min(chunk.Length / size, voxels - done);
                Span<byte> bytes = chunk.AsSpan(0, count * size);
                int read = source.Read(bytes);
                if (read < bytes.Length)
                {
                    long filled = done * size + read;
                    throw new DataException(DataErrors.Truncated, path, source.IsCompressed
                        ? $"the gzip stream ends after {filled} of the {byteCount} bytes of voxel data that the header ({NiftiImage.DescribeDims(header)} voxels of {NiftiDataType.Describe(header.DataType)}) announces"
                        : $"the file ended after {source.Position} bytes while reading voxel data");
                }
                if (header.BigEndian) VoxelCodec.SwapBytes(bytes, size);
                if (!options.AllowNonFinite) finite.Add(bytes, done);
                VoxelCodec.DecodeInto(bytes, type, slope, inter, values.AsSpan((int)done, count));
                done += count;
            }
            finite.ThrowIfBad(path, header, voxels);
            return NiftiImage.ToVolume(header, path, type, values);
        }

        /// <summary>Bytes decoded at a time by <see cref="ReadVolume"/>.</summary>
        private const int ChunkBytes = 8 << 20;

        /// <summary>Skips the extensions up to the voxel data; checks that an uncompressed file holds all of it.</summary>
        private static void SkipToData(NiftiSource source, string path, NiftiHeader header, VoxelType type, long dataOffset, long byteCount)
        {
            long toSkip = dataOffset - source.Position;
            if (!source.IsCompressed && dataOffset >= source.FileLength)
                throw new DataException(DataErrors.BadVoxOffset, path, $"vox_offset {dataOffset} is past the end of the file ({source.FileLength} bytes)");
            if (source.Skip(toSkip) < toSkip)
                throw new DataException(DataErrors.BadVoxOffset, path, $"vox_offset {dataOffset} is past the end of the {(source.IsCompressed ? "decompressed stream" : "file")} ({source.Position} bytes)");
            if (!source.IsCompressed && source.FileLength - dataOffset < byteCount)
                throw new DataException(DataErrors.Truncated, path,
                    $"the header ({NiftiImage.DescribeDims(header)} voxels of {NiftiDataType.Describe(header.DataType)}) needs {byteCount} bytes of voxel data from byte {dataOffset}, and the file has only {source.FileLength - dataOffset}");
        }

        /// <summary>Reads header and raw voxels of an image of any dimensionality.</summary>
        /// <exception cref="DataException">Every problem with the file (E4001-E4012).</exception>
        public static NiftiImage ReadImage(string path, VolumeReadOptions? options = null)
        {
            options ??= VolumeReadOptions.Default;
            using var source = NiftiSource.Open(path);
            var (header, type, dataOffset, byteCount) = ReadAndCheckHeader(source, path, options);

            SkipToData(source, path, header, type, dataOffset, byteCount);

            byte[] data;
            if (!source.IsCompressed)
            {
                data = new byte[byteCount];
                source.ReadAll(data);
            }
            else
            {
                data = new byte[Math.Min(byteCount, GrowthStep)];
                long filled = 0;
                while (filled < byteCount)
                {
                    if (filled == data.LongLength) Array.Resize(ref data, (int)Math.Min(byteCount, data.LongLength + Math.Max(GrowthStep, data.LongLength)));
                    int read = source.Read(data.AsSpan((int)filled, (int)(data.LongLength - filled)));
                    if (read == 0)
                        throw new DataException(DataErrors.Truncated, path,
                            $"the gzip stream ends after {filled} of the {byteCount} bytes of voxel data that the header ({NiftiImage.DescribeDims(header)} voxels of {NiftiDataType.Describe(header.DataType)}) announces");
                    filled += read;
                }
            }

            if (header.BigEndian) VoxelCodec.SwapBytes(data, type.Size());
            var image = new NiftiImage(path, header, type, data);
            if (!options.AllowNonFinite)
            {
                var (slope, inter) = NiftiImage.Scaling(header);
                var finite = new FiniteCheck(type, image.IsScaled, slope, inter);
                finite.Add(data, 0);
                finite.ThrowIfBad(path, header, data.LongLength / type.Size());
            }
            return image;
        }

        private static (NiftiHeader Header, VoxelType Type, long DataOffset, long ByteCount) ReadAndCheckHeader(NiftiSource source, string path, VolumeReadOptions options)
        {
            var first = new byte[4];
            int got = source.Read(first);
            if (got < 4) throw new DataException(DataErrors.NotNifti, path, $"{(source.IsCompressed ? "the decompressed stream" : "the file")} has only {got} bytes; a NIfTI header has 348 (NIfTI-1) or 540 (NIfTI-2)");
            var (version, bigEndian) = NiftiHeaderCodec.Sniff(first);
            if (version == 0)
                throw new DataException(DataErrors.NotNifti, path,
                    $"the first 4 bytes (sizeof_hdr) read {BinaryPrimitives.ReadInt32LittleEndian(first)}; a NIfTI file starts with 348 (NIfTI-1) or 540 (NIfTI-2)");
            int size = version == 1 ? NiftiHeaderCodec.Nifti1Size : NiftiHeaderCodec.Nifti2Size;
            var bytes = new byte[size + 4];
            first.CopyTo(bytes, 0);
            int rest = source.Read(bytes.AsSpan(4, size - 4));
            if (rest < size - 4) throw new DataException(DataErrors.Truncated, path, $"the file ends inside the NIfTI-{version} header ({4 + rest} of {size} bytes)");
            int extender = source.Read(bytes.AsSpan(size, 4));
            var (header, magic) = NiftiHeaderCodec.Parse(bytes.AsSpan(0, size + extender), version, bigEndian);

            string expected = version == 1 ? "n+1" : "n+2";
            if (magic.StartsWith(version == 1 ? "ni1" : "ni2", StringComparison.Ordinal))
                throw new DataException(DataErrors.UnsupportedVariant, path, $"magic '{magic}' marks a two-file NIfTI-{version} header (.hdr with the voxels in a separate .img)");
            if (!magic.StartsWith(expected, StringComparison.Ordinal))
                throw new DataException(DataErrors.NotNifti, path, $"the magic string at byte {(version == 1 ? 344 : 4)} is '{magic}', not '{expected}'");

            long dims = header.Dim[0];
            if (dims < 1 || dims > 7)
                throw new DataException(DataErrors.BadDimensions, path, $"dim[0] (the number of dimensions) is {dims}; it must be 1 to 7");
            for (int axis = 1; axis <= dims; axis++)
                if (header.Dim[axis] < 1)
                    throw new DataException(DataErrors.BadDimensions, path, $"dim[{axis}] is {header.Dim[axis]}; every size must be at least 1");

            VoxelType type = NiftiDataType.ToVoxelType(header.DataType)
                ?? throw new DataException(DataErrors.UnsupportedDataType, path, $"datatype {header.DataType} ({NiftiDataType.Describe(header.DataType)}) is not supported");

            long voxels;
            try { voxels = header.VoxelCount; }
            catch (OverflowException) { throw new DataException(DataErrors.TooLarge, path, $"the header's sizes ({NiftiImage.DescribeDims(header)}) multiply to more than 2^63 voxels"); }
            long maxBytes = Array.MaxLength;
            if (voxels > options.MaxVoxels || voxels > maxBytes / type.Size())
                throw new DataException(DataErrors.TooLarge, path,
                    $"the header claims {NiftiImage.DescribeDims(header)} = {voxels} voxels of {NiftiDataType.Describe(header.DataType)} ({FormatBytes((double)voxels * type.Size())}); the limit is {Math.Min(options.MaxVoxels, maxBytes / type.Size())} voxels");

            double offset = header.VoxOffset;
            if (double.IsNaN(offset) || double.IsInfinity(offset) || offset < 0 || offset != Math.Floor(offset) || offset > long.MaxValue / 2)
                throw new DataException(DataErrors.BadVoxOffset, path, $"vox_offset is {NiftiImage.Format(offset)}; it must be a whole number of bytes");
            long dataOffset = Math.Max((long)offset, size + 4); // nibabel's rule: an offset inside the header means "right after it"

            double slope = header.SclSlope, inter = header.SclInter;
            if (double.IsInfinity(slope) || (NiftiImage.HasScaling(header) && double.IsInfinity(inter)))
                throw new DataException(DataErrors.BadScaling, path, $"scl_slope = {NiftiImage.Format(slope)}, scl_inter = {NiftiImage.Format(inter)}: the scaling is not finite");
            return (header, type, dataOffset, voxels * type.Size());
        }

        /// <summary>Counts NaN and infinite values (after scaling) chunk by chunk, remembering the first; integers scaled by a finite slope stay finite.</summary>
        private sealed class FiniteCheck
        {
            private readonly VoxelType _type;
            private readonly bool _scaled;
            private readonly double _slope, _inter;
            private long _bad, _first = -1;
            private double _sample;

            public FiniteCheck(VoxelType type, bool scaled, double slope, double inter)
            {
                _type = type;
                _scaled = scaled;
                _slope = slope;
                _inter = inter;
            }

            public void Add(ReadOnlySpan<byte> bytes, long start)
            {
                if (!_type.IsFloatingPoint()) return;
                if (_type == VoxelType.Float32)
                {
                    ReadOnlySpan<float> values = MemoryMarshal.Cast<byte, float>(bytes);
                    for (int n = 0; n < values.Length; n++) if (!float.IsFinite(values[n]) || _scaled) Check(start + n, values[n]);
                }
                else
                {
                    ReadOnlySpan<double> values = MemoryMarshal.Cast<byte, double>(bytes);
                    for (int n = 0; n < values.Length; n++) Check(start + n, values[n]);
                }
            }

            private void Check(long n, double raw)
            {
                double value = raw * _slope + _inter;
                if (double.IsFinite(value) && Math.Abs(value) <= float.MaxValue) return;
                if (_first < 0) { _first = n; _sample = value; }
                _bad++;
            }

            public void ThrowIfBad(string path, NiftiHeader header, long voxels)
            {
                if (_bad == 0) return;
                long[] dim = header.Dim;
                long rest = _first;
                var index = new long[Math.Max(1, (int)dim[0])];
                for (int axis = 0; axis < index.Length; axis++)
                {
                    index[axis] = rest % dim[axis + 1];
                    rest /= dim[axis + 1];
                }
                string what = double.IsNaN(_sample) ? "NaN" : double.IsInfinity(_sample) ? (_sample > 0 ? "+Inf" : "-Inf") : "beyond the float32 range";
                throw new DataException(DataErrors.NonFiniteVoxels, path,
                    $"{_bad} of {voxels} voxels are NaN or infinite; the first is {what} at voxel ({string.Join(", ", index)}) (i, j, k{(index.Length > 3 ? ", ..." : "")})");
            }
        }

        internal static string FormatBytes(double bytes)
        {
            string[] units = { "bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
            int unit = 0;
            while (bytes >= 1024 && unit < units.Length - 1) { bytes /= 1024; unit++; }
            return bytes.ToString(unit == 0 ? "0" : "0.#", System.Globalization.CultureInfo.InvariantCulture) + " " + units[unit];
        }

        /// <summary>
        /// The file, decompressed when it is gzip (zlib checks the stream's CRC-32 and length, so a damaged file fails
        /// as E4009); translates IO and decompression failures into E4001/E4009.
        /// </summary>
        private sealed class NiftiSource : IDisposable
        {
            private readonly string _path;
            private readonly FileStream _file;
            private readonly Stream _stream;

            private NiftiSource(string path, FileStream file, bool compressed, uint? trailerSize)
            {
                _path = path;
                _file = file;
                FileLength = file.Length;
                IsCompressed = compressed;
                TrailerSize = trailerSize;
                if (compressed)
                {
                    _stream = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
                }
                else
                {
                    _stream = file;
                }
            }

            public bool IsCompressed { get; }

            /// <summary>A gzip file's trailer ISIZE (decompressed length modulo 2^32), read before decompression starts; null otherwise.</summary>
            public uint? TrailerSize { get; }

            public long FileLength { get; }

            /// <summary>Bytes consumed so far (decompressed bytes for gzip).</summary>
            public long Position { get; private set; }

            public static NiftiSource Open(string path)
            {
                FileStream file;
                try { file = RegularFile.OpenRead(path); }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException)
                {
                    throw new DataException(DataErrors.FileNotReadable, path, e is FileNotFoundException || e is DirectoryNotFoundException ? "no such file" : e is FileRefusedException ? e.Message : "cannot open: " + e.Message, e);
                }
                try
                {
                    var magic = new byte[2];
                    int got = file.Read(magic, 0, 2);
                    bool compressed = got == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
                    uint? trailer = null;
                    if (compressed && file.Length >= 22)
                    {
                        var isize = new byte[4];
                        file.Seek(-4, SeekOrigin.End);
                        if (file.Read(isize, 0, 4) == 4) trailer = BinaryPrimitives.ReadUInt32LittleEndian(isize);
                    }
                    file.Seek(0, SeekOrigin.Begin);
                    return new NiftiSource(path, file, compressed, trailer);
                }
                catch (IOException e)
                {
                    file.Dispose();
                    throw new DataException(DataErrors.FileNotReadable, path, "cannot read: " + e.Message, e);
                }
            }

            /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the count read.</summary>
            public int Read(Span<byte> buffer)
            {
                int total = 0;
                while (total < buffer.Length)
                {
                    int read;
                    try { read = _stream.Read(buffer.Slice(total)); }
                    catch (InvalidDataException e) { throw new DataException(DataErrors.CorruptCompression, _path, $"the gzip stream is corrupt after {Position + total} decompressed bytes: {e.Message}", e); }
                    catch (IOException e) { throw new DataException(DataErrors.FileNotReadable, _path, "cannot read: " + e.Message, e); }
                    if (read == 0) break;
                    total += read;
                }
                Position += total;
                return total;
            }

            public void ReadAll(byte[] data)
            {
                long done = 0;
                while (done < data.LongLength)
                {
                    int read = Read(data.AsSpan((int)done, (int)Math.Min(int.MaxValue, data.LongLength - done)));
                    if (read == 0) throw new DataException(DataErrors.Truncated, _path, $"the file ended after {Position} bytes while reading voxel data");
                    done += read;
                }
            }

            public long Skip(long count)
            {
                var scratch = new byte[(int)Math.Min(1 << 16, Math.Max(1, count))];
                long skipped = 0;
                while (skipped < count)
                {
                    int read = Read(scratch.AsSpan(0, (int)Math.Min(scratch.Length, count - skipped)));
                    if (read == 0) break;
                    skipped += read;
                }
                return skipped;
            }

            public void Dispose()
            {
                if (!ReferenceEquals(_stream, _file)) _stream.Dispose();
                _file.Dispose();
            }
        }
    }
}
