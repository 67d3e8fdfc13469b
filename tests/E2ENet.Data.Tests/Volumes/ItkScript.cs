using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;
using E2ENet.Data.Tests.Support;
using E2ENet.Tests;

namespace E2ENet.Data.Tests.Volumes
{
    /// <summary>What the independent Python reader (itk_formats.py) says about a MetaImage or NRRD file.</summary>
    internal sealed record ItkScriptView(long[] Sizes, double[][] Affine, string DType, float[] Values);

    /// <summary>Runs tests/E2ENet.Data.Tests/Volumes/itk_formats.py: an independent MetaImage/NRRD writer and reader (numpy, zlib, gzip, nibabel).</summary>
    internal static class ItkScript
    {
        private static string Script => File.ReadAllText(TestPaths.Repo("tests", "E2ENet.Data.Tests", "Volumes", "itk_formats.py"));

        /// <summary>Writes OUT.mha, OUT_z.mhd (+ .zraw), OUT_ras.nrrd, OUT_lps.nhdr (+ .raw.gz) from a NIfTI file.</summary>
        public static string[] Convert(string nifti, string prefix)
            => PythonOracle.Json(Script, "convert", nifti, prefix).GetProperty("files").EnumerateArray().Select(e => e.GetString()!).ToArray();

        /// <summary>Converts each NIfTI source into its target (the variant chosen by the target's extension).</summary>
        public static void Write(params (string Source, string Target)[] pairs)
            => PythonOracle.Run(Script, new[] { "write" }.Concat(pairs.SelectMany(p => new[] { p.Source, p.Target })).ToArray());

        /// <summary>Saves the first 3D volume of <paramref name="source"/> as NIfTI, optionally on a rotated, shifted grid.</summary>
        public static void Volume(string source, string target, bool oblique)
        {
            if (oblique) PythonOracle.Run(Script, "volume", source, target, "oblique");
            else PythonOracle.Run(Script, "volume", source, target);
        }

        /// <summary>Reads a MetaImage or NRRD file with the Python reader.</summary>
        public static ItkScriptView Read(string path)
        {
            string values = Path.GetTempFileName();
            try
            {
                JsonElement json = PythonOracle.Json(Script, "read", path, values);
                return new ItkScriptView(
                    json.GetProperty("sizes").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
                    json.GetProperty("affine").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray(),
                    json.GetProperty("dtype").GetString()!,
                    MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(values)).ToArray());
            }
            finally { File.Delete(values); }
        }
    }
}
