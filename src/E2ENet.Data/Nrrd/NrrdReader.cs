using System;
using System.Collections.Generic;
using System.IO;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Nrrd
{
    /// <summary>
    /// Reads NRRD files: <c>.nrrd</c> with the voxels after the header (an empty line ends it), and <c>.nhdr</c> headers
    /// naming a data file (<c>.raw</c>, <c>.raw.gz</c>), with raw or gzip encoding, either byte order. Directions and origin
    /// are converted from the header's space (RAS, LAS, LPS, ...) to LPS and then to the RAS affine through
    /// <see cref="ItkGeometry"/>, so a NRRD file and the MetaImage or NIfTI file of the same image give the same volume.
    /// Every problem is a <see cref="DataException"/> naming the file and the line (E4017 for the header).
    /// </summary>
    public static class NrrdReader
    {
        /// <summary>Reads a scalar image of up to 3 spatial axes as a volume (other axes must have size 1).</summary>
        /// <exception cref="DataException">Every problem with the header or the data (E4001-E4018).</exception>
        public static Volume Read(string path, VolumeReadOptions? options = null)
        {
            options ??= VolumeReadOptions.Default;
            TextHeader text = ReadText(path);
            NrrdHeader header = NrrdHeader.Parse(text);
            StoredVoxels voxels = header.Voxels;
            long byteCount = voxels.ByteCount(path, options);
            string describe = voxels.Describe(NrrdHeader.TypeName(voxels.Type));
            string dataFile = voxels.DataFile ?? path;
            long offset = voxels.DataFile == null ? text.DataOffset : 0;
            if (header.LineSkip > 0) offset = SkipLines(path, dataFile, offset, header.LineSkip);
            byte[] data = voxels.Compressed
                ? VoxelData.Read(path, dataFile, offset, byteCount, true, header.ByteSkip, describe)
                : VoxelData.Read(path, dataFile, header.ByteSkip < 0 ? -1 : offset + header.ByteSkip, byteCount, false, 0, describe);
            return voxels.ToVolume(path, data, options);
        }

        /// <summary>The detached data file a header names (none for attached data); an unreadable header gives none.</summary>
        public static IReadOnlyList<string> DataFiles(string path) => StoredVoxels.DataFileList(() => NrrdHeader.Parse(ReadText(path)).Voxels);

        private static TextHeader ReadText(string path)
        {
            using FileStream stream = VoxelData.Open(path);
            bool first = true;
            return TextHeader.Read(path, stream, DataErrors.BadNrrdHeader, line =>
            {
                if (first)
                {
                    first = false;
                    if (!NrrdHeader.IsMagic(line.Text)) return true; // not NRRD: stop reading, Parse says so
                    return false;
                }
                return line.Text.Length == 0;
            });
        }

        /// <summary>The offset after <paramref name="lines"/> more line breaks from <paramref name="offset"/> in the data file.</summary>
        private static long SkipLines(string path, string dataFile, long offset, long lines)
        {
            using FileStream stream = VoxelData.Open(dataFile);
            stream.Seek(offset, SeekOrigin.Begin);
            long position = offset, seen = 0;
            var buffer = new byte[1 << 16];
            while (seen < lines)
            {
                int read = stream.Read(buffer, 0, buffer.Length);
                if (read == 0) throw new DataException(DataErrors.Truncated, path, $"the data file {dataFile} has {seen} line(s), fewer than the {lines} that 'line skip' skips");
                for (int n = 0; n < read && seen < lines; n++)
                {
                    position++;
                    if (buffer[n] == (byte)'\n') seen++;
                }
            }
            return position;
        }
    }
}
