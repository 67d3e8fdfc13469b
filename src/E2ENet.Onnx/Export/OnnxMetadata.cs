using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Bundle;

namespace E2ENet.Onnx.Export
{
    /// <summary>
    /// The <c>metadata_props</c> of an exported model: what a user of <c>model.onnx</c> alone needs to run it correctly
    /// (keys <c>e2enet.*</c>; lists as JSON arrays): model name, its canonical <c>.e2e</c> source and that source's SHA-256,
    /// input channels and names, classes and labels, patch, spacing, normalization, the divisibility rule, sliding-window
    /// step, mirroring axes and Gaussian sigma, precision, whether it is pruned, and the exporting tool's version.
    /// </summary>
    public static class OnnxMetadata
    {
        /// <summary>The key prefix.</summary>
        public const string Prefix = "e2enet.";

        /// <summary>The entries, in a fixed order.</summary>
        public static IReadOnlyList<KeyValuePair<string, string>> For(ModelSpec spec, bool half, bool pruned)
        {
            Int3 divisible = DivisibleBy(spec);
            var entries = new List<KeyValuePair<string, string>>
            {
                Entry("model", spec.Name),
                Entry("description", spec.Description ?? string.Empty),
                Entry("source", spec.CanonicalSource),
                Entry("source_sha256", E2ENetBundle.Sha256(Encoding.UTF8.GetBytes(spec.CanonicalSource))),
                Entry("input_channels", spec.Input.Channels.ToString(CultureInfo.InvariantCulture)),
                Entry("input_names", JsonSerializer.Serialize(spec.Input.Names.ToArray())),
                Entry("classes", spec.Classes.ToString(CultureInfo.InvariantCulture)),
                Entry("labels", JsonSerializer.Serialize(Labels(spec))),
                Entry("patch", Ints(spec.Input.Patch)),
                Entry("spacing", spec.Input.Spacing.Count == 0 ? "null" : JsonSerializer.Serialize(spec.Input.Spacing.ToArray())),
                Entry("normalization", JsonSerializer.Serialize(spec.Input.Normalization.Select(n => n.ToSymbol()).ToArray())),
                Entry("divisible_by", Ints(divisible)),
                Entry("step", spec.Inference.Step.ToString("R", CultureInfo.InvariantCulture)),
                Entry("mirror_axes", JsonSerializer.Serialize(spec.Inference.MirrorAxes.ToArray())),
                Entry("sigma", spec.Inference.Sigma.ToString("R", CultureInfo.InvariantCulture)),
                Entry("precision", half ? "fp16" : "fp32"),
                Entry("pruned", pruned ? "true" : "false"),
                Entry("tool_version", ExportTool.Version),
            };
            return entries;
        }

        /// <summary>The product of the pools per axis: what every spatial size of an input must be divisible by.</summary>
        public static Int3 DivisibleBy(ModelSpec spec) => E2ENet.Compiler.Ir.InputContract.Of(spec).DivisibleBy;

        /// <summary>The label names; <c>class_k</c> where the model names none.</summary>
        public static string[] Labels(ModelSpec spec)
            => Enumerable.Range(0, spec.Classes).Select(k => k < spec.Labels.Count ? spec.Labels[k] : "class_" + k.ToString(CultureInfo.InvariantCulture)).ToArray();

        private static string Ints(Int3 value) => JsonSerializer.Serialize(new[] { value.D, value.H, value.W });

        private static KeyValuePair<string, string> Entry(string key, string value) => new KeyValuePair<string, string>(Prefix + key, value);
    }
}
