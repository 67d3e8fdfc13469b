using System;
using System.IO;
using System.Linq;
using E2ENet.Data.Nifti;
using E2ENet.Data.Tests.Nifti;
using E2ENet.Data.Tests.Support;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Tests.Volumes
{
    /// <summary>
    /// MetaImage and NRRD against an independent implementation: real NIfTI volumes converted by a Python script written from
    /// the specifications (LPS and RAS spaces, raw, zlib and gzip data, both byte orders, attached and detached data) read
    /// by our readers give the NIfTI reader's voxels and world geometry; and files our writers make, read by that script,
    /// give the original voxels and geometry back.
    /// </summary>
    public class ItkFormatCrossCheckTests : IDisposable
    {
        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        public static TheoryData<string, bool> Sources() => new TheoryData<string, bool>
        {
            { RealData.Colin27, false },                           // 181 x 217 x 181 uint8, 1 mm
            { RealData.Aal, false },                               // labels on the same grid
            { RealData.Nibabel("example4d.nii.gz"), false },       // oblique qform (rotation about x), int16, first volume
            { RealData.Nibabel("example4d.nii.gz"), true },        // rotated about all three axes and shifted
            { RealData.Nibabel("anatomical.nii"), true },          // big-endian int16, rotated
            { RealData.Nibabel("standard.nii.gz"), false },        // anisotropic 1 x 3 x 2 mm
        };

        [Theory]
        [MemberData(nameof(Sources))]
        public void Files_written_by_the_independent_script_read_as_the_nifti_original(string source, bool oblique)
        {
            string nifti = _temp.File("source.nii.gz");
            ItkScript.Volume(source, nifti, oblique);
            Volume expected = VolumeFiles.Read(nifti);
            string[] files = ItkScript.Convert(nifti, _temp.File("converted"));
            Assert.Equal(4, files.Length);
            foreach (string file in files)
            {
                Volume actual = VolumeFiles.Read(file);
                Assert.Equal(expected.Shape, actual.Shape);
                Assert.Equal(expected.StoredType, actual.StoredType);
                Assert.True(expected.Voxels.AsSpan().SequenceEqual(actual.Voxels), file + ": voxels differ");
                Assert.True(expected.Affine.ApproximatelyEquals(actual.Affine, 1e-4), $"{file}: affine {actual.Affine}, NIfTI {expected.Affine}");
                Assert.True(expected.Spacing.ApproximatelyEquals(actual.Spacing, 1e-6), $"{file}: spacing {actual.Spacing}, NIfTI {expected.Spacing}");
                Assert.True(expected.SameGrid(actual), file);
                // The world position of the far corner agrees too (the affine applied, not only its entries).
                var (x, y, z) = actual.Affine.Transform(actual.Shape.W - 1, actual.Shape.H - 1, actual.Shape.D - 1);
                var (ex, ey, ez) = expected.Affine.Transform(expected.Shape.W - 1, expected.Shape.H - 1, expected.Shape.D - 1);
                Assert.True(Math.Abs(x - ex) + Math.Abs(y - ey) + Math.Abs(z - ez) < 1e-3, file);
            }
        }

        [Theory]
        [InlineData("out.mha", VoxelType.Int16)]
        [InlineData("out.mhd", VoxelType.Float32)]
        [InlineData("out.nrrd", VoxelType.Int16)]
        [InlineData("out.nhdr", VoxelType.Float64)]
        public void Files_our_writers_make_read_with_the_independent_script_as_the_original(string name, VoxelType type)
        {
            string nifti = _temp.File("source.nii.gz");
            ItkScript.Volume(RealData.Nibabel("example4d.nii.gz"), nifti, oblique: true);
            Volume original = VolumeFiles.Read(nifti);
            string path = _temp.File(name);
            VolumeFiles.Write(path, original, type);

            ItkScriptView view = ItkScript.Read(path);
            Assert.Equal(new long[] { original.Shape.W, original.Shape.H, original.Shape.D }, view.Sizes);
            Assert.Equal(type.ToString().ToLowerInvariant(), view.DType);
            Assert.True(original.Voxels.AsSpan().SequenceEqual(view.Values), "voxels differ");
            NiftiCrossCheckTests.AssertAffine(NibabelView.Load(nifti).Affine, original.Affine, 1e-4);
            NiftiCrossCheckTests.AssertAffine(view.Affine, original.Affine, 1e-4);
        }
    }
}
