using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using E2ENet.Compiler.Ir;
using E2ENet.Torch;
using E2ENet.Torch.Serialization;
using E2ENet.Training.Sparse;
using static TorchSharp.torch;

namespace E2ENet.Training.Runs
{
    /// <summary>
    /// <c>train --init-weights W</c> (fine-tuning): a new run starts from the weights of a state dict (torch.save or
    /// safetensors, a run's <c>weights.pt</c> or a checkpoint's) instead of random ones. Strict about shapes: every parameter
    /// of the model must be in the file with its shape, as float32, finite, and the file may hold nothing else; otherwise one
    /// error (E2E5010) lists every missing, unexpected and mis-shaped key and nothing is loaded. With
    /// <c>--init-weights-skip-heads</c> the segmentation heads (the keys under the IR's head names, <c>seg_outputs.*</c> for
    /// E2ENet) are neither read nor required, in any shape: the heads of a model with another label set start afresh. The
    /// sparse masks are then chosen from the loaded weights (<see cref="SparseTopology.InitializeFromMagnitudes"/>).
    /// </summary>
    public static class InitialWeights
    {
        private const int Listed = 12;

        /// <summary>
        /// The key prefixes of the segmentation heads, from the IR's heads: each head's name without its trailing index
        /// (<c>seg_outputs.0</c> gives <c>seg_outputs.</c>), so that a file with more or fewer heads is covered too.
        /// </summary>
        public static IReadOnlyList<string> HeadPrefixes(NetworkIr ir)
            => ir.Heads.Select(h => Regex.Replace(h.Name, @"\.\d+$", string.Empty) + ".").Distinct(StringComparer.Ordinal).ToList();

        /// <summary>Loads <paramref name="path"/> into <paramref name="network"/> and chooses the masks; returns a line for the log.</summary>
        /// <exception cref="TrainingException">E2E5010 when the file does not fit the model.</exception>
        /// <exception cref="E2ENet.Torch.Diagnostics.E2ENetTorchException">The file is unreadable or hostile (E2E31xx), or holds NaN or infinity (E2E3113).</exception>
        public static string Apply(IE2ENetNetwork network, NetworkIr ir, SparseTopology topology, string path, bool skipHeads)
        {
            if (network is null) throw new ArgumentNullException(nameof(network));
            IReadOnlyList<string> heads = HeadPrefixes(ir);
            bool Skipped(string key) => skipHeads && heads.Any(p => key.StartsWith(p, StringComparison.Ordinal));
            var parameters = network.Module.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
            using TensorFile file = TensorFile.Open(path);
            Check(file, ir, parameters, Skipped, heads, skipHeads);

            var values = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            try
            {
                foreach (string name in parameters.Keys.Where(n => !Skipped(n)))
                {
                    values[name] = file.Read(name);
                    TensorFile.RequireFinite(values[name], path, "weight '" + name + "'", "take other weights (an earlier checkpoint, or weights_best.pt of that run)");
                }
                using (no_grad())
                {
                    foreach (var pair in values) parameters[pair.Key].copy_(pair.Value);
                }
            }
            finally
            {
                foreach (Tensor value in values.Values) value.Dispose();
            }
            long dropped = topology.InitializeFromMagnitudes();
            var line = new StringBuilder();
            line.Append(string.Format(CultureInfo.InvariantCulture, "initial weights from {0}: {1} of {2} tensors loaded", path, values.Count, parameters.Count));
            if (skipHeads) line.Append(" (the heads, ").Append(string.Join(", ", heads.Select(h => h + "*"))).Append(", start from their random initialisation)");
            if (topology.Layers.Count > 0)
            {
                line.Append("; masks: each sparse layer keeps its strongest units by L1 norm");
                if (dropped > 0) line.Append(string.Format(CultureInfo.InvariantCulture, " ({0} non-zero units of the file zeroed: it is denser than the model's sparsity)", dropped));
            }
            return line.ToString();
        }

        private static void Check(TensorFile file, NetworkIr ir, Dictionary<string, TorchSharp.Modules.Parameter> parameters, Func<string, bool> skipped,
            IReadOnlyList<string> heads, bool skipHeads)
        {
            var missing = new List<string>();
            var misshaped = new List<string>();
            var dtypes = new List<string>();
            foreach (var pair in parameters.Where(p => !skipped(p.Key)))
            {
                TensorInfo? found = file.Find(pair.Key);
                long[] shape = pair.Value.shape;
                if (found == null) missing.Add(pair.Key + " " + TensorInfo.FormatShape(shape));
                else if (!found.Shape.SequenceEqual(shape)) misshaped.Add(pair.Key + ": file " + found.ShapeText + ", model " + TensorInfo.FormatShape(shape));
                else if (found.Dtype != TorchDtype.Float32) dtypes.Add(pair.Key + ": " + found.Dtype.PythonName());
            }
            var unexpected = file.Tensors.Where(t => !parameters.ContainsKey(t.Name) && !skipped(t.Name)).Select(t => t.PrintableName + " " + t.ShapeText).ToList();
            if (missing.Count + misshaped.Count + dtypes.Count + unexpected.Count == 0) return;

            var message = new StringBuilder();
            message.Append(string.Format(CultureInfo.InvariantCulture, "the initial weights do not fit model '{0}' ({1} parameters{2}): ",
                ir.Spec.Name, parameters.Count, skipHeads ? ", heads skipped" : string.Empty));
            message.Append(string.Join(", ", new[] { (missing.Count, "missing"), (unexpected.Count, "unexpected"), (misshaped.Count, "mis-shaped"), (dtypes.Count, "not float32") }
                .Where(c => c.Item1 > 0).Select(c => c.Item1.ToString(CultureInfo.InvariantCulture) + " " + c.Item2)));
            Section(message, "missing from the file", missing);
            Section(message, "in the file but not in the model", unexpected);
            Section(message, "with another shape", misshaped);
            Section(message, "not float32", dtypes);
            message.AppendLine();
            bool onlyHeads = missing.Concat(unexpected).Concat(misshaped).Concat(dtypes).All(item => heads.Any(h => item.StartsWith(h, StringComparison.Ordinal)));
            message.Append(onlyHeads && !skipHeads
                ? "Fix: only the segmentation heads (" + string.Join(", ", heads.Select(h => h + "*")) + ") differ: the weights were trained for other classes; add --init-weights-skip-heads to start the heads afresh"
                : "Fix: give weights of this model's architecture (e2enet check shows every layer's shape; the run that wrote them has its model.e2e), or train the model they belong to");
            throw new TrainingException(TrainingErrors.InitWeightsMismatch, file.Path, message.ToString());
        }

        private static void Section(StringBuilder message, string title, List<string> items)
        {
            if (items.Count == 0) return;
            message.AppendLine().Append("  ").Append(title).Append(':');
            foreach (string item in items.Take(Listed)) message.AppendLine().Append("    ").Append(item);
            if (items.Count > Listed) message.AppendLine().Append("    ... and ").Append((items.Count - Listed).ToString(CultureInfo.InvariantCulture)).Append(" more");
        }
    }
}
