using System;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Tests.Support;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Tests.Volumes
{
    /// <summary>Writing and reading back MetaImage and NRRD: every voxel type, oblique geometry, detached data, header write-back.</summary>
    public class ItkFormatRoundTripTests : IDisposable
    {
        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        private static Volume Oblique(VoxelType type)
        {
            var shape = new Int3(5, 6, 7);
            var values = new float[shape.Volume];
            var (min, max) = type.Range();
            for (int n = 0; n < values.Length; n++) values[n] = (float)Math.Clamp(n * 3 - 100, Math.Max(min, -1e6), Math.Min(max, 1e6));
            double c = Math.Cos(0.4), s = Math.Sin(0.4);
            // Rotation about z, voxel 0.8 x 1.1 x 2.5 mm (i, j, k), then a shift.
            var affine = new AffineMatrix(new[] { c * 0.8, -s * 1.1, 0, 12.5, s * 0.8, c * 1.1, 0, -30.25, 0, 0, 2.5, 7 });
            return new Volume(shape, values, new Real3(2.5, 1.1, 0.8), affine, type);
        }

        public static TheoryData<string, VoxelType> Cases()
        {
            var data = new TheoryData<string, VoxelType>();
            foreach (string ending in new[] { ".mha", ".mhd", ".nrrd", ".nhdr" })
                foreach (VoxelType type in Enum.GetValues<VoxelType>()) data.Add(ending, type);
            return data;
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Every_type_round_trips_with_its_geometry(string ending, VoxelType type)
        {
            Volume volume = Oblique(type);
            string path = _temp.File("image" + ending);
            VolumeFiles.Write(path, volume, type);
            Volume back = VolumeFiles.Read(path);
            Assert.Equal(volume.Shape, back.Shape);
            Assert.Equal(type, back.StoredType);
            Assert.True(volume.Voxels.AsSpan().SequenceEqual(back.Voxels));
            Assert.True(volume.Affine.ApproximatelyEquals(back.Affine, 1e-12), back.Affine.ToString());
            Assert.True(volume.Spacing.ApproximatelyEquals(back.Spacing, 1e-12));
            Assert.IsType<ItkGeometry>(back.Header);
            Assert.Equal(ending is ".mhd" or ".nhdr", VolumeFiles.FilesOf(path).Count == 2);
        }

        [Fact]
        public void Detached_headers_name_their_data_file_next_to_them()
        {
            Volume volume = Oblique(VoxelType.Int16);
            VolumeFiles.Write(_temp.File("a.mhd"), volume, VoxelType.Int16);
            VolumeFiles.Write(_temp.File("b.nhdr"), volume, VoxelType.Int16);
            Assert.Equal(new[] { _temp.File("a.mhd"), _temp.File("a.zraw") }, VolumeFiles.FilesOf(_temp.File("a.mhd")));
            Assert.Equal(new[] { _temp.File("b.nhdr"), _temp.File("b.raw.gz") }, VolumeFiles.FilesOf(_temp.File("b.nhdr")));
            Assert.Equal(new[] { _temp.File("a.zraw"), _temp.File("b.raw.gz") }, VolumeFiles.DataFilesIn(_temp.Path).OrderBy(f => f));
            Assert.Contains("ElementDataFile = a.zraw", File.ReadAllText(_temp.File("a.mhd")));
            Assert.Contains("data file: b.raw.gz", File.ReadAllText(_temp.File("b.nhdr")));
            // No temporary files are left behind.
            Assert.Equal(4, Directory.GetFiles(_temp.Path).Length);
        }

        [Theory]
        [InlineData(".mha")]
        [InlineData(".nrrd")]
        public void A_prediction_on_an_ITK_image_is_written_with_its_exact_geometry(string ending)
        {
            Volume image = VolumeFiles.Read(RealData.Itk("BrainProtonDensitySliceShifted13x17yDirectionPlus30.mhd"));
            Volume prediction = image.WithVoxels(image.Voxels.Select(v => v > 100 ? 1f : 0f).ToArray(), VoxelType.UInt8);
            string path = _temp.File("prediction" + ending);
            VolumeFiles.Write(path, prediction, VoxelType.UInt8);
            Volume back = VolumeFiles.Read(path);
            var original = (ItkGeometry)image.Header!;
            var written = (ItkGeometry)back.Header!;
            // MetaImage stores spacing and direction apart: the same numbers come back. NRRD stores their product per axis,
            // so ITK's not-quite-unit direction (0.8660254, 0.5) comes back normalized with the spacing adjusted: the world
            // geometry (the affine) is the same.
            Assert.Equal(original.Origin, written.Origin);
            if (ending == ".mha")
            {
                Assert.Equal(original.Spacing, written.Spacing);
                Assert.Equal(original.Direction, written.Direction);
            }
            Assert.True(image.Affine.ApproximatelyEquals(back.Affine, 1e-12), back.Affine.ToString());
            Assert.True(image.SameGrid(back));
            Assert.True(prediction.Voxels.AsSpan().SequenceEqual(back.Voxels));
        }

        [Theory]
        [InlineData("x.mha", "x.nii.gz")]
        [InlineData("x.nrrd", "x.mha")]
        [InlineData("x.nii.gz", "x.nhdr")]
        public void Converting_between_formats_keeps_the_world_geometry(string first, string second)
        {
            Volume volume = Oblique(VoxelType.Float32);
            VolumeFiles.Write(_temp.File(first), volume, VoxelType.Float32);
            Volume a = VolumeFiles.Read(_temp.File(first));
            VolumeFiles.Write(_temp.File(second), a, VoxelType.Float32);
            Volume b = VolumeFiles.Read(_temp.File(second));
            Assert.True(volume.Affine.ApproximatelyEquals(b.Affine, 1e-5), b.Affine.ToString());
            Assert.True(volume.Voxels.AsSpan().SequenceEqual(b.Voxels));
        }

        [Fact]
        public void Values_an_integer_type_cannot_hold_are_refused_naming_the_voxel()
        {
            Volume volume = Oblique(VoxelType.Float32).WithVoxels(Enumerable.Repeat(0.5f, 210).ToArray(), VoxelType.Float32);
            var error = Assert.Throws<DataException>(() => VolumeFiles.Write(_temp.File("bad.mha"), volume, VoxelType.UInt8));
            Assert.Equal("E4014", error.Id);
            Assert.Contains("voxel 0", error.Message);
            Assert.Empty(Directory.GetFiles(_temp.Path));
        }

        [Theory]
        [InlineData("CASE_0000.mha", ".mha", "CASE_0000")]
        [InlineData("CASE.NRRD", ".NRRD", "CASE")]
        [InlineData("a.b.nhdr", ".nhdr", "a.b")]
        [InlineData("c.nii.gz", ".nii.gz", "c")]
        [InlineData("c.raw", "", "c")]
        public void Extensions_are_recognised(string name, string extension, string stem)
        {
            Assert.Equal(extension, VolumeFiles.ExtensionOf(name));
            Assert.Equal(stem, VolumeFiles.StripExtension(name));
        }
    }
}
