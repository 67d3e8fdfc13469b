using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace E2ENet.Torch.Tests.Crafted
{
    /// <summary>
    /// Writes pickles opcode by opcode, as torch.save does (protocol 2), so that tests can build well-formed files
    /// (a trainer's checkpoint) and hostile ones (foreign globals, unknown opcodes, absurd shapes).
    /// </summary>
    internal sealed class CraftedPickle
    {
        private readonly List<byte> _bytes = new List<byte> { 0x80, 0x02 };

        public byte[] ToArray() => _bytes.ToArray();

        public CraftedPickle Op(char opcode) => Byte((byte)opcode);

        public CraftedPickle Byte(byte value)
        {
            _bytes.Add(value);
            return this;
        }

        public CraftedPickle Raw(byte[] bytes)
        {
            _bytes.AddRange(bytes);
            return this;
        }

        public CraftedPickle Mark() => Op('(');

        public CraftedPickle EmptyDict() => Op('}');

        public CraftedPickle EmptyList() => Op(']');

        public CraftedPickle Tuple() => Op('t');

        public CraftedPickle SetItem() => Op('s');

        public CraftedPickle SetItems() => Op('u');

        public CraftedPickle Reduce() => Op('R');

        public CraftedPickle Stop() => Op('.');

        public CraftedPickle Str(string value)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(value);
            Op('X');
            _bytes.AddRange(BitConverter.GetBytes(utf8.Length));
            _bytes.AddRange(utf8);
            return this;
        }

        public CraftedPickle Int(long value)
        {
            if (value >= int.MinValue && value <= int.MaxValue)
            {
                Op('J');
                _bytes.AddRange(BitConverter.GetBytes((int)value));
            }
            else
            {
                Byte(0x8a).Byte(8);
                _bytes.AddRange(BitConverter.GetBytes(value));
            }
            return this;
        }

        public CraftedPickle Float(double value)
        {
            Op('G');
            byte[] bytes = BitConverter.GetBytes(value);
            Array.Reverse(bytes);
            _bytes.AddRange(bytes);
            return this;
        }

        public CraftedPickle Global(string module, string name)
        {
            Op('c');
            _bytes.AddRange(Encoding.ASCII.GetBytes(module + "\n" + name + "\n"));
            return this;
        }

        public CraftedPickle Ints(IEnumerable<long> values)
        {
            Mark();
            foreach (long value in values) Int(value);
            return Tuple();
        }

        /// <summary>A tensor as torch.save pickles it: _rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict()).</summary>
        public CraftedPickle Tensor(string key, long[] shape, long[] stride, long offset = 0, long? storageElements = null, string storageType = "FloatStorage")
        {
            long elements = storageElements ?? Count(shape);
            Global("torch._utils", "_rebuild_tensor_v2");
            Mark();
            Mark().Str("storage").Global("torch", storageType).Str(key).Str("cpu").Int(elements).Tuple().Op('Q');
            Int(offset).Ints(shape).Ints(stride).Byte(0x89);
            Global("collections", "OrderedDict").Op(')').Reduce();
            Tuple();
            return Reduce();
        }

        public static long Count(long[] shape)
        {
            long n = 1;
            foreach (long d in shape) n *= d;
            return n;
        }

        public static long[] Contiguous(long[] shape)
        {
            var stride = new long[shape.Length];
            long s = 1;
            for (int i = shape.Length - 1; i >= 0; i--)
            {
                stride[i] = s;
                s *= shape[i];
            }
            return stride;
        }
    }

    /// <summary>Zips a pickle and storages the way torch.save lays them out (<c>archive/data.pkl</c>, <c>archive/data/KEY</c>).</summary>
    internal static class CraftedArchive
    {
        public static void Write(string path, byte[] pickle, IReadOnlyDictionary<string, byte[]>? storages = null, bool compress = false)
        {
            using var stream = new FileStream(path, FileMode.Create);
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create);
            void Add(string name, byte[] data)
            {
                ZipArchiveEntry entry = zip.CreateEntry(name, compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
                using Stream output = entry.Open();
                output.Write(data);
            }
            Add("archive/data.pkl", pickle);
            Add("archive/byteorder", Encoding.ASCII.GetBytes("little"));
            if (storages != null)
            {
                foreach (var pair in storages) Add("archive/data/" + pair.Key, pair.Value);
            }
            Add("archive/version", Encoding.ASCII.GetBytes("3\n"));
        }

        public static byte[] Floats(params float[] values)
        {
            var bytes = new byte[values.Length * 4];
            Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
            return bytes;
        }
    }
}
