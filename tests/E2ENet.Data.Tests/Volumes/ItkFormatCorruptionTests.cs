using System;
using System.IO;
using System.Linq;
using System.Text;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Tests.Support;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Tests.Volumes
{
    /// <summary>
    /// Corrupt, truncated, inconsistent and hostile MetaImage and NRRD files: each gives a data error naming the file (and
    /// the header line where there is one), never a crash, a hang or an allocation sized by the header's claim.
    /// </summary>
    public class ItkFormatCorruptionTests : IDisposable
    {
        private const string MetaHeader = "ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\nCompressedData = False\n"
            + "TransformMatrix = 1 0 0 0 1 0 0 0 1\nOffset = 0 0 0\nElementSpacing = 1 2 3\nDimSize = 4 3 2\nElementType = MET_SHORT\nElementDataFile = LOCAL\n";

        private const string NrrdHeader = "NRRD0004\ntype: short\ndimension: 3\nspace: left-posterior-superior\nsizes: 4 3 2\n"
            + "space directions: (1,0,0) (0,2,0) (0,0,3)\nkinds: domain domain domain\nendian: little\nencoding: raw\nspace origin: (0,0,0)\n\n";

        private static readonly byte[] Data = Enumerable.Range(0, 24).SelectMany(n => BitConverter.GetBytes((short)(n * 7))).ToArray();

        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        private string WriteFile(string name, string header, byte[]? data = null)
        {
            string path = _temp.File(name);
            File.WriteAllBytes(path, Encoding.ASCII.GetBytes(header).Concat(data ?? Data).ToArray());
            return path;
        }

        private DataException Fails(string name, string header, byte[]? data = null, VolumeReadOptions? options = null)
        {
            string path = WriteFile(name, header, data);
            var error = Assert.Throws<DataException>(() => VolumeFiles.Read(path, options ?? VolumeReadOptions.Default));
            Assert.Equal(path, error.File);
            Assert.Contains(path, error.Message);
            Assert.StartsWith("E40", error.Id);
            return error;
        }

        [Fact]
        public void The_valid_files_read()
        {
            Volume meta = VolumeFiles.Read(WriteFile("ok.mha", MetaHeader)), nrrd = VolumeFiles.Read(WriteFile("ok.nrrd", NrrdHeader));
            Assert.Equal(new Int3(2, 3, 4), meta.Shape);
            Assert.Equal(new Real3(3, 2, 1), meta.Spacing);
            Assert.Equal(7f * 23, meta.Voxels[23]);
            Assert.True(meta.Voxels.AsSpan().SequenceEqual(nrrd.Voxels));
            Assert.Equal(meta.Affine, nrrd.Affine);
        }

        [Theory]
        [InlineData("DimSize = 4 3 2", "DimSize = 4 3 0", "E4004", "DimSize[2]")]
        [InlineData("DimSize = 4 3 2", "DimSize = 4 3", "E4016", "DimSize needs 3")]
        [InlineData("DimSize = 4 3 2", "DimSize = 4 x 2", "E4016", "'x' is not a whole number")]
        [InlineData("NDims = 3", "NDims = 40", "E4004", "NDims is 40")]
        [InlineData("ElementType = MET_SHORT", "ElementType = MET_STRING", "E4006", "MET_STRING")]
        [InlineData("ElementSpacing = 1 2 3", "ElementSpacing = 1 0 3", "E4012", "spacing along axis 1")]
        [InlineData("ElementSpacing = 1 2 3", "ElementSpacing = 1 nan 3", "E4012", "ElementSpacing")]
        [InlineData("TransformMatrix = 1 0 0 0 1 0 0 0 1", "TransformMatrix = 1 0 0 1 0 0 0 0 1", "E4012", "singular")]
        [InlineData("Offset = 0 0 0", "Offset = 0 0 1e999", "E4012", "Offset")]
        [InlineData("BinaryData = True", "BinaryData = False", "E4018", "ASCII")]
        [InlineData("BinaryData = True", "BinaryData = maybe", "E4016", "True or False")]
        [InlineData("ElementDataFile = LOCAL", "ElementDataFile = LIST", "E4018", "several files")]
        [InlineData("ElementDataFile = LOCAL", "ElementDataFile = slice%03d.raw 1 10 1", "E4018", "several files")]
        [InlineData("ElementDataFile = LOCAL", "ElementDataFile = missing.raw", "E4001", "missing.raw")]
        [InlineData("ObjectType = Image", "ObjectType = Tube", "E4016", "Tube")]
        [InlineData("NDims = 3", "NDims = 3\nNDims = 3", "E4016", "twice")]
        [InlineData("NDims = 3", "NDims 3", "E4016", "Key = Value")]
        [InlineData("ElementType = MET_SHORT", "ElementNumberOfChannels = 3\nElementType = MET_SHORT", "E4013", "3 components")]
        [InlineData("NDims = 3", "Comment = nothing", "E4016", "no NDims")]
        public void Bad_MetaImage_headers(string replace, string with, string id, string named)
        {
            var error = Fails("bad.mha", MetaHeader.Replace(replace, with));
            Assert.Equal(id, error.Id);
            Assert.Contains(named, error.Message);
        }

        [Theory]
        [InlineData("NRRD0004", "NRRD9", "E4017", "magic")]
        [InlineData("sizes: 4 3 2", "sizes: 4 3 -2", "E4004", "sizes[2]")]
        [InlineData("type: short", "type: block", "E4006", "block")]
        [InlineData("encoding: raw", "encoding: bzip2", "E4018", "bzip2")]
        [InlineData("encoding: raw", "encoding: ascii", "E4018", "ascii")]
        [InlineData("encoding: raw", "encoding: morse", "E4017", "unknown encoding")]
        [InlineData("endian: little\n", "", "E4017", "endian")]
        [InlineData("space: left-posterior-superior", "space: left-posterior-superior-time", "E4018", "time")]
        [InlineData("space: left-posterior-superior", "space: upside-down", "E4017", "unknown space")]
        [InlineData("(0,2,0)", "(0,2)", "E4017", "2 component")]
        [InlineData("(0,2,0)", "(0,0,0)", "E4012", "length 0")]
        [InlineData("(0,2,0)", "(1,0,0)", "E4012", "singular")]
        [InlineData("(0,2,0)", "(0,Infinity,0)", "E4012", "finite")]
        [InlineData("(0,2,0)", "(0,two,0)", "E4017", "not a number")]
        [InlineData("dimension: 3", "dimension: 99", "E4004", "dimension is 99")]
        [InlineData("sizes: 4 3 2", "sizes: 4 3 2 5", "E4017", "sizes needs 3")]
        [InlineData("type: short\n", "", "E4017", "no 'type'")]
        [InlineData("encoding: raw\n", "encoding: raw\ndata file: LIST\n", "E4018", "several files")]
        [InlineData("encoding: raw\n", "encoding: raw\ndata file: nowhere.raw\n", "E4001", "nowhere.raw")]
        [InlineData("kinds: domain domain domain\n", "kinds domain domain domain\n", "E4017", "field: value")]
        [InlineData("encoding: raw\n", "encoding: raw\nencoding: raw\n", "E4017", "twice")]
        public void Bad_NRRD_headers(string replace, string with, string id, string named)
        {
            var error = Fails("bad.nrrd", NrrdHeader.Replace(replace, with));
            Assert.Equal(id, error.Id);
            Assert.Contains(named, error.Message);
        }

        [Fact]
        public void A_vector_axis_is_refused_as_not_scalar()
        {
            string header = NrrdHeader.Replace("dimension: 3", "dimension: 4").Replace("sizes: 4 3 2", "sizes: 3 4 3 2")
                .Replace("space directions: ", "space directions: none ").Replace("kinds: domain", "kinds: vector domain");
            var error = Fails("vector.nrrd", header, Data.Concat(Data).Concat(Data).ToArray());
            Assert.Equal("E4013", error.Id);
            Assert.Contains("kind 'vector'", error.Message);
            // A non-spatial axis of size 1 is fine.
            string single = header.Replace("sizes: 3 4 3 2", "sizes: 1 4 3 2");
            Assert.Equal(new Int3(2, 3, 4), VolumeFiles.Read(WriteFile("single.nrrd", single)).Shape);
        }

        [Theory]
        [InlineData("bad.mha")]
        [InlineData("bad.nrrd")]
        public void Truncated_data_names_the_bytes_needed_and_found(string name)
        {
            var error = Fails(name, name.EndsWith(".mha") ? MetaHeader : NrrdHeader, Data.AsSpan(0, 40).ToArray());
            Assert.Equal("E4008", error.Id);
            Assert.Contains("needs 48 bytes", error.Message);
            Assert.Contains("has 40", error.Message);
        }

        [Theory]
        [InlineData("huge.mha", "DimSize = 4 3 2", "DimSize = 100000 100000 100000")]
        [InlineData("huge.nrrd", "sizes: 4 3 2", "sizes: 100000 100000 100000")]
        [InlineData("over.mha", "DimSize = 4 3 2", "DimSize = 9000000000 9000000000 9000000000")]
        [InlineData("over.nrrd", "sizes: 4 3 2", "sizes: 9000000000 9000000000 9000000000")]
        public void Headers_claiming_huge_volumes_are_refused_before_allocating(string name, string replace, string with)
        {
            // This thread's allocations only: the reader is synchronous, and the process-wide count also takes in whatever the
            // test classes running in parallel allocate meanwhile (it failed CI once that way, at 16 MiB).
            long before = GC.GetAllocatedBytesForCurrentThread();
            var error = Fails(name, (name.EndsWith(".mha") ? MetaHeader : NrrdHeader).Replace(replace, with));
            Assert.Equal("E4005", error.Id);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 16L << 20, $"reading a header that claims {with} allocated {allocated} bytes before refusing it");
        }

        [Fact]
        public void Compressed_data_that_is_cut_or_damaged_is_named()
        {
            byte[] zlib = VoxelData.Compress(Data, gzip: false);
            string header = MetaHeader.Replace("CompressedData = False", "CompressedData = True");
            Assert.Equal(new Int3(2, 3, 4), VolumeFiles.Read(WriteFile("z.mha", header, zlib)).Shape);
            Assert.Equal("E4008", Fails("cut.mha", header, zlib.AsSpan(0, zlib.Length / 2).ToArray()).Id);
            byte[] damaged = (byte[])zlib.Clone();
            for (int n = 2; n < damaged.Length - 4; n++) damaged[n] ^= 0x5A;
            Assert.Equal("E4009", Fails("damaged.mha", header, damaged).Id);

            byte[] gzip = VoxelData.Compress(Data, gzip: true);
            string nrrd = NrrdHeader.Replace("encoding: raw", "encoding: gzip");
            Assert.Equal(new Int3(2, 3, 4), VolumeFiles.Read(WriteFile("g.nrrd", nrrd, gzip)).Shape);
            Assert.Equal("E4008", Fails("cut.nrrd", nrrd, gzip.AsSpan(0, 12).ToArray()).Id);
            byte[] bad = (byte[])gzip.Clone();
            bad[^5] ^= 0xFF; // the CRC-32 no longer matches
            Assert.Equal("E4009", Fails("crc.nrrd", nrrd, bad).Id);
        }

        [Fact]
        public void NaN_voxels_are_refused_by_default_naming_the_first()
        {
            float[] values = Enumerable.Range(0, 24).Select(n => n == 13 ? float.NaN : n).ToArray();
            byte[] data = values.SelectMany(BitConverter.GetBytes).ToArray();
            var error = Fails("nan.mha", MetaHeader.Replace("MET_SHORT", "MET_FLOAT"), data);
            Assert.Equal("E4010", error.Id);
            Assert.Contains("1 of 24", error.Message);
            Assert.Contains("(1, 0, 1)", error.Message);
            Assert.True(float.IsNaN(VolumeFiles.Read(_temp.File("nan.mha"), new VolumeReadOptions { AllowNonFinite = true }).Voxels[13]));
        }

        [Theory]
        [InlineData("garbage.mha")]
        [InlineData("garbage.nrrd")]
        public void Binary_garbage_and_endless_headers_are_not_headers(string name)
        {
            var random = new Random(3);
            var bytes = new byte[5000];
            random.NextBytes(bytes);
            bytes[10] = 0;
            var error = Fails(name, "", bytes);
            Assert.Equal(name.EndsWith(".mha") ? "E4016" : "E4017", error.Id);
            // A text file of 2 MiB without the header's end: stops at the 1 MiB limit.
            string endless = name.EndsWith(".mha") ? string.Concat(Enumerable.Repeat("Comment = x\n", 200_000)) : "NRRD0004\n" + string.Concat(Enumerable.Repeat("# x\n", 600_000));
            var error2 = Fails(name, endless, Array.Empty<byte>());
            Assert.Contains("1048576", error2.Message);
        }

        [Fact]
        public void Detached_data_with_header_size_byte_skip_and_line_skip()
        {
            File.WriteAllBytes(_temp.File("d.raw"), new byte[] { 9, 9, 9 }.Concat(Data).ToArray());
            Volume a = VolumeFiles.Read(WriteFile("d.mhd", MetaHeader.Replace("ElementDataFile = LOCAL", "HeaderSize = 3\nElementDataFile = d.raw"), Array.Empty<byte>()));
            Volume b = VolumeFiles.Read(WriteFile("e.mhd", MetaHeader.Replace("ElementDataFile = LOCAL", "HeaderSize = -1\nElementDataFile = d.raw"), Array.Empty<byte>()));
            Volume c = VolumeFiles.Read(WriteFile("f.nhdr", NrrdHeader.Replace("\n\n", "\nbyte skip: 3\ndata file: d.raw\n"), Array.Empty<byte>()));
            File.WriteAllBytes(_temp.File("g.raw"), Encoding.ASCII.GetBytes("comment\nline two\n").Concat(Data).ToArray());
            Volume d = VolumeFiles.Read(WriteFile("g.nhdr", NrrdHeader.Replace("\n\n", "\nline skip: 2\ndata file: g.raw\n"), Array.Empty<byte>()));
            Volume e = VolumeFiles.Read(WriteFile("h.nhdr", NrrdHeader.Replace("\n\n", "\nbyte skip: -1\ndata file: d.raw\n"), Array.Empty<byte>()));
            foreach (Volume v in new[] { b, c, d, e }) Assert.True(a.Voxels.AsSpan().SequenceEqual(v.Voxels));
            Assert.Equal(7f, a.Voxels[1]);
        }

        [Fact]
        public void Random_mutations_never_escape_as_anything_but_a_data_error()
        {
            var random = new Random(20250101);
            var sources = new[]
            {
                ("fuzz.mha", Encoding.ASCII.GetBytes(MetaHeader).Concat(Data).ToArray()),
                ("fuzz.nrrd", Encoding.ASCII.GetBytes(NrrdHeader).Concat(Data).ToArray()),
                ("fuzzz.mha", Encoding.ASCII.GetBytes(MetaHeader.Replace("CompressedData = False", "CompressedData = True")).Concat(VoxelData.Compress(Data, false)).ToArray()),
                ("fuzzg.nrrd", Encoding.ASCII.GetBytes(NrrdHeader.Replace("encoding: raw", "encoding: gzip")).Concat(VoxelData.Compress(Data, true)).ToArray()),
            };
            const string Alphabet = "0123456789 -.=:()eE,\nxnaif";
            for (int round = 0; round < 800; round++)
            {
                var (name, valid) = sources[round % sources.Length];
                byte[] bytes = (byte[])valid.Clone();
                int changes = 1 + random.Next(6);
                for (int c = 0; c < changes; c++)
                {
                    int at = random.Next(bytes.Length);
                    bytes[at] = random.Next(2) == 0 ? (byte)random.Next(256) : (byte)Alphabet[random.Next(Alphabet.Length)];
                }
                if (random.Next(5) == 0) bytes = bytes.AsSpan(0, random.Next(bytes.Length)).ToArray();
                string path = _temp.File(name);
                File.WriteAllBytes(path, bytes);
                try { VolumeFiles.Read(path); }
                catch (DataException e) { Assert.StartsWith("E40", e.Id); }
            }
        }
    }
}
