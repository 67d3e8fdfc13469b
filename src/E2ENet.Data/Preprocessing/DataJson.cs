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
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        };

        /// <summary>Serialises to text (ending in a newline).</summary>
        public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options) + "\n";

        /// <summary>Reads a file written by <see cref="Serialize{T}"/>; E4201 when it cannot be read.</summary>
        public static T Read<T>(string path)
        {
            try
            {
                return JsonSerializer.Deserialize<T>(System.IO.File.ReadAllText(path), Options)
                    ?? throw new DataException(DataErrors.PreprocessedInvalid, path, "empty JSON");
            }
            catch (JsonException e) { throw new DataException(DataErrors.PreprocessedInvalid, path, "invalid JSON: " + e.Message, e); }
            catch (System.IO.IOException e) { throw new DataException(DataErrors.PreprocessedInvalid, path, "cannot read: " + e.Message, e); }
        }
    }
}
