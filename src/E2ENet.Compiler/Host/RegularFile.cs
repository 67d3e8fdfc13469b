using System;
using System.IO;
using System.Text;

namespace E2ENet.Compiler.Host
{
    /// <summary>
    /// A file that is refused before it is read: not a regular file (a FIFO would block, a device never ends), or larger than
    /// the reader allows. An <see cref="IOException"/>, so every reader that already turns IO failures into its own located
    /// error (E2E0012, E2E3101, E4001, E2E6202...) reports it with its own id.
    /// </summary>
    public sealed class FileRefusedException : IOException
    {
        /// <summary>Creates the exception; <paramref name="reason"/> completes "PATH ...".</summary>
        public FileRefusedException(string path, string reason)
            : base(reason)
        {
            FilePath = path;
        }

        /// <summary>The refused file.</summary>
        public string FilePath { get; }
    }

    /// <summary>
    /// Reads inputs safely: only regular files are opened (the kind is asked of the kernel first, so <c>/dev/zero</c> is never read
    /// and a FIFO never opened), and whole-file reads stop at a hard byte limit whatever the file's length claims (a file that
    /// grows, or a kernel file that reports length 0, cannot make a reader allocate more).
    /// </summary>
    public static class RegularFile
    {
        /// <summary>Why <paramref name="path"/> may not be read as a file, or null when it may.</summary>
        public static string? Problem(string path)
        {
            FileStatus status = UnixFiles.Stat(path);
            switch (status.Kind)
            {
                case FileKind.Regular:
                    return null;
                case FileKind.Unknown:
                    return File.Exists(path) ? null : Directory.Exists(path) ? "is a folder, not a file" : "no such file";
                case FileKind.Missing:
                    return "no such file";
                case FileKind.Directory:
                    return "is a folder, not a file";
                default:
                    return "is " + UnixFiles.Describe(status.Kind) + ", not a regular file; only regular files are read (copy the data into a file first)";
            }
        }

        /// <summary>Opens a regular file for reading.</summary>
        /// <exception cref="FileRefusedException">It is not a regular file.</exception>
        /// <exception cref="IOException">It cannot be opened.</exception>
        public static FileStream OpenRead(string path, int bufferSize = 1 << 16)
        {
            string? problem = Problem(path);
            if (problem != null)
            {
                if (problem == "no such file") throw new FileNotFoundException("no such file", path);
                throw new FileRefusedException(path, problem);
            }
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize);
        }

        /// <summary>Reads a whole regular file of at most <paramref name="maxBytes"/> bytes.</summary>
        /// <exception cref="FileRefusedException">It is not a regular file, or is larger than the limit.</exception>
        public static byte[] ReadAllBytes(string path, long maxBytes)
        {
            using FileStream stream = OpenRead(path);
            long length = stream.Length;
            if (length > maxBytes) throw TooLarge(path, length.ToString(System.Globalization.CultureInfo.InvariantCulture) + " bytes", maxBytes);
            var buffer = new MemoryStream((int)Math.Max(0, Math.Min(length, int.MaxValue)));
            var chunk = new byte[1 << 16];
            long total = 0;
            int read;
            while ((read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, maxBytes + 1 - total))) > 0)
            {
                total += read;
                if (total > maxBytes) throw TooLarge(path, "more than " + maxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) + " bytes", maxBytes);
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }

        /// <summary>Reads a whole regular file as text (UTF-8 unless a byte-order mark says otherwise), at most <paramref name="maxBytes"/> bytes.</summary>
        public static string ReadAllText(string path, long maxBytes)
        {
            using var reader = new StreamReader(new MemoryStream(ReadAllBytes(path, maxBytes)), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }

        private static FileRefusedException TooLarge(string path, string size, long maxBytes)
            => new FileRefusedException(path, "is " + size + ", more than the " + ByteSize.Format(maxBytes) + " this reader accepts; it is not a file of this kind, or it is damaged");
    }
}
