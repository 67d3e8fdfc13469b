using System.Collections.Generic;

namespace E2ENet.Torch.Serialization
{
    /// <summary>
    /// The values the restricted unpickler builds. Plain data only: strings, numbers, containers, tensor records (read
    /// lazily from the archive), and opaque placeholders for the few foreign objects a trainer's checkpoint carries
    /// (numpy scalars in its plot data). Nothing is ever constructed by name or executed.
    /// Python ints, floats, bools, None and str map to <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>,
    /// <c>null</c> and <see cref="string"/>.
    /// </summary>
    internal abstract class PickleObject
    {
    }

    /// <summary>A dict (plain or OrderedDict): entries in insertion order.</summary>
    internal sealed class PickleDict : PickleObject
    {
        public List<KeyValuePair<object?, object?>> Entries { get; } = new List<KeyValuePair<object?, object?>>();
    }

    /// <summary>A list or a set.</summary>
    internal sealed class PickleList : PickleObject
    {
        public List<object?> Items { get; } = new List<object?>();
    }

    /// <summary>A tuple.</summary>
    internal sealed class PickleTuple : PickleObject
    {
        public PickleTuple(object?[] items) => Items = items;

        public object?[] Items { get; }
    }

    /// <summary>A bytes object.</summary>
    internal sealed class PickleBytes : PickleObject
    {
        public PickleBytes(byte[] value) => Value = value;

        public byte[] Value { get; }
    }

    /// <summary>A global the allow-list knows (e.g. <c>torch._utils._rebuild_tensor_v2</c>), before it is applied.</summary>
    internal sealed class PickleGlobal : PickleObject
    {
        public PickleGlobal(string module, string name)
        {
            Module = module;
            Name = name;
        }

        public string Module { get; }

        public string Name { get; }

        public string FullName => Module + "." + Name;
    }

    /// <summary>An object of an allowed foreign class (numpy scalar, dtype, array), kept as a placeholder and never built.</summary>
    internal sealed class PickleOpaque : PickleObject
    {
        public PickleOpaque(string type) => Type = type;

        public string Type { get; }
    }

    /// <summary>A storage reference from a persistent id: <c>('storage', torch.FloatStorage, key, location, numel)</c>.</summary>
    internal sealed class StorageRecord : PickleObject
    {
        public StorageRecord(string key, TorchDtype dtype, long elements)
        {
            Key = key;
            Dtype = dtype;
            Elements = elements;
        }

        /// <summary>The archive record <c>data/{Key}</c>.</summary>
        public string Key { get; }

        public TorchDtype Dtype { get; }

        /// <summary>Elements the storage holds, as the pickle claims (checked against the record's size).</summary>
        public long Elements { get; }
    }

    /// <summary>A tensor view on a storage: <c>_rebuild_tensor_v2(storage, offset, size, stride, ...)</c>; read on demand.</summary>
    internal sealed class TensorRecord : PickleObject
    {
        public TensorRecord(StorageRecord storage, long offset, long[] shape, long[] stride)
        {
            Storage = storage;
            Offset = offset;
            Shape = shape;
            Stride = stride;
        }

        public StorageRecord Storage { get; }

        public long Offset { get; }

        public long[] Shape { get; }

        public long[] Stride { get; }
    }
}
