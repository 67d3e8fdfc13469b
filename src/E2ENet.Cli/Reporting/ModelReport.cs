using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using E2ENet.Compiler;
using E2ENet.Compiler.Diagnostics;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;

namespace E2ENet.Cli.Reporting
{
    /// <summary>Writes what <c>e2enet check</c> reports about models: tables for people, JSON for programs.</summary>
    public static class ModelReport
    {
        /// <summary>1,234,567 (invariant thousands separators).</summary>
        public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

        /// <summary>Bytes as GiB or MiB with one decimal.</summary>
        public static string Bytes(long bytes)
            => bytes >= 1L << 30
                ? (bytes / (double)(1L << 30)).ToString("0.0", CultureInfo.InvariantCulture) + " GiB"
                : (bytes / (double)(1L << 20)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

        /// <summary>The human report of one model: header, per-level table, totals, memory estimate and diagnostics.</summary>
        public static string Text(CompiledModel model)
        {
            var builder = new StringBuilder();
            builder.Append(model.Location).Append(": model ").Append(model.Name);
            if (model.Parent != null) builder.Append(" : ").Append(model.Parent);
            builder.Append('\n');
            NetworkIr? network = model.Network;
            if (network != null)
            {
                ModelSpec spec = network.Spec;
                if (spec.Description != null) builder.Append("  ").Append(spec.Description).Append('\n');
                builder.Append(string.Format(CultureInfo.InvariantCulture,
                    "  input {0} channel(s), patch {1}; {2} classes; widths {3}; pools {4}\n",
                    spec.Input.Channels, spec.Input.Patch.ToSizeString(), spec.Classes, "[" + string.Join(", ", spec.Widths) + "]",
                    "[" + string.Join(", ", spec.Pools.Select(p => p.ToString())) + "]"));
                string kernels = spec.Kernels.Distinct().Count() == 1 ? spec.Block.Kernel.ToString() : "[" + string.Join(", ", spec.Kernels.Select(k => k.ToString())) + "]";
                if (spec.Decoder.IsUNet)
                {
                    builder.Append(string.Format(CultureInfo.InvariantCulture,
                        "  decoder unet ({0} convolutions per stage, {1} heads); block kernel {2}, shift {3}; dense\n",
                        spec.Decoder.Blocks, network.Heads.Count, kernels, spec.Block.HasShift ? "[" + string.Join(", ", spec.Block.Shift) + "]" : "none"));
                }
                else
                {
                    builder.Append(string.Format(CultureInfo.InvariantCulture,
                        "  block kernel {0}, shift {1}; fusion sparsity {2} (unit {3}, init {4}); evolve {5}\n",
                        kernels, spec.Block.HasShift ? "[" + string.Join(", ", spec.Block.Shift) + "]" : "none",
                        FloatValue.Format(spec.Fusion.Sparsity),
                        spec.Fusion.Unit == SparsityUnit.Group ? "group, groups " + spec.Fusion.Groups.ToString(CultureInfo.InvariantCulture) : spec.Fusion.Unit.ToSymbol(),
                        spec.Fusion.Init.ToSymbol(),
                        !spec.Fusion.IsSparse ? "n/a (dense)" : spec.Evolve.Enabled
                            ? string.Format(CultureInfo.InvariantCulture, "every {0} {1}, prune {2} {3} -> {4} {5}, regrow {6}",
                                FloatValue.Format(spec.Evolve.Every), spec.Evolve.Unit.ToSymbol(), spec.Evolve.Criterion.ToSymbol(),
                                FloatValue.Format(spec.Evolve.PruneFrom), FloatValue.Format(spec.Evolve.PruneTo), spec.Evolve.Decay.ToSymbol(), spec.Evolve.Regrow.ToSymbol())
                            : "off"));
                }
                builder.Append('\n');
                var table = new TextTable("level", ">width", "size", ">parameters (dense)", ">parameters (active)", ">MACs (dense)", ">MACs (active)");
                foreach (LevelSummary level in network.Levels)
                {
                    table.Add(level.Level.ToString(CultureInfo.InvariantCulture), level.Width.ToString(CultureInfo.InvariantCulture), level.Size.ToSizeString(),
                        Number(level.Counts.DenseParameters), Number(level.Counts.ActiveParameters), Number(level.Counts.DenseMacs), Number(level.Counts.ActiveMacs));
                }
                table.Separator();
                Counts t = network.Totals;
                table.Add("total", "", "", Number(t.DenseParameters), Number(t.ActiveParameters), Number(t.DenseMacs), Number(t.ActiveMacs));
                builder.Append(table.ToString("  "));
                builder.Append(string.Format(CultureInfo.InvariantCulture, "  sparse layers: {0} ({1} units kept of {2})\n",
                    network.SparseParameters.Count(), Number(network.SparseParameters.Sum(p => p.Mask!.Kept)), Number(network.SparseParameters.Sum(p => p.Mask!.Units))));
                builder.Append(string.Format(CultureInfo.InvariantCulture, "  training step memory (estimate, fp32, batch {0}): {1}\n",
                    spec.Training.Batch, Bytes(network.TrainingMemoryBytes)));
            }
            foreach (Diagnostic diagnostic in model.Diagnostics)
            {
                builder.Append(diagnostic).Append('\n');
            }
            return builder.ToString();
        }

        /// <summary>Writes the JSON array of models (and, when any, an entry with model null for diagnostics outside models).</summary>
        public static void Json(Stream output, IReadOnlyList<CompiledModel> models, IReadOnlyList<Diagnostic> otherDiagnostics)
        {
            using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            writer.WriteStartArray();
            foreach (CompiledModel model in models) WriteModel(writer, model);
            if (otherDiagnostics.Count > 0)
            {
                writer.WriteStartObject();
                writer.WriteNull("model");
                WriteDiagnostics(writer, otherDiagnostics);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.Flush();
            output.WriteByte((byte)'\n');
        }

        private static void WriteModel(Utf8JsonWriter writer, CompiledModel model)
        {
            writer.WriteStartObject();
            writer.WriteString("model", model.Name);
            writer.WriteString("file", model.File.Path);
            writer.WriteNumber("line", model.Location.Line);
            writer.WriteNumber("column", model.Location.Column);
            if (model.Parent != null) writer.WriteString("parent", model.Parent);
            else writer.WriteNull("parent");
            writer.WriteBoolean("valid", model.Network != null);
            NetworkIr? network = model.Network;
            if (network == null)
            {
                writer.WriteNull("parameters");
                writer.WriteNull("macs");
                writer.WriteNull("patch");
            }
            else
            {
                ModelSpec spec = network.Spec;
                if (spec.Description != null) writer.WriteString("description", spec.Description);
                writer.WriteStartObject("parameters");
                writer.WriteNumber("dense", network.Totals.DenseParameters);
                writer.WriteNumber("active", network.Totals.ActiveParameters);
                writer.WriteEndObject();
                writer.WriteStartObject("macs");
                writer.WriteNumber("dense", network.Totals.DenseMacs);
                writer.WriteNumber("active", network.Totals.ActiveMacs);
                writer.WriteEndObject();
                WriteInt3(writer, "patch", spec.Input.Patch);
                writer.WriteNumber("inputChannels", spec.Input.Channels);
                writer.WriteNumber("classes", spec.Classes);
                writer.WriteStartArray("widths");
                foreach (int width in spec.Widths) writer.WriteNumberValue(width);
                writer.WriteEndArray();
                writer.WriteStartArray("pools");
                foreach (Int3 pool in spec.Pools) WriteInt3Value(writer, pool);
                writer.WriteEndArray();
                writer.WriteStartObject("fusion");
                writer.WriteNumber("sparsity", spec.Fusion.Sparsity);
                writer.WriteString("unit", spec.Fusion.Unit.ToSymbol());
                if (spec.Fusion.Unit == SparsityUnit.Group) writer.WriteNumber("groups", spec.Fusion.Groups);
                writer.WriteString("init", spec.Fusion.Init.ToSymbol());
                writer.WriteEndObject();
                writer.WriteStartObject("memory");
                writer.WriteNumber("trainingStepBytes", network.TrainingMemoryBytes);
                writer.WriteNumber("batch", spec.Training.Batch);
                writer.WriteEndObject();
                writer.WriteStartArray("levels");
                foreach (LevelSummary level in network.Levels)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("level", level.Level);
                    writer.WriteNumber("width", level.Width);
                    WriteInt3(writer, "size", level.Size);
                    WriteCounts(writer, level.Counts);
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                writer.WriteStartArray("sparseLayers");
                foreach (ParameterIr parameter in network.SparseParameters)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", parameter.Name);
                    writer.WriteNumber("units", parameter.Mask!.Units);
                    writer.WriteNumber("kept", parameter.Mask.Kept);
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
            }
            WriteDiagnostics(writer, model.Diagnostics);
            writer.WriteEndObject();
        }

        private static void WriteCounts(Utf8JsonWriter writer, Counts counts)
        {
            writer.WriteStartObject("parameters");
            writer.WriteNumber("dense", counts.DenseParameters);
            writer.WriteNumber("active", counts.ActiveParameters);
            writer.WriteEndObject();
            writer.WriteStartObject("macs");
            writer.WriteNumber("dense", counts.DenseMacs);
            writer.WriteNumber("active", counts.ActiveMacs);
            writer.WriteEndObject();
        }

        private static void WriteInt3(Utf8JsonWriter writer, string name, Int3 value)
        {
            writer.WritePropertyName(name);
            WriteInt3Value(writer, value);
        }

        private static void WriteInt3Value(Utf8JsonWriter writer, Int3 value)
        {
            writer.WriteStartArray();
            writer.WriteNumberValue(value.D);
            writer.WriteNumberValue(value.H);
            writer.WriteNumberValue(value.W);
            writer.WriteEndArray();
        }

        /// <summary>Writes <c>"diagnostics": [...]</c>.</summary>
        public static void WriteDiagnostics(Utf8JsonWriter writer, IEnumerable<Diagnostic> diagnostics)
        {
            writer.WriteStartArray("diagnostics");
            foreach (Diagnostic diagnostic in diagnostics)
            {
                writer.WriteStartObject();
                writer.WriteString("id", diagnostic.Id);
                writer.WriteString("severity", diagnostic.SeverityText);
                writer.WriteString("file", diagnostic.Location.File);
                writer.WriteNumber("line", diagnostic.Location.Line);
                writer.WriteNumber("column", diagnostic.Location.Column);
                writer.WriteNumber("endLine", diagnostic.Location.EndLine);
                writer.WriteNumber("endColumn", diagnostic.Location.EndColumn);
                writer.WriteString("message", diagnostic.Message);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
    }
}
