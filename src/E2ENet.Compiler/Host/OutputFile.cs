using System;
using System.IO;
using System.Text;

namespace E2ENet.Compiler.Host
{
    /// <summary>
    /// What writers of user outputs share: a temporary name beside the target that does not grow with the target's name (a
    /// 250-character file name plus a suffix would pass the file system's 255-byte limit only for the final name), and a check
    /// that a target can be written at all, run before the work that produces it.
    /// </summary>
    public static class OutputFile
    {
        /// <summary>The longest file name (one path component) Linux file systems take, in bytes.</summary>
        public const int MaxNameBytes = 255;

        /// <summary>A fresh hidden temporary path in <paramref name="target"/>'s folder: <c>.e2enet-XXXXXXXXXXXX.tmp</c>.</summary>
        public static string TemporaryBeside(string target)
        {
            string folder = Path.GetDirectoryName(Path.GetFullPath(target)) ?? ".";
            return Path.Combine(folder, ".e2enet-" + Guid.NewGuid().ToString("N").Substring(0, 12) + ".tmp");
        }

        /// <summary>Why the file name of <paramref name="target"/> cannot exist (longer than the file system allows), or null.</summary>
        public static string? NameProblem(string target)
        {
            int bytes = Encoding.UTF8.GetByteCount(Path.GetFileName(Path.GetFullPath(target)));
            if (bytes <= MaxNameBytes) return null;
            return "the file name is " + bytes.ToString(System.Globalization.CultureInfo.InvariantCulture) + " bytes long, more than the "
                + MaxNameBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) + " a file system allows; shorten it";
        }

        /// <summary>
        /// Why <paramref name="target"/> cannot be written, or null when it can: a name longer than the file system allows, a
        /// folder in its place, or a folder that does not exist or refuses a new file (tried with a temporary file, deleted again).
        /// </summary>
        public static string? Problem(string target)
        {
            string full = Path.GetFullPath(target);
            if (NameProblem(full) is string name) return name;
            if (Directory.Exists(full)) return "a folder of that name is in the way";
            string folder = Path.GetDirectoryName(full) ?? ".";
            if (!Directory.Exists(folder)) return "the folder " + folder + " does not exist";
            string probe = TemporaryBeside(full);
            try
            {
                using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                }
                File.Delete(probe);
                return null;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return "the folder " + folder + " cannot be written (" + e.Message + ")";
            }
        }
    }
}
