using System;
using System.IO;
using System.IO.Compression;

namespace E2ENet.Data.Volumes
{
    /// <summary>
    /// Reads the voxel bytes of a MetaImage or NRRD image from its data file (the header's own file for attached data),
    /// raw or compressed (zlib or gzip, told apart by their first bytes), without trusting the size the header claims:
    /// raw data is checked against the file's length before anything is allocated, and a compressed stream's buffer grows
    /// as bytes arrive, never to the claimed size at once.
    /// </summary>
    public static class VoxelData
    {
        private const int GrowthStep = 64 << 20;

        /// <summary>
        /// <paramref name="byteCount"/> bytes from <paramref name="dataFile"/>. Raw: from byte <paramref name="offset"/>, or
        /// the file's last bytes when <paramref name="offset"/> is -1. Compressed: the stream starts at <paramref name="offset"/>
        /// and its first <paramref name="skipDecompressed"/> bytes are skipped.
        /// </summary>
        /// <param name="headerPath">The header (named in messages besides the data file).</param>
        /// <param name="dataFile">The file that holds the data.</param>
        /// <param name="offset">Where the data starts, or -1 (raw only) for "at the end".</param>
        /// <param name="byteCount">The number of voxel bytes the header announces.</param>
        /// <param name="compressed">Whether the data is zlib- or gzip-compressed.</param>
        /// <param name="skipDecompressed">Bytes of the decompressed stream before the voxels.</param>
        /// <param name="describe">The header's claim in words ("181 x 217 x 3 voxels of uint8"), for messages.</param>
        /// <exception cref="DataException">E4001 (no data file), E4008 (too few bytes), E4009 (corrupt compressed stream).</exception>
        public static byte[] Read(string headerPath, string dataFile, long offset, long byteCount, bool compressed, long skipDecompressed, string describe)
        {
            string where = dataFile == headerPath ? "the file" : $"the data file {dataFile}";
            FileStream file;
            try { file = Open(dataFile); }
            catch (DataException e) when (dataFile != headerPath)
            {
                throw new DataException(DataErrors.FileNotReadable, headerPath, $"the data file {dataFile} that the header names: {e.Detail}", e);
            }
            using (file)
            {
                try
                {
                    long length = file.Length;
                    if (!compressed)
                    {
                        long start = offset < 0 ? length - byteCount : offset;
                        if (start < 0 || length - start < byteCount)
                            throw new DataException(DataErrors.Truncated, headerPath,
                                $"the header ({describe}) needs {byteCount} bytes of voxel data{(offset < 0 ? "" : $" from byte {offset}")}, and {where} has {Math.Max(0, length - Math.Max(0, start))}");
                        file.Seek(start, SeekOrigin.Begin);
                        var data = new byte[byteCount];
                        file.ReadExactly(data);
                        return data;
                    }
                    if (offset > length) throw new DataException(DataErrors.Truncated, headerPath, $"the compressed data should start at byte {offset}, past the end of {where} ({length} bytes)");
                    file.Seek(offset, SeekOrigin.Begin);
                    int first = file.ReadByte(), second = file.ReadByte();
                    file.Seek(offset, SeekOrigin.Begin);
                    bool gzip = first == 0x1F && second == 0x8B;
                    using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : new ZLibStream(file, CompressionMode.Decompress, leaveOpen: true);
                    return Inflate(headerPath, where, stream, byteCount, skipDecompressed, describe);
                }
                catch (InvalidDataException e)
                {
                    throw new DataException(DataErrors.CorruptCompression, headerPath, $"the compressed voxel data in {where} is corrupt: {e.Message}", e);
                }
                catch (EndOfStreamException e)
                {
                    throw new DataException(DataErrors.Truncated, headerPath, $"{where} ended while reading voxel data ({describe})", e);
                }
                catch (IOException e) when (e is not EndOfStreamException)
                {
                    throw new DataException(DataErrors.FileNotReadable, headerPath, $"cannot read {where}: {e.Message}", e);
                }
            }
        }

        /// <summary>Compresses voxel bytes (zlib, or gzip when <paramref name="gzip"/>), fastest level, as the NIfTI writer does.</summary>
        public static byte[] Compress(byte[] data, bool gzip)
        {
            using var output = new MemoryStream();
            using (Stream stream = gzip ? new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true) : new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true))
                stream.Write(data, 0, data.Length);
            return output.ToArray();
        }

        /// <summary>
        /// Writes a header file with its (compressed) voxel data: after the header in the same file, or, when
        /// <paramref name="dataName"/> is given, into that file beside it (written first). Both atomically.
        /// </summary>
        /// <param name="path">The header's file.</param>
        /// <param name="data">The voxel bytes as stored.</param>
        /// <param name="dataName">The data file's name (in the header's folder) for a detached header; null for attached data.</param>
        /// <param name="header">The header text for that data file name (null: attached).</param>
        public static void WriteWithHeader(string path, byte[] data, string? dataName, Func<string?, string> header)
        {
            if (dataName != null) AtomicFile.Write(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", dataName), stream => stream.Write(data, 0, data.Length));
            byte[] text = System.Text.Encoding.ASCII.GetBytes(header(dataName));
            AtomicFile.Write(path, stream =>
            {
                stream.Write(text, 0, text.Length);
                if (dataName == null) stream.Write(data, 0, data.Length);
            });
        }

        /// <summary>Opens a file for reading; E4001 when it cannot be.</summary>
        public static FileStream Open(string path)
        {
            try { return E2ENet.Compiler.Host.RegularFile.OpenRead(path); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException)
            {
                throw new DataException(DataErrors.FileNotReadable, path, e is FileNotFoundException || e is DirectoryNotFoundException ? "no such file" : "cannot open: " + e.Message, e);
            }
        }

        /// <summary>
        /// The product of <paramref name="sizes"/>, refused (E4005) before anything is allocated when it overflows, exceeds
        /// <see cref="VolumeReadOptions.MaxVoxels"/> or would not fit one array of <paramref name="type"/>.
        /// </summary>
        public static long CheckVoxelCount(string path, long[] sizes, VoxelType type, VolumeReadOptions options)
        {
            long voxels = 1;
            string dims = string.Join(" x ", sizes);
            try { foreach (long size in sizes) voxels = checked(voxels * size); }
            catch (OverflowException) { throw new DataException(DataErrors.TooLarge, path, $"the header's sizes ({dims}) multiply to more than 2^63 voxels"); }
            long limit = Math.Min(options.MaxVoxels, Array.MaxLength / type.Size());
            if (voxels > limit)
                throw new DataException(DataErrors.TooLarge, path,
                    $"the header claims {dims} = {voxels} voxels of {type.ToString().ToLowerInvariant()} ({Nifti.NiftiReader.FormatBytes((double)voxels * type.Size())}); the limit is {limit} voxels");
            return voxels;
        }

        private static byte[] Inflate(string headerPath, string where, Stream stream, long byteCount, long skip, string describe)
        {
            if (skip > 0)
            {
                var scratch = new byte[(int)Math.Min(1 << 16, skip)];
                long skipped = 0;
                while (skipped < skip)
                {
                    int read = stream.Read(scratch, 0, (int)Math.Min(scratch.Length, skip - skipped));
                    if (read == 0) throw new DataException(DataErrors.Truncated, headerPath, $"the decompressed data of {where} ends after {skipped} bytes, inside the {skip} bytes the header says to skip");
                    skipped += read;
                }
            }
            var data = new byte[Math.Min(byteCount, GrowthStep)];
            long filled = 0;
            while (filled < byteCount)
            {
                if (filled == data.LongLength) Array.Resize(ref data, (int)Math.Min(byteCount, data.LongLength + Math.Max(GrowthStep, data.LongLength)));
                int read = stream.Read(data, (int)filled, (int)(data.LongLength - filled));
                if (read == 0)
                    throw new DataException(DataErrors.Truncated, headerPath,
                        $"the compressed data of {where} ends after {filled} of the {byteCount} bytes of voxel data that the header ({describe}) announces");
                filled += read;
            }
            return data;
        }
    }
}
