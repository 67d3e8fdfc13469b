using System;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Nifti;
using E2ENet.Data.Tests.Support;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Tests.Nifti
{
    /// <summary>Write, read back, and let nibabel read what we wrote: bytes, values and geometry survive.</summary>
    public class NiftiRoundTripTests : IDisposable
    {
        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        public static TheoryData<string, string> Files()
        {
            var data = new TheoryData<string, string>();
            foreach (string file in RealData.NibabelVolumes.Append(RealData.Aal))
                foreach (string extension in new[] { ".nii", ".nii.gz" }) data.Add(file, extension);
            return data;
        }

        [Theory]
        [MemberData(nameof(Files))]
        public void Raw_round_trip_keeps_header_and_bytes_and_nibabel_agrees(string source, string extension)
        {
            var options = new VolumeReadOptions { AllowNonFinite = true };
            NiftiImage original = NiftiReader.ReadImage(source, options);
            string path = _temp.File("copy" + extension);
            NiftiWriter.WriteImage(path, original);
            NiftiImage copy = NiftiReader.ReadImage(path, options);

            Assert.Equal(original.Header.Version, copy.Header.Version);
            Assert.Equal(original.Header.Dim, copy.Header.Dim);
            Assert.Equal(original.Header.PixDim, copy.Header.PixDim);
            Assert.Equal(original.Header.DataType, copy.Header.DataType);
            Assert.Equal(original.Header.QFormCode, copy.Header.QFormCode);
            Assert.Equal(original.Header.SFormCode, copy.Header.SFormCode);
            Assert.Equal(original.Header.Quatern, copy.Header.Quatern);
            Assert.Equal(original.Header.QOffset, copy.Header.QOffset);
            Assert.Equal(original.Header.SRows, copy.Header.SRows);
            Assert.Equal(original.Header.SclSlope, copy.Header.SclSlope);
            Assert.Equal(original.Header.XyztUnits, copy.Header.XyztUnits);
            Assert.Equal(original.Data, copy.Data);
            Assert.False(copy.Header.BigEndian);

            NibabelView reference = NibabelView.Load(path);
            NiftiCrossCheckTests.AssertAffine(reference.Affine, original.Header.BestAffine(), 1e-5);
            float[] values = original.ToFloat32();
            for (int n = 0; n < values.Length; n++)
                Assert.True(float.IsNaN(values[n]) ? float.IsNaN(reference.Values[n]) : values[n] == reference.Values[n], "voxel " + n);
        }

        [Theory]
        [InlineData(VoxelType.UInt8)]
        [InlineData(VoxelType.Int8)]
        [InlineData(VoxelType.Int16)]
        [InlineData(VoxelType.UInt16)]
        [InlineData(VoxelType.Int32)]
        [InlineData(VoxelType.UInt32)]
        [InlineData(VoxelType.Int64)]
        [InlineData(VoxelType.UInt64)]
        [InlineData(VoxelType.Float32)]
        [InlineData(VoxelType.Float64)]
        public void Every_voxel_type_writes_and_reads_back_exactly(VoxelType type)
        {
            Volume colin = VolumeFiles.Read(RealData.Colin27);
            Volume crop = Crop(colin, 40, 50, 60, 24, 20, 16);
            float[] values = crop.Voxels.Select(v => type == VoxelType.Int8 ? v - 100 : v).ToArray();
            if (type == VoxelType.Int8) values = values.Select(v => Math.Clamp(v, -128, 127)).ToArray();
            var volume = crop.WithVoxels(values, type);
            foreach (string name in new[] { "t.nii", "t.nii.gz" })
            {
                string path = _temp.File(type + name);
                VolumeFiles.Write(path, volume, type);
                Volume back = VolumeFiles.Read(path);
                Assert.Equal(type, back.StoredType);
                Assert.Equal(values, back.Voxels);
                Assert.True(back.SameGrid(volume));
                NibabelView reference = NibabelView.Load(path);
                Assert.Equal(values, reference.Values);
                NiftiCrossCheckTests.AssertAffine(reference.Affine, volume.Affine, 1e-5);
            }
        }

        [Fact]
        public void A_prediction_written_with_the_images_header_lands_on_its_grid()
        {
            // anatomical.nii: big-endian int16 with qform and sform (code 2); example4d's oblique geometry is checked below.
            Volume image = VolumeFiles.Read(RealData.Nibabel("anatomical.nii"));
            float[] labels = image.Voxels.Select(v => v > 200 ? 2f : v > 50 ? 1f : 0f).ToArray();
            string path = _temp.File("prediction.nii.gz");
            VolumeFiles.Write(path, image.WithVoxels(labels, VoxelType.UInt8), VoxelType.UInt8);

            NibabelView written = NibabelView.Load(path), original = NibabelView.Load(RealData.Nibabel("anatomical.nii"));
            Assert.Equal(original.Shape, written.Shape);
            Assert.Equal(original.SFormCode, written.SFormCode);
            Assert.Equal(original.QFormCode, written.QFormCode);
            NiftiCrossCheckTests.AssertAffine(original.Affine, Matrix(written.Affine), 0);
            NiftiCrossCheckTests.AssertAffine(original.QForm, Matrix(written.QForm), 0);
            Assert.Equal("uint8", written.DType);
            Assert.Equal(labels, written.Values);
        }

        [Fact]
        public void A_new_volume_with_an_oblique_affine_gets_a_matching_qform_and_sform()
        {
            NiftiImage oblique = NiftiReader.ReadImage(RealData.Nibabel("example4d.nii.gz"));
            AffineMatrix affine = oblique.Header.BestAffine();
            var volume = new Volume(new Int3(4, 5, 6), new float[120], new Real3(affine.ColumnNorm(2), affine.ColumnNorm(1), affine.ColumnNorm(0)), affine);
            string path = _temp.File("oblique.nii");
            VolumeFiles.Write(path, volume, VoxelType.Float32);
            NibabelView reference = NibabelView.Load(path);
            Assert.Equal(1, reference.QFormCode);
            Assert.Equal(1, reference.SFormCode);
            NiftiCrossCheckTests.AssertAffine(reference.QForm, affine, 5e-4); // NIfTI-1 stores the quaternion in float32
            NiftiCrossCheckTests.AssertAffine(reference.SForm, affine, 1e-4);
            Assert.Equal(new long[] { 6, 5, 4 }, reference.Shape);
        }

        [Fact]
        public void Scaled_integer_files_write_back_with_their_scaling()
        {
            NiftiImage source = NiftiReader.ReadImage(RealData.Nibabel("anatomical.nii"));
            NiftiHeader header = source.Header.Clone();
            header.SclSlope = 0.5;
            header.SclInter = -10;
            string scaledPath = _temp.File("scaled.nii");
            NiftiWriter.WriteImage(scaledPath, new NiftiImage(scaledPath, header, source.Type, source.Data.ToArray()));
            Volume scaled = VolumeFiles.Read(scaledPath);
            Assert.Equal(source.ToFloat32().Select(v => v * 0.5f - 10).ToArray(), scaled.Voxels);

            string back = _temp.File("back.nii");
            VolumeFiles.Write(back, scaled, VoxelType.Int16);
            NiftiImage reread = NiftiReader.ReadImage(back);
            Assert.Equal(0.5, reread.Header.SclSlope);
            Assert.Equal(-10, reread.Header.SclInter);
            Assert.Equal(scaled.Voxels, reread.ToFloat32());

            // A label map on that scaled image is stored unscaled (a CT with scl_inter -1024 must not push labels out of uint8).
            float[] labels = scaled.Voxels.Select(v => v > 0 ? 1f : 0f).ToArray();
            string labelPath = _temp.File("labels.nii.gz");
            VolumeFiles.Write(labelPath, scaled.WithVoxels(labels, VoxelType.UInt8), VoxelType.UInt8);
            NiftiImage label = NiftiReader.ReadImage(labelPath);
            Assert.False(label.IsScaled);
            Assert.Equal(labels, label.ToFloat32());
            NiftiCrossCheckTests.AssertAffine(NibabelView.Load(labelPath).Affine, scaled.Affine, 0);
        }

        [Fact]
        public void Values_an_integer_type_cannot_hold_are_an_error_not_a_silent_clamp()
        {
            var volume = new Volume(new Int3(1, 1, 3), new[] { 1f, 300f, 2f }, Real3.All(1), AffineMatrix.Diagonal(1, 1, 1));
            var error = Assert.Throws<DataException>(() => VolumeFiles.Write(_temp.File("x.nii"), volume, VoxelType.UInt8));
            Assert.Equal("E4014", error.Id);
            Assert.Contains("300", error.Message);
            Assert.False(File.Exists(_temp.File("x.nii")));
            Assert.Empty(Directory.GetFiles(_temp.Path)); // no temporary file left behind
        }

        [Fact]
        public void Writing_over_an_existing_file_replaces_it_atomically()
        {
            string path = _temp.File("replace.nii.gz");
            Volume colin = Crop(VolumeFiles.Read(RealData.Colin27), 60, 60, 60, 30, 30, 30);
            VolumeFiles.Write(path, colin, VoxelType.Float32);
            Volume small = Crop(colin, 0, 0, 0, 5, 5, 5);
            VolumeFiles.Write(path, small, VoxelType.UInt8);
            Assert.Equal(small.Voxels, VolumeFiles.Read(path).Voxels);
            Assert.Single(Directory.GetFiles(_temp.Path));
        }

        /// <summary>A sub-block of a volume (array axes), with its affine moved so the voxels keep their world positions.</summary>
        internal static Volume Crop(Volume volume, int o0, int o1, int o2, int n0, int n1, int n2)
        {
            var values = new float[n0 * n1 * n2];
            for (int a = 0; a < n0; a++)
                for (int b = 0; b < n1; b++)
                    for (int c = 0; c < n2; c++) values[(a * n1 + b) * n2 + c] = volume[o0 + a, o1 + b, o2 + c];
            var (x, y, z) = volume.Affine.Transform(o2, o1, o0);
            double[] m = volume.Affine.ToArray();
            m[3] = x; m[7] = y; m[11] = z;
            return new Volume(new Int3(n0, n1, n2), values, volume.Spacing, new AffineMatrix(m), volume.StoredType);
        }

        private static AffineMatrix Matrix(double[][] rows) => new AffineMatrix(rows.Take(3).SelectMany(r => r).ToArray());
    }
}
