using System;
using System.IO;
using System.Linq;
using E2ENet.Data.Nifti;
using E2ENet.Data.Tests.Support;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Tests.Nifti
{
    /// <summary>Every shipped real volume, read by our reader and by nibabel: shape, spacing, affine and every voxel agree.</summary>
    public class NiftiCrossCheckTests
    {
        public static TheoryData<string> Volumes()
        {
            var data = new TheoryData<string>();
            data.Add(RealData.Colin27);
            data.Add(RealData.Aal);
            foreach (string file in RealData.NibabelVolumes) data.Add(file);
            return data;
        }

        [Theory]
        [MemberData(nameof(Volumes))]
        public void Reader_agrees_with_nibabel(string path)
        {
            NiftiImage image = NiftiReader.ReadImage(path, new VolumeReadOptions { AllowNonFinite = true });
            NibabelView reference = NibabelView.Load(path);

            long[] shape = Enumerable.Range(1, (int)image.Header.Dim[0]).Select(i => image.Header.Dim[i]).ToArray();
            Assert.Equal(reference.Shape, shape);
            Assert.Equal(reference.DType, image.Type switch
            {
                VoxelType.UInt8 => "uint8", VoxelType.Int16 => "int16", VoxelType.Float32 => "float32", VoxelType.Int32 => "int32",
                VoxelType.Float64 => "float64", VoxelType.UInt16 => "uint16", VoxelType.Int8 => "int8", _ => image.Type.ToString(),
            });
            for (int i = 0; i < reference.Zooms.Length; i++) Assert.Equal(reference.Zooms[i], Math.Abs(image.Header.PixDim[i + 1]), 6);
            Assert.Equal(reference.SFormCode, image.Header.SFormCode);
            Assert.Equal(reference.QFormCode, image.Header.QFormCode);
            AssertAffine(reference.Affine, image.Header.BestAffine(), 1e-4);
            if (image.Header.QFormCode > 0) AssertAffine(reference.QForm, image.Header.QForm(), 1e-4);

            float[] ours = image.ToFloat32();
            Assert.Equal(reference.Values.Length, ours.Length);
            for (int n = 0; n < ours.Length; n++)
                if (float.IsNaN(reference.Values[n]) ? !float.IsNaN(ours[n]) : Math.Abs(ours[n] - reference.Values[n]) > 1e-6 * Math.Max(1, Math.Abs(reference.Values[n])))
                    Assert.Fail($"voxel {n}: ours {ours[n]}, nibabel {reference.Values[n]}");
        }

        [Fact]
        public void Colin27_is_the_documented_volume()
        {
            Volume volume = VolumeFiles.Read(RealData.Colin27);
            Assert.Equal(new E2ENet.Compiler.Semantics.Int3(181, 217, 181), volume.Shape);
            Assert.Equal(VoxelType.UInt8, volume.StoredType);
            Assert.Equal(Real3.All(1), volume.Spacing);
            Assert.Equal((-90.0, -125.0, -71.0), volume.Affine.Transform(0, 0, 0));
            Assert.True(volume.Voxels.Max() > 100);
        }

        [Fact]
        public void A_real_file_with_NaN_voxels_is_refused_by_default_with_the_first_voxel_named()
        {
            string path = RealData.Nibabel("resampled_anat_moved.nii");
            var error = Assert.Throws<DataException>(() => VolumeFiles.Read(path));
            Assert.Equal("E4010", error.Id);
            Assert.Contains("153 of 1071 voxels", error.Message);
            Assert.Contains("(0, 0, 0)", error.Message);
            Assert.Contains(path, error.Message);
        }

        [Fact]
        public void Big_endian_files_read_the_same_values_as_nibabel()
        {
            NiftiImage image = NiftiReader.ReadImage(RealData.Nibabel("anatomical.nii"));
            Assert.True(image.Header.BigEndian);
            Assert.Equal(VoxelType.Int16, image.Type);
        }

        [Fact]
        public void Nifti2_files_are_read()
        {
            NiftiImage image = NiftiReader.ReadImage(RealData.Nibabel("example_nifti2.nii.gz"));
            Assert.Equal(2, image.Header.Version);
            var error = Assert.Throws<DataException>(() => image.ToVolume());
            Assert.Equal("E4013", error.Id); // it is 4D: 32x20x12x2
        }

        internal static void AssertAffine(double[][] expected, AffineMatrix actual, double tolerance)
        {
            for (int r = 0; r < 4; r++)
                for (int c = 0; c < 4; c++)
                    if (Math.Abs(expected[r][c] - actual[r, c]) > tolerance)
                        Assert.Fail($"affine[{r},{c}]: expected {expected[r][c]}, got {actual[r, c]} (ours {actual})");
        }
    }
}
