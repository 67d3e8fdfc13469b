using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using E2ENet.Torch.Diagnostics;

namespace E2ENet.Torch.Serialization
{
    /// <summary>
    /// A pickle reader that builds plain data and nothing else: the subset of the pickle protocol (0 to 5) that torch.save
    /// writes, and an allow-list of globals: the tensor rebuild functions, storage classes, <c>collections.OrderedDict</c>,
    /// <c>torch.Size</c>, <c>builtins.set</c>, and, as inert placeholders, the numpy scalar and array classes that trainers'
    /// checkpoints carry in their plot data. Any other global (<c>os.system</c>, <c>builtins.eval</c>...) is refused
    /// (E2E3107) the moment it is named, so nothing is ever looked up or executed.
    /// <para>
    /// Why our own reader rather than TorchSharp.PyBridge's: PyBridge unpickles with Razorvine.Pickle, which accepts any
    /// global (building a generic dictionary for unknown classes), reports problems as raw exceptions without the file or
    /// place, and materialises every tensor of the file, optimizer state included. Here every size comes from the input and
    /// is checked against what is left of it, each opcode makes at most one value (memory is linear in the pickle's size),
    /// and tensors are read lazily, only those asked for, after their shapes and storages are checked.
    /// </para>
    /// </summary>
    internal sealed class RestrictedUnpickler
    {
        private static readonly HashSet<string> TensorGlobals = new HashSet<string>(StringComparer.Ordinal)
        {
            "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
            "collections.OrderedDict", "torch.Size", "builtins.set", "__builtin__.set", "builtins.frozenset", "__builtin__.frozenset",
        };

        /// <summary>Foreign classes a trainer's checkpoint may hold outside the weights: kept as placeholders, never built.</summary>
        private static readonly HashSet<string> InertGlobals = new HashSet<string>(StringComparer.Ordinal)
        {
            "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "numpy.dtype",
            "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct", "numpy.ndarray",
            "_codecs.encode", "torch.device", "torch.serialization._get_layout", "torch.float32", "torch.float16", "torch.bfloat16",
        };

        private static readonly object Mark = new object();

        private readonly byte[] _data;
        private readonly string _file;
        private readonly string _record;
        private readonly List<object?> _stack = new List<object?>();
        private readonly List<int> _marks = new List<int>();
        private readonly Dictionary<long, object?> _memo = new Dictionary<long, object?>();
        private int _position;
        private int _opcodeStart;

        private RestrictedUnpickler(byte[] data, string file, string record)
        {
            _data = data;
            _file = file;
            _record = record;
        }

        /// <summary>Reads the one value of a pickle.</summary>
        /// <param name="data">The pickle bytes (the archive's <c>data.pkl</c>).</param>
        /// <param name="file">The file, for messages.</param>
        /// <param name="record">The record name inside the file, for messages.</param>
        public static object? Load(byte[] data, string file, string record) => new RestrictedUnpickler(data, file, record).Run();

        private object? Run()
        {
            while (true)
            {
                _opcodeStart = _position;
                byte opcode = ReadByte();
                switch (opcode)
                {
                    case 0x80: ReadByte(); break; // PROTO n
                    case 0x95: ReadBytes(8); break; // FRAME: framing is only a hint for buffered readers
                    case (byte)'.': // STOP
                        if (_stack.Count != 1 || _marks.Count != 0) throw Malformed("the pickle ends with " + _stack.Count.ToString(CultureInfo.InvariantCulture) + " values on the stack instead of 1");
                        return _stack[0] == Mark ? throw Malformed("the pickle ends on a MARK") : _stack[0];
                    case (byte)'(': _marks.Add(_stack.Count); _stack.Add(Mark); break; // MARK
                    case (byte)'0': Pop(); break; // POP
                    case (byte)'1': PopToMark(); break; // POP_MARK
                    case (byte)'2': Push(Peek()); break; // DUP
                    case (byte)'N': Push(null); break;
                    case 0x88: Push(true); break; // NEWTRUE
                    case 0x89: Push(false); break; // NEWFALSE
                    case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break; // BININT
                    case (byte)'K': Push((long)ReadByte()); break; // BININT1
                    case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break; // BININT2
                    case 0x8a: Push(ReadLong(ReadByte())); break; // LONG1
                    case 0x8b: Push(ReadLong(ReadLength(4))); break; // LONG4
                    case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break; // BINFLOAT
                    case (byte)'X': Push(ReadUtf8(ReadLength(4))); break; // BINUNICODE
                    case 0x8c: Push(ReadUtf8(ReadByte())); break; // SHORT_BINUNICODE
                    case 0x8d: Push(ReadUtf8(ReadLength(8))); break; // BINUNICODE8
                    case (byte)'T': Push(ReadLatin1(ReadLength(4))); break; // BINSTRING
                    case (byte)'U': Push(ReadLatin1(ReadByte())); break; // SHORT_BINSTRING
                    case (byte)'B': Push(new PickleBytes(ReadBytes(ReadLength(4)).ToArray())); break; // BINBYTES
                    case (byte)'C': Push(new PickleBytes(ReadBytes(ReadByte()).ToArray())); break; // SHORT_BINBYTES
                    case 0x8e: Push(new PickleBytes(ReadBytes(ReadLength(8)).ToArray())); break; // BINBYTES8
                    case (byte)'}': Push(new PickleDict()); break; // EMPTY_DICT
                    case (byte)']': Push(new PickleList()); break; // EMPTY_LIST
                    case 0x8f: Push(new PickleList()); break; // EMPTY_SET
                    case (byte)')': Push(new PickleTuple(Array.Empty<object?>())); break; // EMPTY_TUPLE
                    case (byte)'t': Push(new PickleTuple(PopToMark().ToArray())); break; // TUPLE
                    case 0x85: Push(new PickleTuple(new[] { Pop() })); break; // TUPLE1
                    case 0x86: { object? b = Pop(), a = Pop(); Push(new PickleTuple(new[] { a, b })); break; } // TUPLE2
                    case 0x87: { object? c = Pop(), b = Pop(), a = Pop(); Push(new PickleTuple(new[] { a, b, c })); break; } // TUPLE3
                    case (byte)'l': { var list = new PickleList(); list.Items.AddRange(PopToMark()); Push(list); break; } // LIST
                    case 0x91: { var set = new PickleList(); set.Items.AddRange(PopToMark()); Push(set); break; } // FROZENSET
                    case (byte)'d': { var dict = new PickleDict(); AddPairs(dict, PopToMark()); Push(dict); break; } // DICT
                    case (byte)'a': { object? item = Pop(); ListAt(Peek()).Items.Add(item); break; } // APPEND
                    case (byte)'e': case 0x90: { List<object?> items = PopToMark(); ListAt(Peek()).Items.AddRange(items); break; } // APPENDS, ADDITEMS
                    case (byte)'s': { object? value = Pop(), key = Pop(); DictAt(Peek()).Entries.Add(new KeyValuePair<object?, object?>(key, value)); break; } // SETITEM
                    case (byte)'u': { List<object?> pairs = PopToMark(); AddPairs(DictAt(Peek()), pairs); break; } // SETITEMS
                    case (byte)'q': _memo[ReadByte()] = Peek(); break; // BINPUT
                    case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Peek(); break; // LONG_BINPUT
                    case 0x94: _memo[_memo.Count] = Peek(); break; // MEMOIZE
                    case (byte)'h': Push(Recall(ReadByte())); break; // BINGET
                    case (byte)'j': Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break; // LONG_BINGET
                    case (byte)'c': Push(Global(ReadLine(), ReadLine())); break; // GLOBAL module\nname\n
                    case 0x93: { object? name = Pop(), module = Pop(); Push(Global(AsString(module, "STACK_GLOBAL module"), AsString(name, "STACK_GLOBAL name"))); break; }
                    case (byte)'R': { object? args = Pop(), callable = Pop(); Push(Reduce(callable, args)); break; } // REDUCE
                    case 0x81: { object? args = Pop(), cls = Pop(); Push(Reduce(cls, args)); break; } // NEWOBJ
                    case (byte)'b': { object? state = Pop(); Build(Peek(), state); break; } // BUILD
                    case (byte)'Q': Push(PersistentLoad(Pop())); break; // BINPERSID
                    default:
                        throw new E2ENetTorchException(TorchErrors.UnsupportedOpcode, _file, string.Format(CultureInfo.InvariantCulture,
                            "pickle opcode 0x{0:x2} ('{1}') at byte {2} of {3} is not one torch.save writes; the file was not written by torch.save "
                            + "(or was tampered with): save the weights with torch.save(model.state_dict(), path)",
                            opcode, opcode >= 0x20 && opcode < 0x7f ? ((char)opcode).ToString() : "?", _opcodeStart, _record));
                }
            }
        }

        // ---- values ----------------------------------------------------------------------------------------------

        private object Global(string module, string name)
        {
            string full = module + "." + name;
            if (module == "torch" && TorchDtypes.TryFromStorage(name, out _)) return new PickleGlobal(module, name);
            if (module == "torch" && name.EndsWith("Storage", StringComparison.Ordinal) && name.Length < 64 && name.All(char.IsAsciiLetterOrDigit))
            {
                // A storage type that exists but is not read (complex, quantized...): a type name, never executed, but not data we take.
                throw new E2ENetTorchException(TorchErrors.UnsupportedDtype, _file, string.Format(CultureInfo.InvariantCulture,
                    "a tensor is stored as torch.{0} (at byte {1} of {2}), a dtype that is not read; supported storages are float32, float64, float16, "
                    + "bfloat16, int64, int32, int16, int8, uint8 and bool: convert the tensor (for example x.real or x.float()) and save it again",
                    Printable(name), _opcodeStart, _record));
            }
            if (TensorGlobals.Contains(full)) return new PickleGlobal(module, name);
            if (InertGlobals.Contains(full)) return new PickleOpaque(full);
            throw new E2ENetTorchException(TorchErrors.ForbiddenGlobal, _file, string.Format(CultureInfo.InvariantCulture,
                "the pickle names the global '{0}' (at byte {1} of {2}), which a torch.save'd state dict never holds; it was refused and "
                + "nothing was executed. Only tensors, storages, OrderedDict and plain data are read: if this is your own checkpoint, "
                + "save its weights alone with torch.save(model.state_dict(), path)", Printable(full), _opcodeStart, _record));
        }

        private object? Reduce(object? callable, object? args)
        {
            if (callable is PickleOpaque opaque) return new PickleOpaque(opaque.Type);
            if (callable is not PickleGlobal global) throw Malformed("REDUCE applies " + Describe(callable) + ", which is not a known class or function");
            if (args is not PickleTuple tuple) throw Malformed("REDUCE of " + global.FullName + " has " + Describe(args) + " as arguments instead of a tuple");
            object?[] a = tuple.Items;
            switch (global.FullName)
            {
                case "collections.OrderedDict":
                    if (a.Length == 0) return new PickleDict();
                    var dict = new PickleDict();
                    if (a.Length == 1 && (a[0] is PickleList || a[0] is PickleTuple))
                    {
                        // OrderedDict(iterable of (key, value)): a list or a tuple (PyBridge writes OrderedDict(())).
                        object?[] pairs = a[0] is PickleList list ? list.Items.ToArray() : ((PickleTuple)a[0]!).Items;
                        foreach (object? pair in pairs)
                        {
                            if (pair is PickleTuple { Items.Length: 2 } kv) dict.Entries.Add(new KeyValuePair<object?, object?>(kv.Items[0], kv.Items[1]));
                            else throw Malformed("OrderedDict is built from " + Describe(pair) + " instead of (key, value) pairs");
                        }
                        return dict;
                    }
                    throw Malformed("OrderedDict is built from unexpected arguments");
                case "torch.Size":
                    return a.Length == 1 && a[0] is PickleTuple size ? size : throw Malformed("torch.Size is built from unexpected arguments");
                case "builtins.set":
                case "__builtin__.set":
                case "builtins.frozenset":
                case "__builtin__.frozenset":
                    var set = new PickleList();
                    if (a.Length == 1 && a[0] is PickleList items) set.Items.AddRange(items.Items);
                    return set;
                case "torch._utils._rebuild_parameter":
                case "torch._utils._rebuild_parameter_with_state":
                    return a.Length >= 1 && a[0] is TensorRecord data ? data : throw Malformed(global.Name + " is applied to " + (a.Length == 0 ? "nothing" : Describe(a[0])) + " instead of a tensor");
                case "torch._utils._rebuild_tensor_v2":
                    return RebuildTensor(a);
                default:
                    throw Malformed(global.FullName + " is applied as a function; it is a storage type");
            }
        }

        private TensorRecord RebuildTensor(object?[] a)
        {
            if (a.Length < 4) throw Malformed("_rebuild_tensor_v2 has " + a.Length.ToString(CultureInfo.InvariantCulture) + " arguments instead of at least 4 (storage, offset, size, stride)");
            if (a[0] is not StorageRecord storage) throw Malformed("_rebuild_tensor_v2 is given " + Describe(a[0]) + " instead of a storage");
            if (a[1] is not long offset) throw Malformed("_rebuild_tensor_v2 is given " + Describe(a[1]) + " instead of a storage offset");
            return new TensorRecord(storage, offset, Longs(a[2], "size"), Longs(a[3], "stride"));
        }

        private long[] Longs(object? value, string what)
        {
            if (value is not PickleTuple tuple) throw Malformed("a tensor's " + what + " is " + Describe(value) + " instead of a tuple of integers");
            var result = new long[tuple.Items.Length];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = tuple.Items[i] is long number ? number : throw Malformed("a tensor's " + what + " holds " + Describe(tuple.Items[i]) + " instead of integers");
            }
            return result;
        }

        private void Build(object? target, object? state)
        {
            // OrderedDict state (the state dict's _metadata), tensor state (requires_grad hooks), placeholders: nothing to build.
            if (target is PickleDict || target is PickleOpaque || target is TensorRecord) return;
            throw Malformed("BUILD sets the state of " + Describe(target));
        }

        private object PersistentLoad(object? id)
        {
            // torch.save: ('storage', torch.FloatStorage, key, location, numel)
            if (id is not PickleTuple { Items.Length: >= 5 } tuple || !(tuple.Items[0] is string kind) || kind != "storage")
            {
                throw Malformed("a persistent id is " + Describe(id) + " instead of ('storage', type, key, location, size)");
            }
            if (tuple.Items[1] is not PickleGlobal type || type.Module != "torch" || !TorchDtypes.TryFromStorage(type.Name, out TorchDtype dtype))
            {
                throw new E2ENetTorchException(TorchErrors.UnsupportedDtype, _file, "a storage has the type " + Describe(tuple.Items[1])
                    + "; supported storages are float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8 and bool");
            }
            if (tuple.Items[2] is not string key || key.Length == 0 || key.Length > 64 || !IsPlainKey(key)) throw Malformed("a storage key is " + Describe(tuple.Items[2]));
            if (tuple.Items[4] is not long elements || elements < 0) throw Malformed("storage '" + Printable(tuple.Items[2] as string ?? "?") + "' has the size " + Describe(tuple.Items[4]));
            return new StorageRecord(key, dtype, elements);
        }

        private static bool IsPlainKey(string key)
        {
            foreach (char c in key)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-' || c == '.')) return false;
            }
            return !key.Contains("..", StringComparison.Ordinal);
        }

        private void AddPairs(PickleDict dict, List<object?> items)
        {
            if (items.Count % 2 != 0) throw Malformed("a dict is given an odd number of keys and values");
            for (int i = 0; i < items.Count; i += 2) dict.Entries.Add(new KeyValuePair<object?, object?>(items[i], items[i + 1]));
        }

        private PickleList ListAt(object? value) => value as PickleList ?? throw Malformed("APPEND on " + Describe(value));

        private PickleDict DictAt(object? value) => value as PickleDict ?? throw Malformed("SETITEM on " + Describe(value));

        private string AsString(object? value, string what) => value as string ?? throw Malformed(what + " is " + Describe(value));

        private object? Recall(long index) => _memo.TryGetValue(index, out object? value) ? value : throw Malformed("memo entry " + index.ToString(CultureInfo.InvariantCulture) + " is read before it is written");

        // ---- stack -----------------------------------------------------------------------------------------------

        private void Push(object? value) => _stack.Add(value);

        private object? Peek()
        {
            if (_stack.Count == 0 || (_marks.Count > 0 && _marks[_marks.Count - 1] == _stack.Count - 1)) throw Malformed("the stack is empty");
            return _stack[_stack.Count - 1];
        }

        private object? Pop()
        {
            object? value = Peek();
            _stack.RemoveAt(_stack.Count - 1);
            return value;
        }

        private List<object?> PopToMark()
        {
            if (_marks.Count == 0) throw Malformed("no MARK to pop to");
            int mark = _marks[_marks.Count - 1];
            _marks.RemoveAt(_marks.Count - 1);
            var items = _stack.GetRange(mark + 1, _stack.Count - mark - 1);
            _stack.RemoveRange(mark, _stack.Count - mark);
            return items;
        }

        // ---- bytes -----------------------------------------------------------------------------------------------

        private byte ReadByte()
        {
            if (_position >= _data.Length) throw Truncated();
            return _data[_position++];
        }

        private ReadOnlySpan<byte> ReadBytes(long count)
        {
            if (count < 0 || count > _data.Length - _position) throw Truncated();
            var span = new ReadOnlySpan<byte>(_data, _position, (int)count);
            _position += (int)count;
            return span;
        }

        private long ReadLength(int width)
        {
            ReadOnlySpan<byte> bytes = ReadBytes(width);
            ulong length = width == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            if (length > (ulong)(_data.Length - _position)) throw Truncated();
            return (long)length;
        }

        private long ReadLong(long length)
        {
            if (length > 8) throw Malformed(string.Format(CultureInfo.InvariantCulture, "an integer of {0} bytes (more than 64 bits)", length));
            ReadOnlySpan<byte> bytes = ReadBytes(length);
            long value = 0;
            for (int i = (int)length - 1; i >= 0; i--) value = (value << 8) | bytes[i];
            if (length > 0 && length < 8 && (bytes[(int)length - 1] & 0x80) != 0) value -= 1L << (int)(8 * length); // two's complement
            return value;
        }

        private string ReadUtf8(long length)
        {
            try
            {
                return new UTF8Encoding(false, true).GetString(ReadBytes(length));
            }
            catch (DecoderFallbackException)
            {
                throw Malformed("a string is not valid UTF-8");
            }
        }

        private string ReadLatin1(long length) => Encoding.Latin1.GetString(ReadBytes(length));

        private string ReadLine()
        {
            int end = Array.IndexOf(_data, (byte)'\n', _position, Math.Min(256, _data.Length - _position));
            if (end < 0) throw Malformed("a GLOBAL name is not terminated by a newline within 256 bytes");
            string text = Encoding.ASCII.GetString(_data, _position, end - _position);
            _position = end + 1;
            return text;
        }

        // ---- errors ----------------------------------------------------------------------------------------------

        private E2ENetTorchException Truncated() => new E2ENetTorchException(TorchErrors.MalformedPickle, _file, string.Format(CultureInfo.InvariantCulture,
            "{0} ends in the middle of a value (byte {1} of {2}): the file is truncated or corrupt; save it again", _record, _opcodeStart, _data.Length));

        private E2ENetTorchException Malformed(string problem) => new E2ENetTorchException(TorchErrors.MalformedPickle, _file, string.Format(CultureInfo.InvariantCulture,
            "{0} is not a valid torch.save pickle at byte {1}: {2}; the file is corrupt or was not written by torch.save", _record, _opcodeStart, problem));

        private static string Describe(object? value) => value switch
        {
            null => "None",
            string s => "the string '" + Printable(s) + "'",
            long n => "the integer " + n.ToString(CultureInfo.InvariantCulture),
            double d => "the number " + d.ToString("R", CultureInfo.InvariantCulture),
            bool b => b ? "True" : "False",
            PickleGlobal g => g.FullName,
            PickleOpaque o => "a " + o.Type + " object",
            PickleDict => "a dict",
            PickleList => "a list",
            PickleTuple t => "a tuple of " + t.Items.Length.ToString(CultureInfo.InvariantCulture),
            PickleBytes => "bytes",
            StorageRecord => "a storage",
            TensorRecord => "a tensor",
            _ => "a MARK",
        };

        /// <summary>At most 80 printable characters of a name from the file (it may hold anything).</summary>
        internal static string Printable(string text)
        {
            var builder = new StringBuilder();
            foreach (char c in text)
            {
                if (builder.Length >= 80)
                {
                    builder.Append("...");
                    break;
                }
                builder.Append(c < 0x20 || c == 0x7f ? '?' : c);
            }
            return builder.ToString();
        }
    }
}
