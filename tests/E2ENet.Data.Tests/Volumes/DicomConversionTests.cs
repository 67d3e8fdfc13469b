using System;
using System.Diagnostics;
using System.IO;
using E2ENet.Data.Tests.Nifti;
using E2ENet.Data.Tests.Support;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Tests.Volumes
{
    /// <summary>
    /// The DICOM route docs/data.md documents: Debian's dcm2niix turns a series folder into CASE_0000.nii.gz, which our reader
    /// reads with the geometry nibabel gives. Input: pydicom's DICOM test files (python3-pydicom).
    /// </summary>
    public class DicomConversionTests : IDisposable
    {
        private const string PydicomData = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        [Theory]
        [InlineData("MR_small.dcm", 64, 64)]
        [InlineData("CT_small.dcm", 128, 128)]
        public void The_documented_dcm2niix_command_gives_a_volume_we_read(string file, int width, int height)
        {
            string source = Path.Combine(PydicomData, file);
            Assert.True(File.Exists(source), source + " is missing: install Debian's python3-pydicom (bash tests/install-packages.sh)");
            Assert.True(File.Exists("/usr/bin/dcm2niix"), "dcm2niix is missing: install Debian's dcm2niix (bash tests/install-packages.sh)");
            string series = _temp.File("series"), output = _temp.File("imagesTs");
            Directory.CreateDirectory(series);
            Directory.CreateDirectory(output);
            File.Copy(source, Path.Combine(series, file));

            // The command of docs/data.md: dcm2niix -z y -b n -f CASE_0000 -o imagesTs/ SERIES_FOLDER
            var info = new ProcessStartInfo("/usr/bin/dcm2niix") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string arg in new[] { "-z", "y", "-b", "n", "-f", "case_0000", "-o", output, series }) info.ArgumentList.Add(arg);
            using (Process process = Process.Start(info)!)
            {
                string log = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
                Assert.True(process.WaitForExit(60_000), "dcm2niix timed out");
                Assert.True(process.ExitCode == 0, log);
            }
            string nifti = Path.Combine(output, "case_0000.nii.gz");
            Assert.Equal(new[] { nifti }, Directory.GetFiles(output));

            Volume volume = VolumeFiles.Read(nifti);
            Assert.Equal(new E2ENet.Compiler.Semantics.Int3(1, height, width), volume.Shape);
            NibabelView reference = NibabelView.Load(nifti);
            NiftiCrossCheckTests.AssertAffine(reference.Affine, volume.Affine, 1e-4);
            Assert.Equal(reference.Values, volume.Voxels);
        }
    }
}
