using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using E2ENet.Torch.Diagnostics;
using E2ENet.Compiler.Host;

namespace E2ENet.Torch.Serialization
{
    /// <summary>
    /// The zip container of a torch.save file (PyTorch 1.6 and later): <c>NAME/data.pkl</c> (the pickle),
    /// <c>NAME/data/KEY</c> (one raw little-endian storage per key), <c>NAME/byteorder</c>, <c>NAME/version</c>.
    /// Opening checks the central directory and finds the one pickle; records are read with their sizes checked
    /// before anything is allocated.
    /// </summary>
    internal sealed class TorchArchive : ITensorStorage
    {
        /// <summary>The largest pickle read (the pickle of a 24M-parameter checkpoint with optimizer state is ~100 KB).</summary>
        public const long MaxPickleBytes = 256L * 1024 * 1024;

        /// <summary>The largest single storage read (E2ENet's largest tensor is ~11 MB; a 4096^3 fp32 volume is 256 GiB).</summary>
        public const long MaxStorageBytes = 16L * 1024 * 1024 * 1024;

        private readonly FileStream _stream;
        private readonly ZipArchive _zip;
        private readonly Dictionary<string, ZipArchiveEntry> _entries;
        private readonly string _prefix;

        private TorchArchive(string path, FileStream stream, ZipArchive zip, Dictionary<string, ZipArchiveEntry> entries, string prefix)
        {
            Path = path;
            _stream = stream;
            _zip = zip;
            _entries = entries;
            _prefix = prefix;
        }

        /// <summary>The file.</summary>
        public string Path { get; }

        /// <summary>The pickle record's name (e.g. <c>archive/data.pkl</c>), for messages.</summary>
        public string PickleName => _prefix + "data.pkl";

        /// <summary>Opens and checks the archive.</summary>
        public static TorchArchive Open(string path)
        {
            FileStream stream = OpenFile(path, "a file written by torch.save");
            try
            {
                CheckMagic(path, stream);
                ZipArchive zip;
                try
                {
                    zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
                }
                catch (Exception e) when (e is InvalidDataException || e is IOException || e is ArgumentException)
                {
                    throw new E2ENetTorchException(TorchErrors.NotAnArchive, path,
                        "is not a readable zip archive (" + e.Message.TrimEnd('.') + "): the file is truncated or corrupt; copy or save it again", e);
                }
                try
                {
                    var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
                    foreach (ZipArchiveEntry entry in zip.Entries) entries[entry.FullName] = entry;
                    List<string> pickles = entries.Keys.Where(name => name.EndsWith("data.pkl", StringComparison.Ordinal)
                        && (name == "data.pkl" || name.EndsWith("/data.pkl", StringComparison.Ordinal)) && name.Count(c => c == '/') <= 1).ToList();
                    if (pickles.Count != 1)
                    {
                        throw new E2ENetTorchException(TorchErrors.NotAnArchive, path, pickles.Count == 0
                            ? "is a zip archive but not one torch.save writes: it has no data.pkl record; save the weights with torch.save"
                            : "holds " + pickles.Count.ToString(CultureInfo.InvariantCulture) + " data.pkl records instead of one");
                    }
                    string prefix = pickles[0].Substring(0, pickles[0].Length - "data.pkl".Length);
                    var archive = new TorchArchive(path, stream, zip, entries, prefix);
                    archive.CheckByteOrder();
                    return archive;
                }
                catch
                {
                    zip.Dispose();
                    throw;
                }
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }

        /// <summary>Opens a tensor file for reading; E2E3101 (naming <paramref name="expected"/> for a directory) when it cannot be.</summary>
        internal static FileStream OpenFile(string path, string expected)
        {
            try
            {
                if (Directory.Exists(path)) throw new E2ENetTorchException(TorchErrors.FileNotReadable, path, "is a directory; give " + expected);
                return RegularFile.OpenRead(path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException)
            {
                string reason = e is FileNotFoundException || e is DirectoryNotFoundException ? "no such file" : e.Message;
                throw new E2ENetTorchException(TorchErrors.FileNotReadable, path, "cannot read the file: " + reason, e);
            }
        }

        /// <summary>The pickle's bytes.</summary>
        public byte[] ReadPickle() => ReadRecord(PickleName, -1, MaxPickleBytes);

        /// <summary>
        /// The first <paramref name="bytes"/> bytes of storage <paramref name="key"/>; the record must hold at least that many.
        /// </summary>
        public byte[] ReadStorage(string key, long bytes, string tensorName)
        {
            CheckStorage(key, bytes, tensorName);
            return ReadRecord(_prefix + "data/" + key, bytes, MaxStorageBytes, tensorName);
        }

        /// <summary>
        /// Checks, without reading anything, that storage <paramref name="key"/> exists and can hold <paramref name="bytes"/> bytes
        /// (the limits, the record's declared size, and what deflate could produce from its compressed size).
        /// </summary>
        public void CheckStorage(string key, long bytes, string tensorName)
        {
            string name = _prefix + "data/" + key;
            if (!_entries.ContainsKey(name))
            {
                throw new E2ENetTorchException(TorchErrors.MissingRecord, Path, "tensor '" + tensorName + "' refers to the record " + name
                    + ", which the archive does not have: the file is incomplete; save it again");
            }
            if (bytes > MaxStorageBytes || bytes > int.MaxValue - 64)
            {
                throw new E2ENetTorchException(TorchErrors.TooLarge, Path, string.Format(CultureInfo.InvariantCulture,
                    "tensor '{0}' claims {1} bytes, more than one record may hold here ({2} bytes)", tensorName, bytes, Math.Min(MaxStorageBytes, int.MaxValue - 64)));
            }
            CheckRecord(name, bytes, MaxStorageBytes, tensorName);
        }

        private void CheckRecord(string name, long exact, long max, string? tensorName)
        {
            ZipArchiveEntry entry = _entries[name];
            string what = tensorName == null ? name : "tensor '" + tensorName + "' (record " + name + ")";
            long declared = entry.Length;
            if (exact < 0 && declared > max)
            {
                throw new E2ENetTorchException(TorchErrors.TooLarge, Path, string.Format(CultureInfo.InvariantCulture,
                    "{0} declares {1} bytes, more than the {2} read at most", what, declared, max));
            }
            if (exact >= 0 && declared < exact)
            {
                throw new E2ENetTorchException(TorchErrors.BadTensor, Path, string.Format(CultureInfo.InvariantCulture,
                    "{0} has {1} bytes but its shape needs {2}: the storage is shorter than the tensor; the file is corrupt", what, declared, exact));
            }
            // A compressed record cannot expand more than deflate allows; a stored one cannot be larger than the file.
            if (declared > Math.Max(_stream.Length, 1100L * Math.Max(entry.CompressedLength, 1)))
            {
                throw new E2ENetTorchException(TorchErrors.TooLarge, Path, string.Format(CultureInfo.InvariantCulture,
                    "{0} declares {1} bytes, more than the file could hold ({2} bytes on disk): the archive is corrupt", what, declared, entry.CompressedLength));
            }
        }

        private byte[] ReadRecord(string name, long exact, long max, string? tensorName = null)
        {
            CheckRecord(name, exact, max, tensorName);
            ZipArchiveEntry entry = _entries[name];
            string what = tensorName == null ? name : "tensor '" + tensorName + "' (record " + name + ")";
            long declared = entry.Length;
            long count = exact >= 0 ? exact : declared;
            var buffer = new byte[count];
            try
            {
                using Stream input = entry.Open();
                int read = 0;
                while (read < count)
                {
                    int n = input.Read(buffer, read, (int)Math.Min(count - read, 1 << 20));
                    if (n == 0) break;
                    read += n;
                }
                if (read < count)
                {
                    throw new E2ENetTorchException(TorchErrors.NotAnArchive, Path, string.Format(CultureInfo.InvariantCulture,
                        "{0} ends after {1} of its {2} bytes: the file is truncated; copy or save it again", what, read, count));
                }
            }
            catch (Exception e) when (e is InvalidDataException || e is IOException || e is NotSupportedException)
            {
                throw new E2ENetTorchException(TorchErrors.NotAnArchive, Path, what + " cannot be read (" + e.Message.TrimEnd('.') + "): the file is truncated or corrupt; copy or save it again", e);
            }
            return buffer;
        }

        private static void CheckMagic(string path, FileStream stream)
        {
            Span<byte> head = stackalloc byte[4];
            int read = stream.Read(head);
            stream.Position = 0;
            if (read == 0) throw new E2ENetTorchException(TorchErrors.NotAnArchive, path, "is empty: save the weights again");
            if (read >= 2 && head[0] == 0x80 && head[1] <= 5)
            {
                throw new E2ENetTorchException(TorchErrors.NotAnArchive, path, "is in torch.save's legacy (pre-1.6, non-zip) format, which is not read; "
                    + "load it in PyTorch and save it again with torch.save(obj, path) (the zip format is the default since PyTorch 1.6)");
            }
            if (read < 4 || head[0] != (byte)'P' || head[1] != (byte)'K')
            {
                throw new E2ENetTorchException(TorchErrors.NotAnArchive, path, "is not a torch.save file (it does not start as a zip archive); give a file written by torch.save");
            }
        }

        private void CheckByteOrder()
        {
            if (!_entries.TryGetValue(_prefix + "byteorder", out ZipArchiveEntry? entry)) return; // older writers: little-endian
            if (entry.Length > 16) throw new E2ENetTorchException(TorchErrors.NotAnArchive, Path, "its byteorder record is not 'little' or 'big'");
            string order = System.Text.Encoding.ASCII.GetString(ReadRecord(_prefix + "byteorder", -1, 16)).Trim();
            if (order != "little")
            {
                throw new E2ENetTorchException(TorchErrors.NotAnArchive, Path, "was written on a '" + RestrictedUnpickler.Printable(order)
                    + "'-endian machine; only little-endian files are read: load and save it again on a little-endian machine");
            }
        }

        /// <inheritdoc />
        public void Dispose()
        {
            _zip.Dispose();
            _stream.Dispose();
        }
    }
}
