using System;
using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;

namespace E2ENet.Onnx.Proto
{
    /// <summary>
    /// <c>onnx.AttributeProto</c> of the kinds this exporter uses: one float, one int, one string, or a list of ints.
    /// Fields: name = 1, f = 2, i = 3, s = 4, ints = 8, type = 20 (FLOAT 1, INT 2, STRING 3, INTS 7).
    /// </summary>
    public sealed class OnnxAttribute : ProtoMessage
    {
        private const int TypeFloat = 1;
        private const int TypeInt = 2;
        private const int TypeString = 3;
        private const int TypeInts = 7;

        private readonly int _type;
        private readonly float _float;
        private readonly long _int;
        private readonly string? _string;
        private readonly long[] _ints;

        private OnnxAttribute(string name, int type, float f, long i, string? s, long[]? ints)
        {
            Name = name;
            _type = type;
            _float = f;
            _int = i;
            _string = s;
            _ints = ints ?? Array.Empty<long>();
        }

        /// <summary>The attribute's name.</summary>
        public string Name { get; }

        /// <summary>The list value (INTS), empty otherwise.</summary>
        public IReadOnlyList<long> Ints => _ints;

        /// <summary>The int value (INT).</summary>
        public long Int => _int;

        /// <summary>A float attribute.</summary>
        public static OnnxAttribute Of(string name, float value) => new OnnxAttribute(name, TypeFloat, value, 0, null, null);

        /// <summary>An int attribute.</summary>
        public static OnnxAttribute Of(string name, long value) => new OnnxAttribute(name, TypeInt, 0, value, null, null);

        /// <summary>A string attribute.</summary>
        public static OnnxAttribute Of(string name, string value) => new OnnxAttribute(name, TypeString, 0, 0, value, null);

        /// <summary>A list-of-ints attribute.</summary>
        public static OnnxAttribute Of(string name, IEnumerable<long> values) => new OnnxAttribute(name, TypeInts, 0, 0, null, values.ToArray());

        /// <inheritdoc />
        public override long Size()
        {
            long size = StringFieldSize(1, Name) + Int64FieldSize(20, _type);
            switch (_type)
            {
                case TypeFloat: size += CodedOutputStream.ComputeTagSize(2) + 4; break;
                case TypeInt: size += Int64FieldSize(3, _int); break;
                case TypeString: size += StringFieldSize(4, _string!); break;
                default: foreach (long value in _ints) size += Int64FieldSize(8, value); break;
            }
            return size;
        }

        /// <inheritdoc />
        public override void Write(CodedOutputStream output)
        {
            WriteStringField(output, 1, Name);
            switch (_type)
            {
                case TypeFloat:
                    output.WriteTag(2, WireFormat.WireType.Fixed32);
                    output.WriteFloat(_float);
                    break;
                case TypeInt:
                    WriteInt64Field(output, 3, _int);
                    break;
                case TypeString:
                    WriteStringField(output, 4, _string!);
                    break;
                default:
                    foreach (long value in _ints) WriteInt64Field(output, 8, value);
                    break;
            }
            WriteInt64Field(output, 20, _type);
        }
    }
}
