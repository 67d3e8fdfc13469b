using System.IO;
using System.Linq;

namespace E2ENet.Data.Tests.Support
{
    /// <summary>Real volumes from Debian packages (tests/apt-packages.txt installs them).</summary>
    internal static class RealData
    {
        /// <summary>mricron-data's templates folder.</summary>
        public const string Templates = "/usr/share/mricron/templates";

        /// <summary>python3-nibabel's test data folder.</summary>
        public const string NibabelData = "/usr/lib/python3/dist-packages/nibabel/tests/data";

        /// <summary>insighttoolkit5-examples' data folder: MetaImage and NRRD files written by ITK.</summary>
        public const string ItkData = "/usr/share/doc/insighttoolkit5-examples/examples/Data";

        /// <summary>A file of ITK's example data.</summary>
        public static string Itk(string name) => Require(Path.Combine(ItkData, name), "insighttoolkit5-examples");

        /// <summary>Colin27 T1, 181x217x181 uint8, 1 mm.</summary>
        public static string Colin27 => Require(Path.Combine(Templates, "ch2.nii.gz"), "mricron-data");

        /// <summary>The AAL atlas (116 regions) on Colin27's grid.</summary>
        public static string Aal => Require(Path.Combine(Templates, "aal.nii.gz"), "mricron-data");

        /// <summary>A nibabel sample file.</summary>
        public static string Nibabel(string name) => Require(Path.Combine(NibabelData, name), "python3-nibabel");

        /// <summary>Every NIfTI volume nibabel ships as a test file (the CIFTI-2 one excluded: not an image).</summary>
        public static string[] NibabelVolumes => new[]
        {
            "anatomical.nii", "example4d.nii.gz", "example_nifti2.nii.gz", "functional.nii",
            "reoriented_anat_moved.nii", "resampled_anat_moved.nii", "standard.nii.gz",
        }.Select(Nibabel).ToArray();

        private static string Require(string path, string package)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing: install Debian's {package} (bash tests/install-packages.sh)", path);
            return path;
        }
    }
}
