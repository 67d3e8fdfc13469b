using System.Text.Json;
using System.Text.Json.Serialization;

namespace E2ENet.Data.Preprocessing
{
    /// <summary>The JSON settings of every file the data library writes (camelCase, indented, enums as strings, invariant numbers).</summary>
    public static class DataJson
    {
        /// <summary>The options.</summary>
        public static JsonSerializerOptions Options { get; } = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = true,
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase), new UndefinedAsNull(), new UndefinedFloatAsNull() },
        };

        /// <summary>
        /// Adds the converters that write NaN and infinities as null (JSON has no such numbers; System.Text.Json would throw) to
        /// <paramref name="options"/>, for the JSON files other libraries write (the trainer's run and state files).
        /// </summary>
        public static JsonSerializerOptions WithUndefinedAsNull(JsonSerializerOptions options)
        {
            options.Converters.Add(new UndefinedAsNull());
            options.Converters.Add(new UndefinedFloatAsNull());
            return options;
        }

        /// <summary>Floats: as doubles.</summary>
        private sealed class UndefinedFloatAsNull : JsonConverter<float>
        {
            public override float Read(ref Utf8JsonReader reader, System.Type typeToConvert, JsonSerializerOptions options)
                => reader.TokenType == JsonTokenType.Null ? float.NaN : reader.GetSingle();

            public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options)
            {
                if (float.IsFinite(value)) writer.WriteNumberValue(value);
                else writer.WriteNullValue();
            }

            public override bool HandleNull => true;
        }

        /// <summary>Doubles: NaN and infinities (undefined metrics) are written as null and read back as NaN.</summary>
        private sealed class UndefinedAsNull : JsonConverter<double>
        {
            public override double Read(ref Utf8JsonReader reader, System.Type typeToConvert, JsonSerializerOptions options)
                => reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

            public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
            {
                if (double.IsFinite(value)) writer.WriteNumberValue(value);
                else writer.WriteNullValue();
            }

            public override bool HandleNull => true;
        }

        /// <summary>Serialises to text (ending in a newline).</summary>
        public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options) + "\n";

        /// <summary>Reads a file written by <see cref="Serialize{T}"/>; E4201 when it cannot be read.</summary>
        public static T Read<T>(string path)
        {
            try
            {
                return JsonSerializer.Deserialize<T>(E2ENet.Compiler.Host.RegularFile.ReadAllText(path, 256L << 20), Options)
                    ?? throw new DataException(DataErrors.PreprocessedInvalid, path, "empty JSON");
            }
            catch (JsonException e) { throw new DataException(DataErrors.PreprocessedInvalid, path, "invalid JSON: " + e.Message, e); }
            catch (System.IO.IOException e) { throw new DataException(DataErrors.PreprocessedInvalid, path, "cannot read: " + e.Message, e); }
        }
    }
}
