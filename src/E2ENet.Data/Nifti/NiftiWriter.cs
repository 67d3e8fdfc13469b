using System;
using System.IO;
using System.IO.Compression;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Nifti
{
    /// <summary>
    /// Writes NIfTI single files, little-endian, atomically (a temporary file in the same folder, then a rename):
    /// gzip-compressed when the name ends in .gz. Geometry comes from the volume's NIfTI header when it has one
    /// (so a prediction lands exactly on its image: qform, sform, their codes, pixdim and units are copied), else
    /// from its affine. NIfTI-2 is written when the template is NIfTI-2 or a size exceeds 32767.
    /// </summary>
    public static class NiftiWriter
    {
        /// <summary>Writes a volume, storing <paramref name="type"/>.</summary>
        /// <exception cref="DataException">E4014 when a value does not fit the type (or is not a whole number for an integer type) or the file cannot be written.</exception>
        public static void Write(string path, Volume volume, VoxelType type)
        {
            NiftiHeader header = HeaderFor(volume, type);
            byte[] data = Encode(path, volume.Voxels, type, header);
            WriteFile(path, header, data);
        }

        /// <summary>Writes an image exactly as stored (raw bytes and header; extensions are not kept).</summary>
        public static void WriteImage(string path, NiftiImage image)
        {
            NiftiHeader header = image.Header.Clone();
            header.BigEndian = false;
            WriteFile(path, header, image.Data);
        }

        /// <summary>The header written for <paramref name="volume"/>: its own NIfTI header's geometry when it has one on this grid, else one built from its affine.</summary>
        public static NiftiHeader HeaderFor(Volume volume, VoxelType type)
        {
            NiftiHeader header;
            if (volume.Header is NiftiHeader template && template.Dim[1] == volume.Shape.W && template.Dim[2] == volume.Shape.H && (template.Dim[0] < 3 ? 1 : template.Dim[3]) == volume.Shape.D)
            {
                header = template.Clone();
                // The template's scaling is kept only when writing its own integer type back (a scaled CT written as
                // int16 again); anything else (a uint8 label map on a CT with scl_inter -1024) is stored unscaled.
                bool keepScaling = NiftiImage.HasScaling(template) && !type.IsFloatingPoint() && NiftiDataType.FromVoxelType(type) == template.DataType;
                if (!keepScaling) { header.SclSlope = 1; header.SclInter = 0; }
            }
            else
            {
                header = new NiftiHeader();
                header.SetAffine(volume.Affine);
                header.PixDim[1] = volume.Spacing.W;
                header.PixDim[2] = volume.Spacing.H;
                header.PixDim[3] = volume.Spacing.D;
                header.Description = "E2ENet";
            }
            header.Dim = new long[] { 3, volume.Shape.W, volume.Shape.H, volume.Shape.D, 1, 1, 1, 1 };
            for (int i = 4; i < 8; i++) header.PixDim[i] = 0;
            header.DataType = NiftiDataType.FromVoxelType(type);
            header.BitPix = (short)(type.Size() * 8);
            header.CalMin = 0;
            header.CalMax = 0;
            header.IntentCode = 0;
            header.IntentP = new double[3];
            header.IntentName = "";
            header.HasExtensions = false;
            header.BigEndian = false;
            if (volume.Shape.D > short.MaxValue || volume.Shape.H > short.MaxValue || volume.Shape.W > short.MaxValue) header.Version = 2;
            return header;
        }

        private static void WriteFile(string path, NiftiHeader header, byte[] data)
        {
            header.VoxOffset = header.HeaderSize + 4;
            header.HasExtensions = false;
            byte[] headerBytes = NiftiHeaderCodec.Serialize(header);
            bool compress = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
            AtomicFile.Write(path, stream =>
            {
                if (compress)
                {
                    using var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true);
                    gzip.Write(headerBytes, 0, headerBytes.Length);
                    gzip.Write(data, 0, data.Length);
                }
                else
                {
                    stream.Write(headerBytes, 0, headerBytes.Length);
                    stream.Write(data, 0, data.Length);
                }
            });
        }

        private static byte[] Encode(string path, float[] values, VoxelType type, NiftiHeader header)
        {
            bool scaled = NiftiImage.HasScaling(header);
            double slope = scaled ? header.SclSlope : 1, inter = scaled && !double.IsNaN(header.SclInter) ? header.SclInter : 0;
            return VoxelCodec.Encode(path, values, type, slope, inter);
        }
    }
}
