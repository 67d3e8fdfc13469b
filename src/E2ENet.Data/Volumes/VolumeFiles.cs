using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Data.Nifti;

namespace E2ENet.Data.Volumes
{
    /// <summary>Reads and writes volumes in any registered format, chosen by the file name.</summary>
    public static class VolumeFiles
    {
        private static readonly List<IVolumeFormat> Registered = new List<IVolumeFormat> { new NiftiFormat(), ExtensionVolumeFormat.MetaImage, ExtensionVolumeFormat.Nrrd };
        private static readonly object Gate = new object();

        /// <summary>The registered formats (NIfTI, MetaImage, NRRD, after any registered later).</summary>
        public static IReadOnlyList<IVolumeFormat> Formats { get { lock (Gate) return Registered.ToArray(); } }

        /// <summary>Adds a format; it is asked before the built-in ones.</summary>
        public static void Register(IVolumeFormat format) { lock (Gate) Registered.Insert(0, format); }

        /// <summary>The extensions the built-in formats read and write, longest first where one ends another (".nii.gz" before ".nii").</summary>
        public static IReadOnlyList<string> KnownExtensions { get; } = new[] { ".nii.gz", ".nii", ".mha", ".mhd", ".nrrd", ".nhdr" };

        /// <summary>True when some format handles this file name.</summary>
        public static bool IsVolumeFile(string path) => Formats.Any(f => f.Handles(path));

        /// <summary>The format for <paramref name="path"/>; E4015 when none.</summary>
        public static IVolumeFormat FormatOf(string path)
            => Formats.FirstOrDefault(f => f.Handles(path))
               ?? throw new DataException(DataErrors.UnknownFormat, path, "no reader for this file name (known: " + string.Join(", ", KnownExtensions) + ")");

        /// <summary>Reads a 3D volume with the default limits.</summary>
        public static Volume Read(string path) => Read(path, VolumeReadOptions.Default);

        /// <summary>Reads a 3D volume.</summary>
        public static Volume Read(string path, VolumeReadOptions options)
        {
            IVolumeFormat format = FormatOf(path);
            if (!File.Exists(path)) throw new DataException(DataErrors.FileNotReadable, path, Directory.Exists(path) ? "is a folder, not a file" : "no such file");
            return format.Read(path, options);
        }

        /// <summary>Writes a volume atomically, storing <paramref name="type"/>.</summary>
        public static void Write(string path, Volume volume, VoxelType type) => FormatOf(path).Write(path, volume, type);

        /// <summary>The file name without its volume extension: "case_0000.nii.gz" gives "case_0000".</summary>
        public static string StripExtension(string fileName)
        {
            string extension = ExtensionOf(fileName);
            return extension.Length > 0 ? fileName.Substring(0, fileName.Length - extension.Length) : Path.GetFileNameWithoutExtension(fileName);
        }

        /// <summary>The known volume extension <paramref name="fileName"/> ends with, as written in the name ("CASE.MHA" gives ".MHA"); "" when none.</summary>
        public static string ExtensionOf(string fileName)
        {
            foreach (string extension in KnownExtensions)
                if (fileName.EndsWith(extension, StringComparison.OrdinalIgnoreCase)) return fileName.Substring(fileName.Length - extension.Length);
            return "";
        }

        /// <summary>
        /// Every file that makes up the volume <paramref name="path"/>: itself, and the data file of a detached .mhd or .nhdr
        /// header (full paths). Copy or fingerprint these, not the header alone.
        /// </summary>
        public static IReadOnlyList<string> FilesOf(string path)
        {
            IVolumeFormat? format = Formats.FirstOrDefault(f => f.Handles(path));
            if (format == null || !File.Exists(path)) return new[] { path };
            return new[] { path }.Concat(format.DataFiles(path)).ToList();
        }

        /// <summary>
        /// The data files of the detached headers in <paramref name="folder"/> (full paths), which belong to their header
        /// rather than being volumes of their own: a dataset scan skips them.
        /// </summary>
        public static ISet<string> DataFilesIn(string folder)
        {
            var result = new HashSet<string>(StringComparer.Ordinal);
            if (!Directory.Exists(folder)) return result;
            foreach (string file in Directory.GetFiles(folder))
            {
                IVolumeFormat? format = Formats.FirstOrDefault(f => f.Handles(file));
                if (format != null) result.UnionWith(format.DataFiles(file).Select(Path.GetFullPath));
            }
            return result;
        }
    }
}
