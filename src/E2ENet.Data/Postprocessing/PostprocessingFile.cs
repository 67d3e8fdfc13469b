using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using E2ENet.Compiler.Host;
using E2ENet.Data.Preprocessing;

namespace E2ENet.Data.Postprocessing
{
    /// <summary>
    /// The postprocessing decision file (<c>summarize</c> writes it, <c>predict --postprocess FILE.json</c> applies it):
    /// <code>
    /// {
    ///   "format": "e2enet-postprocessing", "version": 1,
    ///   "labels": ["background", "liver", "tumour"],
    ///   "largestForeground": false,
    ///   "largestComponentClasses": [1],
    ///   "evidence": { ... }          // how it was decided (cases, Dice before and after each step); not read back
    /// }
    /// </code>
    /// </summary>
    public static class PostprocessingFile
    {
        /// <summary>The value of <c>format</c>.</summary>
        public const string Format = "e2enet-postprocessing";

        /// <summary>The version this code writes and reads.</summary>
        public const int Version = 1;

        /// <summary>Writes a decision (its <see cref="PostprocessingDecision.Labels"/> are required) and how it was decided, atomically.</summary>
        /// <exception cref="ArgumentException">A decision without labels.</exception>
        /// <exception cref="DataException">E4014 when the file cannot be written.</exception>
        public static void Write(string path, PostprocessingDecision decision, PostprocessingEvidence? evidence)
        {
            IReadOnlyList<string> labels = decision.Labels ?? throw new ArgumentException("a decision file names the labels it was decided for", nameof(decision));
            var root = new JsonObject
            {
                ["format"] = Format,
                ["version"] = Version,
                ["labels"] = new JsonArray(labels.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
                ["largestForeground"] = decision.LargestForeground,
                ["largestComponentClasses"] = new JsonArray(decision.LargestPerClass.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
            };
            if (evidence != null) root["evidence"] = JsonNode.Parse(DataJson.Serialize(evidence));
            AtomicFile.WriteText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }

        /// <summary>Reads a decision file.</summary>
        /// <exception cref="DataException">E4305 naming the field that is missing or wrong; E4001 when it cannot be read.</exception>
        public static PostprocessingDecision Read(string path)
        {
            string text;
            try
            {
                text = RegularFile.ReadAllText(path, 16L << 20);
            }
            catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException)
            {
                throw new DataException(DataErrors.FileNotReadable, path, "cannot read the postprocessing decision: " + e.Message, e);
            }
            try
            {
                using JsonDocument document = JsonDocument.Parse(text);
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object) throw Bad(path, "is not a JSON object");
                if (String(root, "format", path) != Format) throw Bad(path, $"'format' is not \"{Format}\" (this is not a decision file of e2enet summarize)");
                if (Field(root, "version", path).ValueKind != JsonValueKind.Number || !Field(root, "version", path).TryGetInt32(out int version) || version != Version)
                    throw Bad(path, $"'version' is {Field(root, "version", path)}; this e2enet reads version {Version}");
                JsonElement labelsField = Field(root, "labels", path);
                if (labelsField.ValueKind != JsonValueKind.Array || labelsField.EnumerateArray().Any(l => l.ValueKind != JsonValueKind.String) || labelsField.GetArrayLength() < 2)
                    throw Bad(path, "'labels' must be the list of label names, background first (two or more)");
                var labels = labelsField.EnumerateArray().Select(l => l.GetString()!).ToList();
                JsonElement foreground = Field(root, "largestForeground", path);
                if (foreground.ValueKind != JsonValueKind.True && foreground.ValueKind != JsonValueKind.False) throw Bad(path, "'largestForeground' must be true or false");
                JsonElement classesField = Field(root, "largestComponentClasses", path);
                if (classesField.ValueKind != JsonValueKind.Array) throw Bad(path, "'largestComponentClasses' must be a list of class numbers");
                var classes = new List<int>();
                foreach (JsonElement item in classesField.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out int c) || c < 1 || c >= labels.Count)
                        throw Bad(path, $"'largestComponentClasses' holds {item}; classes are 1..{labels.Count - 1} (the foreground of 'labels')");
                    if (classes.Contains(c)) throw Bad(path, $"'largestComponentClasses' lists class {c} twice");
                    classes.Add(c);
                }
                return new PostprocessingDecision(foreground.GetBoolean(), classes, labels);
            }
            catch (JsonException e)
            {
                throw Bad(path, "not valid JSON: " + e.Message);
            }
        }

        private static JsonElement Field(JsonElement root, string name, string path)
            => root.TryGetProperty(name, out JsonElement value) ? value : throw Bad(path, $"has no '{name}'");

        private static string? String(JsonElement root, string name, string path)
        {
            JsonElement value = Field(root, name, path);
            return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Bad(path, $"'{name}' must be a string");
        }

        private static DataException Bad(string path, string detail) => new DataException(DataErrors.PostprocessingInvalid, path, detail);
    }
}
