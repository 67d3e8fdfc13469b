using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using E2ENet.Compiler.Host;
using E2ENet.Torch.Diagnostics;
using static TorchSharp.torch;

namespace E2ENet.Torch.Serialization
{
    /// <summary>
    /// A torch.save file opened for reading its tensors: a dict of tensors (<c>torch.save(model.state_dict(), path)</c>,
    /// <c>torch.save({"input": x}, path)</c>), or a trainer's checkpoint, a dict whose <c>state_dict</c> entry is the
    /// weights (nnU-Net's and the E2ENet authors' trainers write those, with optimizer state, epoch and plot data beside it;
    /// only the weights are read). Untrusted input: see <see cref="RestrictedUnpickler"/> and <see cref="TorchArchive"/>.
    /// Tensor data is read on demand by <see cref="Read"/>, after its shape and storage are checked.
    /// <code>
    /// using var file = TensorFile.Open("weights.pt");
    /// using Tensor w = file.Read("seg_outputs.0.weight");   // (classes, C0, 1, 1, 1)
    /// </code>
    /// </summary>
    public sealed class TensorFile : IDisposable
    {
        /// <summary>Most dimensions a tensor may have.</summary>
        public const int MaxDimensions = 16;

        /// <summary>Largest extent of one dimension.</summary>
        public const long MaxDimension = 1L << 40;

        private readonly ITensorStorage _archive;
        private readonly Dictionary<string, TensorInfo> _byName;

        private TensorFile(ITensorStorage archive, string? container, List<TensorInfo> tensors, IReadOnlyList<string> otherEntries)
        {
            Budget = MemoryBudget.Current;
            _archive = archive;
            Container = container;
            Tensors = tensors;
            OtherEntries = otherEntries;
            _byName = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
            foreach (TensorInfo tensor in tensors) _byName[tensor.Name] = tensor;
        }

        /// <summary>The file.</summary>
        public string Path => _archive.Path;

        /// <summary>
        /// The memory every <see cref="Read"/> is checked against before it allocates (the process's budget when the file was
        /// opened): a few hundred bytes of pickle can describe a tensor of billions of elements over a one-element storage
        /// (zero strides), or a record that inflates a thousandfold.
        /// </summary>
        public MemoryBudget Budget { get; set; }

        /// <summary><c>state_dict</c> when the tensors are that entry of a checkpoint; null when the file is the dict itself.</summary>
        public string? Container { get; }

        /// <summary>The tensors, in the file's order.</summary>
        public IReadOnlyList<TensorInfo> Tensors { get; }

        /// <summary>Top-level keys of a checkpoint beside the weights (e.g. <c>optimizer_state_dict</c>, <c>epoch</c>); not read.</summary>
        public IReadOnlyList<string> OtherEntries { get; }

        /// <summary>
        /// Opens a file and checks its archive and pickle (torch.save) or its header (safetensors: a <c>.safetensors</c> name,
        /// or the format's header at the start of a file of any name); reads no tensor data yet.
        /// </summary>
        /// <exception cref="E2ENetTorchException">The file is missing, corrupt, hostile, or holds no dict of tensors.</exception>
        public static TensorFile Open(string path)
        {
            if (SafetensorsFile.Detect(path)) return OpenSafetensors(path);
            TorchArchive archive = TorchArchive.Open(path);
            try
            {
                object? root = RestrictedUnpickler.Load(archive.ReadPickle(), path, archive.PickleName);
                if (root is not PickleDict dict)
                {
                    throw new E2ENetTorchException(TorchErrors.NotAStateDict, path, "holds " + (root is TensorRecord ? "a single tensor" : "a " + TypeName(root))
                        + " instead of a dict of tensors; save a dict: torch.save(model.state_dict(), path) or torch.save({\"input\": x}, path)");
                }
                string? container = null;
                PickleDict tensors = dict;
                var others = new List<string>();
                foreach (var entry in dict.Entries)
                {
                    // A trainer's checkpoint: 'state_dict' (the authors' nnU-Net v1 fork), 'network_weights' (nnU-Net v2).
                    if (entry.Key is string key && (key == "state_dict" || key == "network_weights") && entry.Value is PickleDict inner)
                    {
                        container = key;
                        tensors = inner;
                    }
                }
                if (container != null)
                {
                    others.AddRange(dict.Entries.Where(e => !(e.Key is string k && k == container)).Select(e => KeyText(e.Key)));
                }
                var list = new List<TensorInfo>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var entry in tensors.Entries)
                {
                    if (entry.Value is not TensorRecord record)
                    {
                        if (container == null) others.Add(KeyText(entry.Key));
                        else throw new E2ENetTorchException(TorchErrors.NotAStateDict, path, "its " + container + " entry '" + KeyText(entry.Key) + "' is a "
                            + TypeName(entry.Value) + ", not a tensor: a state dict holds only tensors");
                        continue;
                    }
                    if (entry.Key is not string name)
                    {
                        throw new E2ENetTorchException(TorchErrors.NotAStateDict, path, "a tensor is stored under the key " + KeyText(entry.Key) + "; keys must be strings");
                    }
                    if (!seen.Add(name)) throw new E2ENetTorchException(TorchErrors.NotAStateDict, path, "the key '" + RestrictedUnpickler.Printable(name) + "' appears twice");
                    Check(path, name, record);
                    list.Add(new TensorInfo(name, record));
                }
                if (list.Count == 0)
                {
                    throw new E2ENetTorchException(TorchErrors.NotAStateDict, path, "holds no tensors"
                        + (others.Count > 0 ? " (its entries: " + string.Join(", ", others.Take(10)) + (others.Count > 10 ? ", ..." : "") + ")" : "")
                        + "; give a state dict (torch.save(model.state_dict(), path)) or a checkpoint with a 'state_dict' entry");
                }
                return new TensorFile(archive, container, list, others);
            }
            catch
            {
                archive.Dispose();
                throw;
            }
        }

        private static TensorFile OpenSafetensors(string path)
        {
            var (file, tensors, metadata) = SafetensorsFile.Open(path);
            try
            {
                if (tensors.Count == 0)
                    throw new E2ENetTorchException(TorchErrors.NotAStateDict, path, "holds no tensors" + (metadata.Count > 0 ? " (only __metadata__)" : "") + "; give a safetensors file of the weights");
                foreach (var (name, record) in tensors) Check(path, name, record);
                return new TensorFile(file, null, tensors.Select(t => new TensorInfo(t.Name, t.Record)).ToList(), metadata.Count > 0 ? new[] { "__metadata__" } : Array.Empty<string>());
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }

        /// <summary>Reads a whole dict of tensors (for small files such as inputs and outputs). The caller disposes the tensors.</summary>
        public static Dictionary<string, Tensor> ReadAll(string path)
        {
            using TensorFile file = Open(path);
            var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            try
            {
                foreach (TensorInfo tensor in file.Tensors) result[tensor.Name] = file.Read(tensor.Name);
            }
            catch
            {
                foreach (Tensor t in result.Values) t.Dispose();
                throw;
            }
            return result;
        }

        /// <summary>The tensor of that key, or null.</summary>
        public TensorInfo? Find(string name) => _byName.TryGetValue(name, out TensorInfo? info) ? info : null;

        /// <summary>Reads one tensor (a new contiguous CPU tensor of the stored dtype).</summary>
        /// <exception cref="E2ENetTorchException">No such key (E2E3111), or its data is missing or short.</exception>
        public Tensor Read(string name)
        {
            TensorInfo info = Find(name) ?? throw new E2ENetTorchException(TorchErrors.MissingTensor, Path, "has no tensor '" + name + "'; it has "
                + string.Join(", ", Tensors.Take(10).Select(t => "'" + t.Name + "'")) + (Tensors.Count > 10 ? ", ..." : ""));
            TensorRecord record = info.Record;
            long extent = Extent(record);
            int size = record.Storage.Dtype.ElementSize();
            long elements = record.Shape.Aggregate(1L, (a, b) => a * b);
            _archive.CheckStorage(record.Storage.Key, checked(extent * size), name);
            // The storage is held three times while it becomes a tensor (record bytes, typed copy, tensor), then the view is materialised.
            Budget.Require(extent * size * 3 + elements * size, Path, string.Format(CultureInfo.InvariantCulture,
                "reading tensor '{0}' of shape {1} ({2} elements of {3}, from a storage of {4} elements)", RestrictedUnpickler.Printable(name), info.ShapeText, elements,
                record.Storage.Dtype.PythonName(), extent),
                "the file is damaged or hostile (a small storage can be repeated through zero strides), or the tensor is larger than this machine holds");
            byte[] bytes = _archive.ReadStorage(record.Storage.Key, checked(extent * size), name);
            using Tensor flat = FromBytes(bytes, record.Storage.Dtype, extent);
            using Tensor view = flat.as_strided(record.Shape, record.Stride, record.Offset);
            return view.is_contiguous() ? view.clone() : view.contiguous();
        }

        /// <summary>
        /// Refuses a floating-point tensor that holds NaN or infinite values: E2E3113 naming the file, the tensor, how many values
        /// and the first index, and <paramref name="fix"/>.
        /// </summary>
        /// <exception cref="E2ENetTorchException">E2E3113.</exception>
        public static void RequireFinite(Tensor value, string? file, string what, string fix)
        {
            if (!value.is_floating_point()) return;
            using var scope = NewDisposeScope();
            Tensor bad = value.isfinite().logical_not();
            long count = bad.sum().item<long>();
            if (count == 0) return;
            long nan = value.isnan().sum().item<long>();
            long[] first = Unravel(bad.reshape(-1).nonzero()[0, 0].item<long>(), value.shape);
            throw new E2ENetTorchException(TorchErrors.NonFinite, file, string.Format(CultureInfo.InvariantCulture,
                "{0} of shape {1} holds {2} NaN and {3} infinite value(s) of {4}; the first at [{5}]; {6}",
                what, TensorInfo.FormatShape(value.shape), nan, count - nan, value.numel(), string.Join(", ", first), fix));
        }

        private static long[] Unravel(long flat, long[] shape)
        {
            var index = new long[shape.Length];
            for (int axis = shape.Length - 1; axis >= 0; axis--)
            {
                index[axis] = shape[axis] == 0 ? 0 : flat % shape[axis];
                flat = shape[axis] == 0 ? 0 : flat / shape[axis];
            }
            return index;
        }

        private static Tensor FromBytes(byte[] bytes, TorchDtype dtype, long count)
        {
            switch (dtype)
            {
                case TorchDtype.Float32: return tensor(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), new[] { count });
                case TorchDtype.Float64: return tensor(MemoryMarshal.Cast<byte, double>(bytes).ToArray(), new[] { count });
                case TorchDtype.Int64: return tensor(MemoryMarshal.Cast<byte, long>(bytes).ToArray(), new[] { count });
                case TorchDtype.Int32: return tensor(MemoryMarshal.Cast<byte, int>(bytes).ToArray(), new[] { count });
                case TorchDtype.Int16: return tensor(MemoryMarshal.Cast<byte, short>(bytes).ToArray(), new[] { count });
                case TorchDtype.Float16:
                    using (Tensor wide = tensor(Widen(MemoryMarshal.Cast<byte, Half>(bytes)), new[] { count }))
                    {
                        return wide.to_type(ScalarType.Float16);
                    }
                case TorchDtype.BFloat16:
                    using (Tensor wide = tensor(Widen(MemoryMarshal.Cast<byte, ushort>(bytes)), new[] { count }))
                    {
                        return wide.to_type(ScalarType.BFloat16); // exact: every bfloat16 is a float32
                    }
                case TorchDtype.Int8:
                    using (Tensor wide = tensor(Widen(MemoryMarshal.Cast<byte, sbyte>(bytes)), new[] { count }))
                    {
                        return wide.to_type(ScalarType.Int8);
                    }
                case TorchDtype.Bool:
                    using (Tensor raw = tensor(bytes, new[] { count }))
                    {
                        return raw.ne(0);
                    }
                default: return tensor(bytes, new[] { count });
            }
        }

        private static float[] Widen(ReadOnlySpan<Half> values)
        {
            var result = new float[values.Length];
            for (int i = 0; i < values.Length; i++) result[i] = (float)values[i];
            return result;
        }

        private static float[] Widen(ReadOnlySpan<ushort> bfloat16)
        {
            var result = new float[bfloat16.Length];
            for (int i = 0; i < bfloat16.Length; i++) result[i] = BitConverter.Int32BitsToSingle(bfloat16[i] << 16);
            return result;
        }

        private static short[] Widen(ReadOnlySpan<sbyte> values)
        {
            var result = new short[values.Length];
            for (int i = 0; i < values.Length; i++) result[i] = values[i];
            return result;
        }

        /// <summary>Elements of the storage the view reaches: offset + sum((size - 1) * stride) + 1 (0 for an empty tensor).</summary>
        private static long Extent(TensorRecord record)
        {
            long extent = record.Offset;
            for (int i = 0; i < record.Shape.Length; i++)
            {
                if (record.Shape[i] == 0) return 0;
                extent = checked(extent + (record.Shape[i] - 1) * record.Stride[i]);
            }
            return checked(extent + 1);
        }

        private static void Check(string path, string name, TensorRecord record)
        {
            string shape = TensorInfo.FormatShape(record.Shape);
            E2ENetTorchException Bad(string problem) => new E2ENetTorchException(TorchErrors.BadTensor, path,
                "tensor '" + RestrictedUnpickler.Printable(name) + "' " + problem + "; the file is corrupt or not a tensor file");
            if (record.Shape.Length > MaxDimensions) throw Bad("has " + record.Shape.Length.ToString(CultureInfo.InvariantCulture) + " dimensions (at most 16 are read)");
            if (record.Stride.Length != record.Shape.Length) throw Bad("has the shape " + shape + " but " + record.Stride.Length.ToString(CultureInfo.InvariantCulture) + " strides");
            if (record.Offset < 0) throw Bad("starts at a negative storage offset");
            long elements = 1;
            for (int i = 0; i < record.Shape.Length; i++)
            {
                if (record.Shape[i] < 0 || record.Shape[i] > MaxDimension) throw Bad("has the absurd shape " + shape);
                if (record.Stride[i] < 0 || record.Stride[i] > long.MaxValue / 4) throw Bad("has a negative or absurd stride");
                try
                {
                    elements = checked(elements * record.Shape[i]);
                }
                catch (OverflowException)
                {
                    throw Bad("has the shape " + shape + ", whose size overflows");
                }
            }
            long extent;
            try
            {
                extent = Extent(record);
                checked
                {
                    _ = record.Storage.Elements * record.Storage.Dtype.ElementSize();
                    _ = extent * record.Storage.Dtype.ElementSize();
                }
            }
            catch (OverflowException)
            {
                throw Bad("has a shape and strides " + shape + " whose extent overflows");
            }
            if (extent > record.Storage.Elements)
            {
                throw Bad(string.Format(CultureInfo.InvariantCulture, "of shape {0} needs {1} elements of its storage, which holds {2}: the storage is shorter than the tensor",
                    shape, extent, record.Storage.Elements));
            }
        }

        private static string KeyText(object? key) => key is string s ? "'" + RestrictedUnpickler.Printable(s) + "'" : TypeName(key);

        private static string TypeName(object? value) => value switch
        {
            null => "None",
            string => "string",
            long => "integer",
            double => "number",
            bool => "bool",
            PickleDict => "dict",
            PickleList => "list",
            PickleTuple => "tuple",
            TensorRecord => "tensor",
            PickleOpaque o => o.Type,
            _ => "value",
        };

        /// <inheritdoc />
        public void Dispose() => _archive.Dispose();
    }
}
