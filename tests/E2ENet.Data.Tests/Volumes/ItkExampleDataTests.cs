using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Tests.Support;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Tests.Volumes
{
    /// <summary>
    /// MetaImage and NRRD files written by ITK itself (Debian's insighttoolkit5-examples): the same image stored as
    /// .mhd + .zraw and as .nhdr + .raw, with identity and rotated directions, reads to the same voxels and world geometry;
    /// the voxels equal the raw data file's bytes (read here without our readers); unsupported files fail clearly.
    /// </summary>
    public class ItkExampleDataTests
    {
        public static TheoryData<string, string> Pairs() => new TheoryData<string, string>
        {
            { "BrainProtonDensitySliceBorder20.mhd", "BrainProtonDensitySliceBorder20.nhdr" },
            { "BrainProtonDensitySliceBorder20DirectionPlus30.mhd", "BrainProtonDensitySliceBorder20DirectionPlus30.nhdr" },
            { "BrainProtonDensitySliceShifted13x17y.mhd", "BrainProtonDensitySliceShifted13x17y.nhdr" },
            { "BrainProtonDensitySliceShifted13x17yDirectionPlus30.mhd", "BrainProtonDensitySliceShifted13x17yDirectionPlus30.nhdr" },
            { "BrainT1SliceBorder20DirectionPlus30.mhd", "BrainT1SliceBorder20DirectionPlus30.nhdr" },
        };

        [Theory]
        [MemberData(nameof(Pairs))]
        public void MetaImage_and_NRRD_of_the_same_image_agree_and_hold_the_raw_bytes(string mhd, string nhdr)
        {
            Volume meta = VolumeFiles.Read(RealData.Itk(mhd)), nrrd = VolumeFiles.Read(RealData.Itk(nhdr));
            Assert.Equal(new Int3(1, 257, 221), meta.Shape); // a 2D image is one slice
            Assert.Equal(meta.Shape, nrrd.Shape);
            Assert.Equal(VoxelType.UInt8, meta.StoredType);
            Assert.True(meta.Voxels.AsSpan().SequenceEqual(nrrd.Voxels));
            Assert.True(meta.Affine.ApproximatelyEquals(nrrd.Affine, 1e-5), $"MetaImage {meta.Affine}, NRRD {nrrd.Affine}");

            string rawName = File.ReadAllLines(RealData.Itk(nhdr)).Single(l => l.StartsWith("data file: ", StringComparison.Ordinal)).Substring(11);
            byte[] raw = File.ReadAllBytes(RealData.Itk(rawName));
            Assert.Equal(raw.Length, meta.Voxels.Length);
            Assert.True(raw.Select(b => (float)b).SequenceEqual(meta.Voxels));
        }

        [Fact]
        public void A_rotated_direction_becomes_the_RAS_affine()
        {
            // ITK: axis i points along (cos 30, sin 30) and axis j along (-sin 30, cos 30) in LPS; RAS flips x and y.
            Volume plus = VolumeFiles.Read(RealData.Itk("BrainProtonDensitySliceBorder20DirectionPlus30.mhd"));
            double c = Math.Cos(Math.PI / 6), s = Math.Sin(Math.PI / 6);
            Assert.True(plus.Affine.ApproximatelyEquals(new AffineMatrix(new[] { -c, s, 0, 0, -s, -c, 0, 0, 0, 0, 1, 0 }), 1e-6), plus.Affine.ToString());
            // Minus30 stores the same voxels (the same .zraw) with the transposed rotation.
            Volume minus = VolumeFiles.Read(RealData.Itk("BrainProtonDensitySliceBorder20DirectionMinus30.mhd"));
            Assert.True(minus.Voxels.AsSpan().SequenceEqual(plus.Voxels));
            Assert.True(minus.Affine.ApproximatelyEquals(new AffineMatrix(new[] { -c, -s, 0, 0, s, -c, 0, 0, 0, 0, 1, 0 }), 1e-6), minus.Affine.ToString());
            Assert.True(Math.Abs(plus.Affine.Determinant3 - 1) < 1e-6);
        }

        [Fact]
        public void A_3D_MetaImage_without_optional_fields_reads_with_ITK_defaults()
        {
            Volume volume = VolumeFiles.Read(RealData.Itk("BrainProtonDensity3Slices.mha"));
            Assert.Equal(new Int3(3, 217, 181), volume.Shape);
            Assert.Equal(Real3.All(1), volume.Spacing);
            Assert.Equal(AffineMatrix.Diagonal(-1, -1, 1), volume.Affine);
            byte[] raw = File.ReadAllBytes(RealData.Itk("BrainProtonDensity3Slices.raw"));
            Assert.True(raw.Select(b => (float)b).SequenceEqual(volume.Voxels));
        }

        [Fact]
        public void Compressed_local_float_data_with_an_offset_reads()
        {
            Volume volume = VolumeFiles.Read(RealData.Itk("CorpusCallosumMeanShape.mha"));
            Assert.Equal(new Int3(1, 31, 58), volume.Shape);
            Assert.Equal(VoxelType.Float32, volume.StoredType);
            Assert.Equal(new Real3(1, 2, 2), volume.Spacing);
            Assert.Equal((57.5, 30.5, 0.0), volume.Affine.Transform(0, 0, 0)); // Offset -57.5 -30.5 in LPS
            // The zlib stream after the header, decompressed here independently, holds the same floats.
            byte[] file = File.ReadAllBytes(RealData.Itk("CorpusCallosumMeanShape.mha"));
            int start = IndexAfter(file, "ElementDataFile = LOCAL\n");
            using var zlib = new ZLibStream(new MemoryStream(file, start, file.Length - start), CompressionMode.Decompress);
            var bytes = new byte[volume.Voxels.Length * 4];
            zlib.ReadExactly(bytes);
            Assert.True(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).SequenceEqual(volume.Voxels));
        }

        [Fact]
        public void Position_is_read_as_the_origin_with_anisotropic_spacing()
        {
            Volume volume = VolumeFiles.Read(RealData.Itk("ResampleImageFilterInput2x3b.mha"));
            Assert.Equal(new Int3(1, 240, 280), volume.Shape);
            Assert.Equal(new Real3(1, 0.75, 0.5), volume.Spacing);
            Assert.Equal((-60.0, -70.0, 0.0), volume.Affine.Transform(0, 0, 0));
        }

        [Theory]
        [InlineData("BayesianClassifierInitializerMemberships.mhd", "4 components")]
        [InlineData("itkBrainSliceComplex.mha", "2 components")]
        public void Vector_images_are_refused_as_not_scalar(string name, string named)
        {
            var error = Assert.Throws<DataException>(() => VolumeFiles.Read(RealData.Itk(name)));
            Assert.Equal("E4013", error.Id);
            Assert.Contains(named, error.Message);
            Assert.Contains("line ", error.Message);
        }

        [Fact]
        public void Every_MetaImage_and_NRRD_file_of_the_package_reads_or_fails_with_a_data_error()
        {
            string[] files = Directory.GetFiles(RealData.ItkData).Where(VolumeFiles.IsVolumeFile).Where(f => !f.EndsWith(".nii.gz", StringComparison.Ordinal)).ToArray();
            Assert.True(files.Length >= 20, "expected the package's MetaImage and NRRD files, found " + files.Length);
            int read = 0;
            foreach (string file in files)
            {
                try { VolumeFiles.Read(file); read++; }
                catch (DataException e) { Assert.Equal("E4013", e.Id); }
            }
            Assert.True(read >= files.Length - 2, $"{read} of {files.Length} read");
        }

        private static int IndexAfter(byte[] bytes, string text)
        {
            byte[] pattern = System.Text.Encoding.ASCII.GetBytes(text);
            for (int n = 0; n + pattern.Length <= bytes.Length; n++)
                if (bytes.AsSpan(n, pattern.Length).SequenceEqual(pattern)) return n + pattern.Length;
            throw new InvalidOperationException(text + " not found");
        }
    }
}
