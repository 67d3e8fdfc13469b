using System;
using System.IO;
using E2ENet.Compiler.Host;

namespace E2ENet.Data
{
    /// <summary>
    /// Writes files so that a crash never leaves a half-written file under the final name: the content goes to a
    /// temporary file in the same folder (a short name that does not grow with the destination's), which is then renamed over
    /// the destination (atomic on one file system).
    /// </summary>
    public static class AtomicFile
    {
        /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically.</summary>
        /// <exception cref="DataException">E4014 when the folder cannot be written.</exception>
        public static void Write(string path, Action<Stream> write)
        {
            string full = Path.GetFullPath(path);
            string directory = Path.GetDirectoryName(full) ?? ".";
            string temporary = OutputFile.TemporaryBeside(full);
            try
            {
                Directory.CreateDirectory(directory);
                using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    write(stream);
                    stream.Flush(true);
                }
                File.Move(temporary, full, overwrite: true);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                TryDelete(temporary);
                throw new DataException(DataErrors.CannotWrite, path, "cannot write: " + e.Message, e);
            }
            catch
            {
                TryDelete(temporary);
                throw;
            }
        }

        /// <summary>Writes text (UTF-8, no byte-order mark) atomically.</summary>
        public static void WriteText(string path, string text)
            => Write(path, stream =>
            {
                byte[] bytes = new System.Text.UTF8Encoding(false).GetBytes(text);
                stream.Write(bytes, 0, bytes.Length);
            });

        private static void TryDelete(string path)
        {
            try { if (File.Exists(path)) File.Delete(path); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
