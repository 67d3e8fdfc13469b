using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace E2ENet.Onnx.Bundle
{
    /// <summary>
    /// Writes an NVIDIA Triton Inference Server model repository for a bundle's model: <c>NAME/config.pbtxt</c> (the
    /// ONNX Runtime backend, batch as Triton's batch dimension, every spatial dimension variable) and <c>NAME/1/model.onnx</c>.
    /// Serve it with <c>tritonserver --model-repository BUNDLE/triton</c>.
    /// </summary>
    public static class TritonRepository
    {
        /// <summary>The repository folder inside a bundle.</summary>
        public const string Folder = "triton";

        /// <summary>The largest batch the configuration announces (3D patches are large; raise it in config.pbtxt if the GPU allows).</summary>
        public const int MaxBatchSize = 4;

        /// <summary>Writes the repository under <paramref name="bundle"/>; returns the model's folder relative to the bundle.</summary>
        public static string Write(string bundle, BundleManifest manifest, byte[] model)
        {
            string name = Name(manifest.Model);
            string folder = Path.Combine(bundle, Folder, name);
            Directory.CreateDirectory(Path.Combine(folder, "1"));
            File.WriteAllBytes(Path.Combine(folder, "1", BundleManifest.ModelFileName), model);
            File.WriteAllText(Path.Combine(folder, "config.pbtxt"), Config(manifest, name), new UTF8Encoding(false));
            return Folder + "/" + name;
        }

        /// <summary>The configuration text.</summary>
        public static string Config(BundleManifest manifest, string name)
        {
            var text = new StringBuilder();
            text.Append("# E2ENet ").Append(manifest.Model).Append(", exported by e2enet ").Append(manifest.ToolVersion).Append(" (").Append(manifest.Precision)
                .Append(manifest.Pruned ? ", pruned" : ", dense").Append(").\n");
            text.Append("# Input: (batch, ").Append(manifest.InputChannels.ToString(CultureInfo.InvariantCulture))
                .Append(", depth, height, width) float32, normalized as the manifest says; output: float32 logits (softmax is yours).\n");
            text.Append(string.Format(CultureInfo.InvariantCulture, "# Depth, height and width must be divisible by {0}, {1} and {2}.\n",
                manifest.DivisibleBy.D, manifest.DivisibleBy.H, manifest.DivisibleBy.W));
            text.Append("name: \"").Append(name).Append("\"\n");
            text.Append("platform: \"onnxruntime_onnx\"\n");
            text.Append("max_batch_size: ").Append(MaxBatchSize.ToString(CultureInfo.InvariantCulture)).Append('\n');
            Tensor(text, "input", manifest.Input.Name, manifest.InputChannels);
            Tensor(text, "output", manifest.Output.Name, manifest.Classes);
            return text.ToString();
        }

        /// <summary>A Triton model name from an E2ENet model name (letters, digits, '_', '-', '.').</summary>
        public static string Name(string model)
            => new string(model.Select(c => char.IsLetterOrDigit(c) || c == '_' || c == '-' || c == '.' ? c : '_').ToArray());

        private static void Tensor(StringBuilder text, string kind, string name, int channels)
        {
            text.Append(kind).Append(" [\n  {\n");
            text.Append("    name: \"").Append(name).Append("\"\n");
            text.Append("    data_type: TYPE_FP32\n");
            text.Append("    dims: [ ").Append(channels.ToString(CultureInfo.InvariantCulture)).Append(", -1, -1, -1 ]\n");
            text.Append("  }\n]\n");
        }
    }
}
