using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Runtime.InteropServices;
using E2ENet.Compiler.Host;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Inference
{
    /// <summary>
    /// The class probabilities of a predicted case as <c>predict --save-probabilities</c> writes them, in nnU-Net's format:
    /// a numpy <c>.npz</c> archive beside the label volume (<c>CASE.npz</c>) holding one array, <c>probabilities</c>, float32,
    /// shape (classes, D, H, W): the label volume's own voxel order (C order, W fastest; for NIfTI (k, j, i), SimpleITK's
    /// (z, y, x), as nnU-Net's SimpleITK reader writes them). <c>numpy.load("CASE.npz")["probabilities"]</c> reads it; its
    /// argmax over the first axis is the label volume before postprocessing. Outside the crop to the non-zero region the
    /// background has probability 1 (nnU-Net's rule). <see cref="Read"/> reads it back here.
    /// </summary>
    public static class ProbabilityFile
    {
        /// <summary>The array's name in the archive (the entry is this name + <c>.npy</c>).</summary>
        public const string ArrayName = "probabilities";

        /// <summary>The file extension.</summary>
        public const string Extension = ".npz";

        /// <summary>The probabilities file beside a label volume: <c>CASE.nii.gz</c> gives <c>CASE.npz</c>.</summary>
        public static string PathFor(string labelFile)
            => Path.Combine(Path.GetDirectoryName(labelFile) ?? string.Empty, VolumeFiles.StripExtension(Path.GetFileName(labelFile)) + Extension);

        /// <summary>Reads a probabilities file: its shape (classes, D, H, W) and values (C order).</summary>
        /// <exception cref="DataException">E4304 when it is not such a file; E2E7001 when it cannot fit in memory.</exception>
        public static (long[] Shape, float[] Values) Read(string path)
        {
            try
            {
                using FileStream file = RegularFile.OpenRead(path);
                using var archive = new ZipArchive(file, ZipArchiveMode.Read);
                ZipArchiveEntry entry = archive.GetEntry(ArrayName + ".npy") ?? throw new DataException(DataErrors.ProbabilitiesInvalid, path,
                    $"has no array '{ArrayName}' (it holds {string.Join(", ", archive.Entries.Select(e => "'" + e.FullName + "'").DefaultIfEmpty("nothing"))})");
                using Stream stream = entry.Open();
                var (descr, shape, offset) = NpyFile.ReadHeader(stream, path, DataErrors.ProbabilitiesInvalid);
                if (descr != "<f4") throw new DataException(DataErrors.ProbabilitiesInvalid, path, $"'{ArrayName}' holds {descr}; it must be float32 ('<f4')");
                if (shape.Length != 4 || shape.Any(s => s < 1))
                    throw new DataException(DataErrors.ProbabilitiesInvalid, path, $"'{ArrayName}' has shape ({string.Join(", ", shape)}); it must be (classes, D, H, W)");
                long count = shape.Aggregate(1L, (a, b) => checked(a * b));
                if (entry.Length != offset + count * 4)
                    throw new DataException(DataErrors.ProbabilitiesInvalid, path, $"'{ArrayName}' has {entry.Length - offset} bytes of data; its shape needs {count * 4}");
                MemoryBudget.Current.Require(count * 4, path, $"reading {count} probabilities", "read it with numpy's memory mapping instead, or free memory");
                var values = new float[count];
                stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
                return (shape, values);
            }
            catch (Exception e) when (e is FileNotFoundException || e is FileRefusedException)
            {
                throw new DataException(DataErrors.FileNotReadable, path, e.Message, e);
            }
            catch (Exception e) when (e is InvalidDataException || e is IOException || e is OverflowException)
            {
                throw new DataException(DataErrors.ProbabilitiesInvalid, path, "not a readable .npz archive: " + e.Message, e);
            }
        }
    }

    /// <summary>
    /// Writes the probabilities of one case while it is restored plane by plane (<see cref="PlaneRestorer"/>), without holding
    /// them: each class's plane goes into a memory-mapped temporary file beside the target (the crop's probabilities, classes
    /// x crop voxels x 4 bytes of disk), which <see cref="Finish"/> streams, with the background outside the crop, into the
    /// compressed <c>.npz</c>, written atomically. The temporary file is removed in every case.
    /// </summary>
    public sealed class ProbabilityWriter : IDisposable
    {
        private readonly string _target;
        private readonly int _classes;
        private readonly int[] _original, _cropStart, _crop;
        private readonly int _axis0, _p, _q;
        private readonly long[] _strides;
        private readonly long _cropVolume;
        private readonly string _store;
        private MemoryMappedStore? _mapped;

        /// <summary>A writer of <paramref name="classes"/> classes of a case of <paramref name="geometry"/> to <paramref name="target"/>.</summary>
        /// <exception cref="DataException">E4014 when the temporary file cannot be made.</exception>
        public ProbabilityWriter(string target, int classes, CaseGeometry geometry)
        {
            _target = Path.GetFullPath(target);
            _classes = classes;
            _original = geometry.OriginalShape.ToArray();
            _cropStart = geometry.CropStart.ToArray();
            _crop = geometry.CropSize.ToArray();
            int[] forward = geometry.TransposeForward;
            _axis0 = forward[0];
            _p = Math.Min(forward[1], forward[2]);
            _q = Math.Max(forward[1], forward[2]);
            _strides = new[] { (long)_crop[1] * _crop[2], _crop[2], 1L };
            _cropVolume = (long)_crop[0] * _crop[1] * _crop[2];
            _store = OutputFile.TemporaryBeside(_target);
            _mapped = MemoryMappedStore.Create(_store, checked(classes * _cropVolume * 4), _target);
        }

        /// <summary>The probabilities file.</summary>
        public string Target => _target;

        /// <summary>
        /// Class <paramref name="k"/>'s probabilities in crop plane <paramref name="output"/> along the preprocessed grid's first
        /// axis (a file axis), as <see cref="PlaneRestorer"/> computes them: crop size along the two other file axes, in file order.
        /// </summary>
        internal void Add(int output, int k, float[] plane)
        {
            MemoryMappedStore mapped = _mapped ?? throw new InvalidOperationException("the probabilities were already written");
            int rows = _crop[_p], columns = _crop[_q];
            long start = k * _cropVolume + output * _strides[_axis0];
            if (_strides[_q] == 1 && _strides[_p] == columns) mapped.Write(start, plane, 0, rows * columns);
            else if (_strides[_q] == 1)
            {
                for (int i = 0; i < rows; i++) mapped.Write(start + i * _strides[_p], plane, i * columns, columns);
            }
            else
            {
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < columns; j++) mapped.Write(start + i * _strides[_p] + j * _strides[_q], plane[i * columns + j]);
            }
        }

        /// <summary>Writes the <c>.npz</c> (atomically) from the planes added, and removes the temporary file.</summary>
        /// <exception cref="DataException">E4014 when the target cannot be written.</exception>
        public void Finish()
        {
            MemoryMappedStore mapped = _mapped ?? throw new InvalidOperationException("the probabilities were already written");
            mapped.Dispose();
            _mapped = null;
            try
            {
                long[] shape = { _classes, _original[0], _original[1], _original[2] };
                AtomicFile.Write(_target, stream =>
                {
                    using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
                    using Stream npy = archive.CreateEntry(ProbabilityFile.ArrayName + ".npy", CompressionLevel.Fastest).Open();
                    npy.Write(NpyFile.Header("<f4", shape));
                    using var store = new FileStream(_store, FileMode.Open, FileAccess.Read, FileShare.None, 1 << 20);
                    var row = new float[_original[2]];
                    Span<byte> inside = MemoryMarshal.AsBytes(row.AsSpan(_cropStart[2], _crop[2]));
                    for (int k = 0; k < _classes; k++)
                        for (int a = 0; a < _original[0]; a++)
                            for (int b = 0; b < _original[1]; b++)
                            {
                                Array.Fill(row, k == 0 ? 1f : 0f); // nnU-Net: outside the crop, the background is certain
                                if (a >= _cropStart[0] && a < _cropStart[0] + _crop[0] && b >= _cropStart[1] && b < _cropStart[1] + _crop[1]) store.ReadExactly(inside);
                                npy.Write(MemoryMarshal.AsBytes(row.AsSpan()));
                            }
                });
            }
            finally
            {
                Delete();
            }
        }

        /// <summary>Removes the temporary file (the target is only ever written whole, by <see cref="Finish"/>).</summary>
        public void Dispose()
        {
            _mapped?.Dispose();
            _mapped = null;
            Delete();
        }

        private void Delete()
        {
            try
            {
                if (File.Exists(_store)) File.Delete(_store);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
