using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Nifti;
using E2ENet.Data.Tests.Support;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Tests.Nifti
{
    /// <summary>Corrupt, truncated, inconsistent and hostile files: each gives its own clear error naming the file, never a crash, hang or huge allocation.</summary>
    public class NiftiCorruptionTests : IDisposable
    {
        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        /// <summary>A valid NIfTI-1 (or 2) float32 file of 5x6x7 voxels, as bytes.</summary>
        private byte[] ValidFile(int version = 1, VoxelType type = VoxelType.Float32)
        {
            var shape = new Int3(7, 6, 5);
            var values = new float[shape.Volume];
            for (int n = 0; n < values.Length; n++) values[n] = n % 50;
            var volume = new Volume(shape, values, new Real3(3, 2, 1), AffineMatrix.Diagonal(1, 2, 3), type);
            string path = _temp.File("valid.nii");
            if (version == 2)
            {
                NiftiHeader header = NiftiWriter.HeaderFor(volume, type);
                header.Version = 2;
                volume = new Volume(shape, values, volume.Spacing, volume.Affine, type, header);
            }
            NiftiWriter.Write(path, volume, type);
            return File.ReadAllBytes(path);
        }

        private DataException Fails(byte[] bytes, string name = "bad.nii", VolumeReadOptions? options = null)
        {
            string path = _temp.File(name);
            File.WriteAllBytes(path, bytes);
            var error = Assert.Throws<DataException>(() => NiftiReader.ReadVolume(path, options));
            Assert.Contains(path, error.Message);
            Assert.Equal(path, error.File);
            Assert.StartsWith("E4", error.Id);
            return error;
        }

        private static byte[] Gzip(byte[] bytes)
        {
            using var output = new MemoryStream();
            using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(bytes, 0, bytes.Length);
            return output.ToArray();
        }

        private static byte[] With(byte[] bytes, Action<byte[]> change)
        {
            byte[] copy = (byte[])bytes.Clone();
            change(copy);
            return copy;
        }

        [Fact]
        public void The_valid_file_reads()
        {
            string path = _temp.File("ok.nii");
            File.WriteAllBytes(path, ValidFile());
            Assert.Equal(new Int3(7, 6, 5), NiftiReader.ReadVolume(path).Shape);
        }

        [Fact]
        public void Bad_magic() => Assert.Equal("E4002", Fails(With(ValidFile(), b => b[344] = (byte)'x')).Id);

        [Fact]
        public void Wrong_header_size_is_not_nifti()
        {
            var error = Fails(With(ValidFile(), b => BinaryPrimitives.WriteInt32LittleEndian(b, 1234)));
            Assert.Equal("E4002", error.Id);
            Assert.Contains("1234", error.Message);
        }

        [Fact]
        public void Empty_and_tiny_files_are_not_nifti()
        {
            Assert.Equal("E4002", Fails(Array.Empty<byte>()).Id);
            Assert.Equal("E4002", Fails(new byte[] { 1, 2 }).Id);
        }

        [Fact]
        public void A_file_cut_inside_the_header_is_truncated()
            => Assert.Equal("E4008", Fails(ValidFile().AsSpan(0, 200).ToArray()).Id);

        [Fact]
        public void Two_file_pairs_are_refused_with_the_conversion_to_do()
        {
            var error = Fails(With(ValidFile(), b => { b[344] = (byte)'n'; b[345] = (byte)'i'; b[346] = (byte)'1'; }));
            Assert.Equal("E4003", error.Id);
        }

        [Theory]
        [InlineData(0, 9, "dim[0]")]
        [InlineData(0, 0, "dim[0]")]
        [InlineData(2, -5, "dim[2]")]
        [InlineData(1, 0, "dim[1]")]
        public void Negative_or_absurd_dimensions(int index, int value, string named)
        {
            var error = Fails(With(ValidFile(), b => BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(40 + 2 * index), (short)value)));
            Assert.Equal("E4004", error.Id);
            Assert.Contains(named, error.Message);
        }

        [Fact]
        public void A_header_claiming_terabytes_is_refused_before_allocating()
        {
            byte[] bytes = With(ValidFile(), b =>
            {
                for (int axis = 1; axis <= 3; axis++) BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(40 + 2 * axis), 32767);
                BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(40), 4);
                BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(48), 32767);
            });
            long before = GC.GetTotalAllocatedBytes(true);
            var error = Fails(bytes);
            Assert.Equal("E4005", error.Id);
            Assert.True(error.Message.Contains("EiB"), error.Message);
            Assert.True(GC.GetTotalAllocatedBytes(true) - before < 64L << 20);
            // The same claim inside a tiny .nii.gz.
            Assert.Equal("E4005", Fails(Gzip(bytes), "bad.nii.gz").Id);
        }

        [Fact]
        public void Nifti2_sizes_whose_product_overflows_are_refused()
        {
            byte[] bytes = With(ValidFile(2), b =>
            {
                for (int axis = 1; axis <= 3; axis++) BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(16 + 8 * axis), 1L << 40);
            });
            var error = Fails(bytes);
            Assert.Equal("E4005", error.Id);
            Assert.Contains("2^63", error.Message);
        }

        [Fact]
        public void A_gzip_stream_that_claims_more_than_it_holds_does_not_allocate_the_claim()
        {
            // 2^30 float32 voxels announced (4 GiB would be over the default limit of 2^30 voxels? exactly at it), but only a few bytes follow.
            byte[] bytes = With(ValidFile(), b =>
            {
                BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(42), 1024);
                BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(44), 1024);
                BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(46), 256);
                BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(70), NiftiDataType.UInt8);
                BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(72), 8);
            });
            long before = GC.GetTotalAllocatedBytes(true);
            var error = Fails(Gzip(bytes), "claims.nii.gz");
            Assert.Equal("E4008", error.Id);
            Assert.True(GC.GetTotalAllocatedBytes(true) - before < 128L << 20);
        }

        [Theory]
        [InlineData(1e6f, "past the end")]
        [InlineData(352.5f, "whole number")]
        [InlineData(-4f, "whole number")]
        [InlineData(float.NaN, "whole number")]
        public void Vox_offset_past_the_end_or_invalid(float offset, string says)
        {
            var error = Fails(With(ValidFile(), b => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(108), offset)));
            Assert.Equal("E4007", error.Id);
            Assert.Contains(says, error.Message);
        }

        [Fact]
        public void Vox_offset_past_the_end_of_a_gzip_stream()
        {
            var error = Fails(Gzip(With(ValidFile(), b => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(108), 1e6f))), "bad.nii.gz");
            Assert.Equal("E4007", error.Id);
        }

        [Fact]
        public void A_truncated_nii_names_the_missing_bytes()
        {
            byte[] bytes = ValidFile();
            var error = Fails(bytes.AsSpan(0, bytes.Length - 100).ToArray());
            Assert.Equal("E4008", error.Id);
            Assert.Contains("needs 840 bytes", error.Message);
        }

        [Fact]
        public void A_truncated_gzip_stream()
        {
            byte[] compressed = Gzip(ValidFile());
            var error = Fails(compressed.AsSpan(0, compressed.Length / 2).ToArray(), "cut.nii.gz");
            Assert.True(error.Id == "E4008" || error.Id == "E4009", error.Message);
        }

        [Fact]
        public void A_flipped_byte_in_a_gzip_stream_is_detected()
        {
            // A stored (uncompressed) deflate block: a flipped byte decodes "fine" and only the gzip CRC-32 check finds it.
            byte[] raw = ValidFile();
            byte[] compressed;
            using (var output = new MemoryStream())
            {
                using (var gzip = new GZipStream(output, CompressionLevel.NoCompression, leaveOpen: true)) gzip.Write(raw, 0, raw.Length);
                compressed = output.ToArray();
            }
            int at = compressed.AsSpan().IndexOf(raw.AsSpan(600, 24));
            Assert.True(at > 0);
            compressed[at + 10] ^= 0x55;
            var error = Fails(compressed, "flipped.nii.gz");
            Assert.Equal("E4009", error.Id);
        }

        [Fact]
        public void Garbage_after_a_gzip_header_is_a_corrupt_stream()
        {
            byte[] compressed = Gzip(ValidFile());
            for (int n = 12; n < 60; n++) compressed[n] = 0xFF;
            var error = Fails(compressed, "garbage.nii.gz");
            Assert.True(error.Id == "E4009" || error.Id == "E4008" || error.Id == "E4002", error.Message);
        }

        [Theory]
        [InlineData(float.NaN, "NaN")]
        [InlineData(float.PositiveInfinity, "+Inf")]
        [InlineData(float.NegativeInfinity, "-Inf")]
        public void Non_finite_voxels(float value, string named)
        {
            byte[] bytes = With(ValidFile(), b => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(352 + 4 * 37), value));
            var error = Fails(bytes);
            Assert.Equal("E4010", error.Id);
            Assert.Contains(named + " at voxel (2, 1, 1)", error.Message);
            // ...and accepted when asked for.
            string path = _temp.File("nan-ok.nii");
            File.WriteAllBytes(path, bytes);
            float read = NiftiReader.ReadVolume(path, new VolumeReadOptions { AllowNonFinite = true }).Voxels[37];
            Assert.True(float.IsNaN(value) ? float.IsNaN(read) : read == value);
        }

        [Fact]
        public void Float64_values_beyond_float32_are_refused()
        {
            byte[] bytes = ValidFile(1, VoxelType.Float64);
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(352 + 8 * 3), 1e300);
            Assert.Equal("E4010", Fails(bytes).Id);
        }

        [Theory]
        [InlineData(32, "DT_COMPLEX64")]
        [InlineData(128, "DT_RGB24")]
        [InlineData(999, "unknown code 999")]
        public void Unsupported_datatypes(short code, string named)
        {
            var error = Fails(With(ValidFile(), b => BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(70), code)));
            Assert.Equal("E4006", error.Id);
            Assert.Contains(named, error.Message);
        }

        [Fact]
        public void Infinite_scaling() => Assert.Equal("E4011", Fails(With(ValidFile(1, VoxelType.Int16), b => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(112), float.PositiveInfinity))).Id);

        [Fact]
        public void Zero_spacing()
        {
            var error = Fails(With(ValidFile(), b => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(80), 0f)));
            Assert.Equal("E4012", error.Id);
            Assert.Contains("pixdim[1]", error.Message);
        }

        [Fact]
        public void A_quaternion_longer_than_one()
        {
            var error = Fails(With(ValidFile(), b =>
            {
                BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(254), 0); // no sform: the qform is used
                BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(252), 1);
                BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(256), 0.9f);
                BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(260), 0.9f);
            }));
            Assert.Equal("E4012", error.Id);
            Assert.Contains("quaternion", error.Message);
        }

        [Fact]
        public void A_singular_sform()
        {
            var error = Fails(With(ValidFile(), b => { for (int n = 280; n < 328; n++) b[n] = 0; }));
            Assert.Equal("E4012", error.Id);
            Assert.Contains("singular", error.Message);
        }

        [Fact]
        public void Missing_files_and_folders()
        {
            var missing = Assert.Throws<DataException>(() => VolumeFiles.Read(_temp.File("nope.nii.gz")));
            Assert.Equal("E4001", missing.Id);
            Directory.CreateDirectory(_temp.File("folder.nii"));
            Assert.Equal("E4001", Assert.Throws<DataException>(() => VolumeFiles.Read(_temp.File("folder.nii"))).Id);
            Assert.Equal("E4015", Assert.Throws<DataException>(() => VolumeFiles.Read(_temp.File("image.png"))).Id);
        }

        [Fact]
        public void Random_mutations_never_escape_as_anything_but_a_data_error()
        {
            byte[] valid = ValidFile();
            byte[] validGz = Gzip(valid);
            var random = new Random(20240601);
            string path = _temp.File("fuzz.nii"), pathGz = _temp.File("fuzz.nii.gz");
            int refused = 0;
            for (int round = 0; round < 600; round++)
            {
                bool gz = round % 3 == 2;
                byte[] bytes = (byte[])(gz ? validGz : valid).Clone();
                int changes = 1 + random.Next(6);
                for (int c = 0; c < changes; c++)
                {
                    int at = gz ? random.Next(bytes.Length) : random.Next(Math.Min(bytes.Length, 360));
                    bytes[at] = (byte)random.Next(256);
                }
                if (random.Next(5) == 0) bytes = bytes.AsSpan(0, random.Next(bytes.Length)).ToArray();
                string file = gz ? pathGz : path;
                File.WriteAllBytes(file, bytes);
                try { NiftiReader.ReadVolume(file); }
                catch (DataException e)
                {
                    Assert.StartsWith("E40", e.Id);
                    refused++;
                }
            }
            // The mutations do reach the checks (a fuzz loop whose inputs all read fine would prove nothing).
            Assert.True(refused > 0, "no mutated file was refused");
        }
    }
}
