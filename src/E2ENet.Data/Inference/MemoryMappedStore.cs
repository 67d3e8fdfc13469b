using System;
using System.IO;
using System.IO.MemoryMappedFiles;

namespace E2ENet.Data.Inference
{
    /// <summary>
    /// A temporary float32 array in a memory-mapped file: written at random positions without holding it in the process's
    /// memory (the kernel pages it to disk), then read back sequentially from the file once disposed.
    /// </summary>
    internal sealed class MemoryMappedStore : IDisposable
    {
        private readonly MemoryMappedFile _file;
        private readonly MemoryMappedViewAccessor _view;

        private MemoryMappedStore(MemoryMappedFile file, MemoryMappedViewAccessor view)
        {
            _file = file;
            _view = view;
        }

        /// <summary>Creates <paramref name="path"/> (a new file) of <paramref name="bytes"/> zero bytes and maps it.</summary>
        /// <exception cref="DataException">E4014 naming <paramref name="target"/> when the file system refuses.</exception>
        public static MemoryMappedStore Create(string path, long bytes, string target)
        {
            MemoryMappedFile? file = null;
            try
            {
                file = MemoryMappedFile.CreateFromFile(path, FileMode.CreateNew, null, Math.Max(4, bytes), MemoryMappedFileAccess.ReadWrite);
                return new MemoryMappedStore(file, file.CreateViewAccessor(0, Math.Max(4, bytes)));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                file?.Dispose();
                try
                {
                    if (File.Exists(path)) File.Delete(path);
                }
                catch (IOException)
                {
                }
                throw new DataException(DataErrors.CannotWrite, target, $"cannot make the temporary file of {bytes} bytes beside it: {e.Message}", e);
            }
        }

        /// <summary>Writes <paramref name="count"/> values from <paramref name="values"/>[<paramref name="offset"/>] at element <paramref name="index"/>.</summary>
        public void Write(long index, float[] values, int offset, int count) => _view.WriteArray(index * 4, values, offset, count);

        /// <summary>Writes one value at element <paramref name="index"/>.</summary>
        public void Write(long index, float value) => _view.Write(index * 4, value);

        /// <summary>Flushes and unmaps.</summary>
        public void Dispose()
        {
            _view.Flush();
            _view.Dispose();
            _file.Dispose();
        }
    }
}
