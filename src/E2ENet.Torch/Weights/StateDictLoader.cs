using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using E2ENet.Compiler.Ir;
using E2ENet.Torch.Diagnostics;
using E2ENet.Torch.Network;
using E2ENet.Torch.Serialization;
using static TorchSharp.torch;

namespace E2ENet.Torch.Weights
{
    /// <summary>
    /// Loads the authors' state dicts (<c>torch.save(model.state_dict(), path)</c>, or a trainer's checkpoint with a
    /// <c>state_dict</c> entry) into a network, strictly: every key of the model must be in the file with its shape and
    /// float32, and the file must have no other key; otherwise one <see cref="E2ENetTorchException"/> (E2E3201) lists every
    /// missing, unexpected and mis-shaped key with the fix. Nothing is copied unless everything matches. Sparse masks are
    /// derived from the loaded weights' zero units (never re-randomised) and returned.
    /// </summary>
    public static class StateDictLoader
    {
        private const int Listed = 12;

        /// <summary>Loads <paramref name="path"/> into a network, generated or built at run time, against its own IR.</summary>
        /// <exception cref="E2ENetTorchException">The file is unreadable or hostile (E2E31xx), or does not match (E2E3201, E2E3202).</exception>
        public static LoadedWeights Load(IE2ENetNetwork network, string path)
        {
            if (network is null) throw new ArgumentNullException(nameof(network));
            return Load(network.Module, network.Network, path);
        }

        /// <summary>
        /// Loads <paramref name="path"/> into any module whose parameters are named as <paramref name="ir"/>'s (a generated
        /// network, or one built at run time).
        /// </summary>
        /// <exception cref="E2ENetTorchException">The file is unreadable or hostile (E2E31xx), or does not match (E2E3201, E2E3202).</exception>
        public static LoadedWeights Load(nn.Module module, NetworkIr ir, string path)
        {
            Dictionary<string, TorchSharp.Modules.Parameter> parameters = module.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
            var expected = ir.Parameters.ToList();
            string[] notInModule = expected.Where(p => !parameters.ContainsKey(p.Name)).Select(p => p.Name).ToArray();
            if (notInModule.Length > 0 || parameters.Count != expected.Count)
            {
                throw new InvalidOperationException("the module's parameters are not the IR's (missing: " + string.Join(", ", notInModule.Take(5)) + "); build it from the same model");
            }

            using TensorFile file = TensorFile.Open(path);
            Check(file, ir, expected);

            // Read everything and derive the masks first: nothing is copied into the module unless all of it is accepted.
            var values = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            var masks = new List<SparseMask>();
            bool accepted = false;
            try
            {
                foreach (ParameterIr parameter in expected)
                {
                    values[parameter.Name] = file.Read(parameter.Name);
                    TensorFile.RequireFinite(values[parameter.Name], path, "weight '" + parameter.Name + "'",
                        "the weights are damaged, or were saved from a training whose loss diverged: take an earlier checkpoint (or weights_best.pt), or train again with a lower learning rate");
                }
                CheckAliases(file, ir, values, path);
                var notes = new List<string>();
                var tooDense = new List<string>();
                foreach (ParameterIr parameter in ir.SparseParameters)
                {
                    SparseMask mask = SparseMask.FromWeight(parameter, values[parameter.Name]);
                    masks.Add(mask);
                    if (mask.Active > mask.Ir.Kept)
                    {
                        tooDense.Add(string.Format(CultureInfo.InvariantCulture, "{0}: {1} active {2}s, the model keeps {3} of {4}",
                            parameter.Name, mask.Active, Unit(mask), mask.Ir.Kept, mask.Ir.Units));
                    }
                    else if (mask.Active < mask.Ir.Kept)
                    {
                        notes.Add(string.Format(CultureInfo.InvariantCulture, "{0} has {1} non-zero {2}s, fewer than the {3} its mask keeps (kernels regrown at zero stay zero until trained)",
                            parameter.Name, mask.Active, Unit(mask), mask.Ir.Kept));
                    }
                }
                if (tooDense.Count > 0)
                {
                    double density = ir.Spec.Fusion.Density;
                    throw new E2ENetTorchException(TorchErrors.TooDenseForMask, path, string.Format(CultureInfo.InvariantCulture,
                        "the weights are denser than model '{0}' (sparsity {1}) allows in {2} layer(s):{3}{4}{3}"
                        + "They were trained at a lower sparsity (or densely): give the matching model, or set the sparsity they were trained at, e.g. --set fusion.sparsity=0",
                        ir.Spec.Name, (1 - density).ToString("0.###", CultureInfo.InvariantCulture), tooDense.Count, Environment.NewLine,
                        string.Join(Environment.NewLine, tooDense.Take(Listed).Select(t => "  " + t)) + More(tooDense.Count)));
                }
                using (no_grad())
                {
                    foreach (ParameterIr parameter in expected) parameters[parameter.Name].copy_(values[parameter.Name]);
                }
                accepted = true;
                return new LoadedWeights(path, file.Container, masks, notes);
            }
            finally
            {
                foreach (Tensor value in values.Values) value.Dispose();
                if (!accepted) foreach (SparseMask mask in masks) mask.Dispose();
            }
        }

        /// <summary>
        /// The IR's aliases that the file holds (nnU-Net saves shared modules under two names) must hold exactly the values of
        /// the parameter they name: otherwise the file is not one network's state dict (E2E3201).
        /// </summary>
        private static void CheckAliases(TensorFile file, NetworkIr ir, Dictionary<string, Tensor> values, string path)
        {
            var differ = new List<string>();
            foreach (StateDictAlias alias in ir.Aliases)
            {
                if (file.Find(alias.Alias) == null) continue;
                using Tensor value = file.Read(alias.Alias);
                if (!value.shape.SequenceEqual(values[alias.Parameter].shape) || !value.allclose(values[alias.Parameter], rtol: 0, atol: 0)) differ.Add(alias.Alias + " (the same tensor as " + alias.Parameter + ")");
            }
            if (differ.Count > 0)
            {
                throw new E2ENetTorchException(TorchErrors.StateDictMismatch, path, string.Format(CultureInfo.InvariantCulture,
                    "{0} key(s) that name the same tensor as another key hold different values, so the file is not one network's state dict: {1}{2}; "
                    + "save it again from the network (torch.save(network.state_dict(), path))", differ.Count, string.Join(", ", differ.Take(Listed)), More(differ.Count)));
            }
        }

        /// <summary>Checks keys, shapes and dtypes; one error lists every problem.</summary>
        private static void Check(TensorFile file, NetworkIr ir, List<ParameterIr> expected)
        {
            var names = new HashSet<string>(expected.Select(p => p.Name).Concat(ir.Aliases.Select(a => a.Alias)), StringComparer.Ordinal);
            var missing = expected.Where(p => file.Find(p.Name) == null).Select(p => p.Name + " " + p.ShapeText).ToList();
            var unexpected = file.Tensors.Where(t => !names.Contains(t.Name)).Select(t => t.Name + " " + t.ShapeText).ToList();
            var misshaped = new List<string>();
            var dtypes = new List<string>();
            foreach (ParameterIr parameter in expected)
            {
                TensorInfo? found = file.Find(parameter.Name);
                if (found == null) continue;
                if (!found.Shape.SequenceEqual(parameter.Shape)) misshaped.Add(parameter.Name + ": file " + found.ShapeText + ", model " + parameter.ShapeText);
                else if (found.Dtype != TorchDtype.Float32) dtypes.Add(parameter.Name + ": " + found.Dtype.PythonName());
            }
            if (missing.Count + unexpected.Count + misshaped.Count == 0 && dtypes.Count == 0) return;

            var message = new StringBuilder();
            message.Append(string.Format(CultureInfo.InvariantCulture, "the state dict{0} does not match model '{1}' ({2} parameters): ",
                file.Container != null ? " (the checkpoint's '" + file.Container + "' entry)" : string.Empty, ir.Spec.Name, expected.Count));
            message.Append(string.Join(", ", new[]
            {
                Count(missing.Count, "missing"), Count(unexpected.Count, "unexpected"), Count(misshaped.Count, "mis-shaped"), Count(dtypes.Count, "not float32"),
            }.Where(s => s.Length > 0)));
            Section(message, "missing from the file", missing);
            Section(message, "in the file but not in the model", unexpected);
            Section(message, "with another shape", misshaped);
            Section(message, "not float32", dtypes);
            message.AppendLine();
            message.Append(Fix(file, ir, names, missing.Count, unexpected.Count, misshaped.Count, dtypes.Count));
            throw new E2ENetTorchException(TorchErrors.StateDictMismatch, file.Path, message.ToString());
        }

        private static string Fix(TensorFile file, NetworkIr ir, HashSet<string> names, int missing, int unexpected, int misshaped, int dtypes)
        {
            if (unexpected > 0 && file.Tensors.All(t => t.Name.StartsWith("module.", StringComparison.Ordinal))
                && file.Tensors.Any(t => names.Contains(t.Name.Substring("module.".Length))))
            {
                return "Fix: the keys carry the 'module.' prefix of nn.DataParallel; save model.module.state_dict() instead.";
            }
            if (missing + unexpected + misshaped == 0 && dtypes > 0)
            {
                return "Fix: convert the weights to float32 (model.float(), then torch.save(model.state_dict(), path)).";
            }
            if (missing == 0 && unexpected == 0)
            {
                return string.Format(CultureInfo.InvariantCulture,
                    "Fix: the weights are for another configuration of the network: give the model they were trained with (its widths {0}, {1} input channel(s), "
                    + "{2} classes, kernel {3}), or adjust it with --set (e2enet check shows each layer's shape).",
                    "[" + string.Join(", ", ir.Widths) + "]", ir.Spec.Input.Channels, ir.Spec.Classes, ir.Spec.Block.Kernel);
            }
            return "Fix: give the weights of this model (torch.save(model.state_dict(), path) of the authors' E2ENet), or the model they belong to; "
                + "encoder.blocks and block.bias/norm.affine change which keys exist.";
        }

        private static void Section(StringBuilder message, string title, List<string> items)
        {
            if (items.Count == 0) return;
            message.AppendLine();
            message.Append("  ").Append(title).Append(':');
            foreach (string item in items.Take(Listed)) message.AppendLine().Append("    ").Append(RestrictedUnpickler.Printable(item));
            if (items.Count > Listed) message.AppendLine().Append("    ").Append(More(items.Count).Trim());
        }

        private static string Count(int count, string what) => count == 0 ? string.Empty : count.ToString(CultureInfo.InvariantCulture) + " " + what;

        private static string More(int count) => count > Listed ? Environment.NewLine + "  ... and " + (count - Listed).ToString(CultureInfo.InvariantCulture) + " more" : string.Empty;

        private static string Unit(SparseMask mask) => Compiler.Semantics.SpecChoices.ToSymbol(mask.Ir.Unit);
    }
}
