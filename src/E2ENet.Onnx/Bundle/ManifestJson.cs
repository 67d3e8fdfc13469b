using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Encodings.Web;
using System.Text.Json;
using E2ENet.Compiler.Host;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Diagnostics;
using E2ENet.Onnx.Reporting;

namespace E2ENet.Onnx.Bundle
{
    /// <summary>
    /// Writes and reads <c>manifest.json</c>. Reading is strict: a missing or ill-typed field is one E2E6202 error that names
    /// the field and says to export the bundle again; a newer format version is E2E6205.
    /// </summary>
    public static class ManifestJson
    {
        /// <summary>The largest manifest read (the model source is at most a few KB, the pruning report a few hundred).</summary>
        public const long MaxBytes = 64L << 20;

        private static readonly JsonWriterOptions Options = new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        /// <summary>The manifest (and the report under <c>report</c>) as indented UTF-8 JSON.</summary>
        public static byte[] Write(BundleManifest m, PruningReport report)
        {
            using var stream = new MemoryStream();
            using (var json = new Utf8JsonWriter(stream, Options))
            {
                json.WriteStartObject();
                json.WriteString("format", BundleManifest.Format);
                json.WriteNumber("formatVersion", m.FormatVersion);
                json.WriteString("model", m.Model);
                if (m.Description != null) json.WriteString("description", m.Description);
                else json.WriteNull("description");
                json.WriteStartObject("tool");
                json.WriteString("name", "e2enet");
                json.WriteString("version", m.ToolVersion);
                json.WriteEndObject();
                json.WriteStartObject("source");
                json.WriteString("e2e", m.Source);
                json.WriteString("sha256", m.SourceSha256);
                json.WriteEndObject();
                json.WriteStartObject("weights");
                WriteNullable(json, "file", m.WeightsFile);
                WriteNullable(json, "sha256", m.WeightsSha256);
                json.WriteEndObject();

                json.WriteStartObject("onnx");
                json.WriteString("file", m.OnnxFile);
                json.WriteString("sha256", m.OnnxSha256);
                json.WriteNumber("bytes", m.OnnxBytes);
                json.WriteNumber("opset", m.Opset);
                json.WriteNumber("irVersion", m.IrVersion);
                json.WriteString("precision", m.Precision);
                json.WriteBoolean("pruned", m.Pruned);
                json.WriteString("lowering", m.Lowering);
                Signature(json, "input", m.Input);
                Signature(json, "output", m.Output);
                Ints(json, "divisibleBy", m.DivisibleBy.D, m.DivisibleBy.H, m.DivisibleBy.W);
                json.WriteString("shapeRule", "batch >= 1; depth, height and width each divisible by divisibleBy (the product of the pools per axis), "
                    + "with at least two voxels left at the bottleneck (size / divisibleBy, multiplied over the axes)");
                json.WriteEndObject();

                json.WriteStartObject("input");
                json.WriteNumber("channels", m.InputChannels);
                Strings(json, "names", m.InputNames);
                Ints(json, "patch", m.Patch.D, m.Patch.H, m.Patch.W);
                if (m.Spacing == null) json.WriteNull("spacing");
                else
                {
                    json.WriteStartArray("spacing");
                    foreach (double s in m.Spacing) json.WriteNumberValue(s);
                    json.WriteEndArray();
                }
                Strings(json, "normalization", m.Normalization);
                json.WriteEndObject();
                json.WriteNumber("classes", m.Classes);
                Strings(json, "labels", m.Labels);
                json.WriteStartObject("inference");
                json.WriteNumber("step", m.Step);
                Ints(json, "mirrorAxes", m.MirrorAxes.ToArray());
                json.WriteNumber("sigma", m.Sigma);
                json.WriteString("softmax", "applied outside the graph, in float32, to the float32 logits");
                json.WriteEndObject();

                json.WriteStartObject("verification");
                Ints(json, "patch", m.VerificationPatch.D, m.VerificationPatch.H, m.VerificationPatch.W);
                json.WriteNumber("seed", m.VerificationSeed);
                json.WriteString("relativeError", "max |output - reference| / max |reference|");
                json.WriteStartArray("checks");
                foreach (ExportCheck check in m.Checks)
                {
                    json.WriteStartObject();
                    json.WriteString("name", check.Name);
                    json.WriteString("against", check.Against);
                    json.WriteNumber("relativeError", check.RelativeError);
                    json.WriteNumber("tolerance", check.Tolerance);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
                WriteNullable(json, "triton", m.Triton);
                if (m.Plan == null) json.WriteNull("plan");
                else
                {
                    json.WriteStartObject("plan");
                    json.WriteString("file", m.Plan);
                    WriteNullable(json, "sha256", m.PlanSha256);
                    json.WriteEndObject();
                }
                json.WritePropertyName("report");
                ReportJson.Write(json, report);
                json.WriteEndObject();
            }
            stream.WriteByte((byte)'\n');
            return stream.ToArray();
        }

        /// <summary>Reads and validates a manifest.</summary>
        /// <exception cref="E2ENetOnnxException">E2E6202 (unreadable, not JSON, a field missing or wrong) or E2E6205 (newer version).</exception>
        public static BundleManifest Read(string path)
        {
            byte[] bytes;
            try
            {
                bytes = RegularFile.ReadAllBytes(path, MaxBytes);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new E2ENetOnnxException(OnnxErrors.ManifestInvalid, path, "cannot be read: " + e.Message, e);
            }
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(bytes);
            }
            catch (JsonException e)
            {
                throw new E2ENetOnnxException(OnnxErrors.ManifestInvalid, path, "is not valid JSON (" + e.Message + "); the bundle is damaged: export it again", e);
            }
            using (document)
            {
                var reader = new Fields(path, document.RootElement);
                string format = reader.String("format");
                if (format != BundleManifest.Format) throw reader.Bad("format", "is '" + format + "', not '" + BundleManifest.Format + "': this is not an e2enet bundle");
                int version = reader.Int("formatVersion");
                if (version > BundleManifest.CurrentVersion)
                {
                    throw new E2ENetOnnxException(OnnxErrors.BundleVersion, path, string.Format(CultureInfo.InvariantCulture,
                        "the bundle has format version {0}; this e2enet reads version {1}: use a newer e2enet, or export the bundle again with this one", version, BundleManifest.CurrentVersion));
                }
                if (version < 1) throw reader.Bad("formatVersion", "is " + version.ToString(CultureInfo.InvariantCulture) + "; versions start at 1");
                return new BundleManifest(
                    version,
                    reader.String("model"),
                    reader.OptionalString("description"),
                    reader.String("tool.version"),
                    reader.String("source.e2e"),
                    reader.String("source.sha256"),
                    reader.OptionalString("weights.file"),
                    reader.OptionalString("weights.sha256"),
                    reader.String("onnx.file"),
                    reader.String("onnx.sha256"),
                    reader.Long("onnx.bytes"),
                    reader.Int("onnx.opset"),
                    reader.Long("onnx.irVersion"),
                    reader.String("onnx.precision"),
                    reader.Bool("onnx.pruned"),
                    reader.String("onnx.lowering"),
                    reader.Signature("onnx.input"),
                    reader.Signature("onnx.output"),
                    reader.Int3("onnx.divisibleBy"),
                    reader.Int("input.channels"),
                    reader.Strings("input.names"),
                    reader.Int3("input.patch"),
                    reader.OptionalDoubles("input.spacing"),
                    reader.Strings("input.normalization"),
                    reader.Int("classes"),
                    reader.Strings("labels"),
                    reader.Double("inference.step"),
                    reader.Ints("inference.mirrorAxes"),
                    reader.Double("inference.sigma"),
                    reader.Int3("verification.patch"),
                    reader.Int("verification.seed"),
                    reader.Checks("verification.checks"),
                    reader.OptionalString("triton"),
                    reader.OptionalString("plan.file"),
                    reader.OptionalString("plan.sha256"));
            }
        }

        private static void Signature(Utf8JsonWriter json, string name, TensorSignature signature)
        {
            json.WriteStartObject(name);
            json.WriteString("name", signature.Name);
            Strings(json, "shape", signature.Shape);
            json.WriteString("type", signature.Type);
            json.WriteEndObject();
        }

        private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
        {
            if (value == null) json.WriteNull(name);
            else json.WriteString(name, value);
        }

        private static void Ints(Utf8JsonWriter json, string name, params int[] values)
        {
            json.WriteStartArray(name);
            foreach (int value in values) json.WriteNumberValue(value);
            json.WriteEndArray();
        }

        private static void Strings(Utf8JsonWriter json, string name, IEnumerable<string> values)
        {
            json.WriteStartArray(name);
            foreach (string value in values) json.WriteStringValue(value);
            json.WriteEndArray();
        }

        /// <summary>Typed access to dotted paths of the manifest, with errors that name the field.</summary>
        private sealed class Fields
        {
            private readonly string _path;
            private readonly JsonElement _root;

            public Fields(string path, JsonElement root)
            {
                _path = path;
                _root = root;
                if (root.ValueKind != JsonValueKind.Object) throw Bad("(root)", "is not a JSON object");
            }

            public E2ENetOnnxException Bad(string field, string problem)
                => new E2ENetOnnxException(OnnxErrors.ManifestInvalid, _path, "field '" + field + "' " + problem + "; the bundle is damaged or was edited: export it again");

            private JsonElement? Find(string field)
            {
                JsonElement current = _root;
                foreach (string part in field.Split('.'))
                {
                    if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out JsonElement next)) return null;
                    current = next;
                }
                return current;
            }

            private JsonElement Get(string field, JsonValueKind kind, string what)
            {
                JsonElement? found = Find(field);
                if (found == null) throw Bad(field, "is missing");
                if (found.Value.ValueKind != kind && !(kind == JsonValueKind.True && found.Value.ValueKind == JsonValueKind.False))
                {
                    throw Bad(field, "is " + found.Value.ValueKind.ToString().ToLowerInvariant() + ", not " + what);
                }
                return found.Value;
            }

            public string String(string field)
            {
                string value = Get(field, JsonValueKind.String, "a string").GetString()!;
                if (value.Length == 0) throw Bad(field, "is empty");
                return value;
            }

            public string? OptionalString(string field)
            {
                JsonElement? found = Find(field);
                if (found == null || found.Value.ValueKind == JsonValueKind.Null) return null;
                return String(field);
            }

            public bool Bool(string field) => Get(field, JsonValueKind.True, "true or false").GetBoolean();

            public long Long(string field)
            {
                JsonElement element = Get(field, JsonValueKind.Number, "a number");
                return element.TryGetInt64(out long value) ? value : throw Bad(field, "is not an integer");
            }

            public int Int(string field)
            {
                long value = Long(field);
                return value >= int.MinValue && value <= int.MaxValue ? (int)value : throw Bad(field, "is out of range");
            }

            public double Double(string field)
            {
                double value = Get(field, JsonValueKind.Number, "a number").GetDouble();
                return double.IsFinite(value) ? value : throw Bad(field, "is not finite");
            }

            public IReadOnlyList<string> Strings(string field)
                => Get(field, JsonValueKind.Array, "an array").EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Bad(field + "[" + i + "]", "is not a string")).ToList();

            public IReadOnlyList<int> Ints(string field)
                => Get(field, JsonValueKind.Array, "an array").EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v) ? v : throw Bad(field + "[" + i + "]", "is not an integer")).ToList();

            public IReadOnlyList<double>? OptionalDoubles(string field)
            {
                JsonElement? found = Find(field);
                if (found == null || found.Value.ValueKind == JsonValueKind.Null) return null;
                return Get(field, JsonValueKind.Array, "an array").EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : throw Bad(field + "[" + i + "]", "is not a number")).ToList();
            }

            public Int3 Int3(string field)
            {
                IReadOnlyList<int> values = Ints(field);
                if (values.Count != 3 || values.Any(v => v < 1)) throw Bad(field, "is not three positive integers [D, H, W]");
                return new Int3(values[0], values[1], values[2]);
            }

            public TensorSignature Signature(string field)
                => new TensorSignature(String(field + ".name"), Strings(field + ".shape"), String(field + ".type"));

            public IReadOnlyList<ExportCheck> Checks(string field)
            {
                var checks = new List<ExportCheck>();
                int index = 0;
                foreach (JsonElement element in Get(field, JsonValueKind.Array, "an array").EnumerateArray())
                {
                    var item = new Fields(_path + " (" + field + "[" + index.ToString(CultureInfo.InvariantCulture) + "])", element);
                    checks.Add(new ExportCheck(item.String("name"), item.String("against"), item.Double("relativeError"), item.Double("tolerance")));
                    index++;
                }
                return checks;
            }
        }
    }
}
