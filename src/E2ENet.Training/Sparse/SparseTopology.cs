using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Data;
using static TorchSharp.torch;

namespace E2ENet.Training.Sparse
{
    /// <summary>
    /// The sparse topology of a network under Dynamic Sparse Feature Fusion (docs/method.md, "DSFF: sparse masks and their evolution"): a mask per sparse tensor
    /// (every fusion conv and transposed conv), exact kept counts, evolution rounds (prune the weakest active units by L1
    /// norm, regrow as many elsewhere, at zero weight and zero momentum), and statistics of which sources the fusion keeps.
    /// </summary>
    public sealed class SparseTopology
    {
        private readonly List<SparseLayer> _layers;
        private readonly NetworkIr _network;

        private SparseTopology(NetworkIr network, List<SparseLayer> layers)
        {
            _network = network;
            _layers = layers;
        }

        /// <summary>The sparse layers, in state-dict order.</summary>
        public IReadOnlyList<SparseLayer> Layers => _layers;

        /// <summary>The layer named <paramref name="name"/>.</summary>
        public SparseLayer this[string name] => _layers.FirstOrDefault(l => l.Name == name) ?? throw new KeyNotFoundException("no sparse layer " + name);

        /// <summary>
        /// The topology of <paramref name="network"/>'s sparse parameters, bound to the tensors of a module
        /// (<paramref name="parameters"/>: state-dict name to tensor). Masks start all ones: call an Initialize method.
        /// </summary>
        public static SparseTopology Create(NetworkIr network, IReadOnlyDictionary<string, Tensor> parameters)
        {
            var layers = new List<SparseLayer>();
            foreach (ParameterIr parameter in network.SparseParameters)
            {
                if (!parameters.TryGetValue(parameter.Name, out Tensor? weight))
                {
                    throw new ArgumentException($"the network has no parameter '{parameter.Name}' that the IR marks sparse");
                }
                layers.Add(new SparseLayer(parameter, weight));
            }
            return new SparseTopology(network, layers);
        }

        /// <summary>
        /// The initial topology: per layer exactly <c>round(units x density_l)</c> units (the IR's kept count; uniform or ERK
        /// densities) chosen uniformly at random; the weights of the others are zeroed, kept ones keep their init.
        /// </summary>
        public void InitializeRandom(Rng random)
        {
            foreach (SparseLayer layer in _layers)
            {
                var mask = new float[layer.Units];
                foreach (int[] set in layer.KeptSets)
                {
                    foreach (int unit in random.Choose(set, layer.KeptPerSet)) mask[unit] = 1;
                }
                layer.SetMask(mask);
            }
            ApplyToWeights();
        }

        /// <summary>Masks taken from the weights themselves: a unit is active when any of its weights is non-zero.</summary>
        public void InitializeFromWeights()
        {
            foreach (SparseLayer layer in _layers)
            {
                float[] l1 = layer.UnitL1(layer.Weight);
                layer.SetMask(l1.Select(v => v != 0 ? 1f : 0f).ToArray());
                layer.Kept = layer.ActiveCount;
            }
        }

        /// <summary>
        /// Masks chosen by the weights already in the layers (a run started from other weights): per layer, exactly its kept
        /// count of units, those of largest L1 norm (ties by unit index); the others are zeroed. A sparse run's own weights give
        /// back its topology (its active units are its non-zero ones, up to units regrown at zero); denser weights lose their
        /// weakest units. Returns how many non-zero units were zeroed.
        /// </summary>
        public long InitializeFromMagnitudes()
        {
            long dropped = 0;
            foreach (SparseLayer layer in _layers)
            {
                float[] l1 = layer.UnitL1(layer.Weight);
                var mask = new float[layer.Units];
                foreach (int[] set in layer.KeptSets)
                {
                    foreach (int unit in set.OrderByDescending(u => l1[u]).ThenBy(u => u).Take(layer.KeptPerSet)) mask[unit] = 1;
                }
                dropped += Enumerable.Range(0, layer.Units).Count(u => mask[u] == 0 && l1[u] != 0);
                layer.SetMask(mask);
            }
            ApplyToWeights();
            return dropped;
        }

        /// <summary>Restores masks saved by <see cref="ExportMasks"/>; checks every layer is there with the right shape and count.</summary>
        public void ImportMasks(IReadOnlyDictionary<string, Tensor> masks)
        {
            var problems = new List<string>();
            foreach (SparseLayer layer in _layers)
            {
                if (!masks.TryGetValue(layer.Name, out Tensor? mask))
                {
                    problems.Add($"no mask for {layer.Name}");
                    continue;
                }
                if (!mask.shape.SequenceEqual(layer.UnitShape))
                {
                    problems.Add($"mask of {layer.Name} is [{string.Join(", ", mask.shape)}], expected [{string.Join(", ", layer.UnitShape)}]");
                    continue;
                }
                float[] values = mask.cpu().to(float32).contiguous().data<float>().ToArray();
                if (values.Any(v => v != 0 && v != 1))
                {
                    problems.Add($"mask of {layer.Name} has values other than 0 and 1");
                    continue;
                }
                layer.SetMask(values);
                layer.Kept = layer.ActiveCount;
            }
            foreach (string extra in masks.Keys.Where(k => _layers.All(l => l.Name != k)))
            {
                problems.Add($"mask for {extra}, which is not a sparse layer of this model");
            }
            if (problems.Count > 0) throw new InvalidOperationException("the saved masks do not fit this model: " + string.Join("; ", problems));
        }

        /// <summary>Every mask as a 0/1 float tensor of the layer's <see cref="SparseLayer.UnitShape"/>, by layer name.</summary>
        public Dictionary<string, Tensor> ExportMasks()
            => _layers.ToDictionary(l => l.Name, l => tensor(l.Mask, l.UnitShape, dtype: float32));

        /// <summary>Multiplies every sparse weight by its mask (call after each optimizer step).</summary>
        public void ApplyToWeights()
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            foreach (SparseLayer layer in _layers)
            {
                layer.Weight.mul_(layer.BroadcastMask(layer.Mask, layer.Weight.device));
            }
        }

        /// <summary>Multiplies per-parameter state (such as momentum buffers, shaped like the weights) by the masks.</summary>
        public void ApplyTo(Func<string, IEnumerable<Tensor>> stateOf)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            foreach (SparseLayer layer in _layers)
            {
                foreach (Tensor state in stateOf(layer.Name))
                {
                    state.mul_(layer.BroadcastMask(layer.Mask, state.device));
                }
            }
        }

        /// <summary>
        /// One evolution round: per layer, prune <c>ceil(rate x active)</c> active units with the smallest L1 norm, then regrow
        /// as many among all inactive units (the just-pruned included), at random or by gradient; regrown units start at zero
        /// weight and zero state (momentum). The active count of every layer is unchanged.
        /// </summary>
        /// <param name="iteration">The iteration, for the report.</param>
        /// <param name="rate">The prune rate.</param>
        /// <param name="rule">How units regrow.</param>
        /// <param name="random">Randomness for <see cref="RegrowRule.Random"/> (and ties).</param>
        /// <param name="gradientOf">Gradients by layer name, for <see cref="RegrowRule.Gradient"/>.</param>
        /// <param name="stateOf">Per-parameter optimizer state to mask and zero for regrown units (momentum; AdamW's moments).</param>
        public EvolutionReport Evolve(long iteration, double rate, RegrowRule rule, Rng random,
            Func<string, Tensor?>? gradientOf = null, Func<string, IEnumerable<Tensor>>? stateOf = null)
        {
            if (rate < 0 || rate > 1) throw new ArgumentOutOfRangeException(nameof(rate), rate, "a prune rate is in [0, 1]");
            var report = new List<LayerEvolution>();
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            foreach (SparseLayer layer in _layers)
            {
                float[] mask = layer.Mask;
                int active = mask.Count(m => m != 0);
                int[][] sets = layer.KeptSets;
                int[] counts = sets.Select(set =>
                {
                    int inSet = set.Count(u => mask[u] != 0);
                    return Math.Min(inSet, (int)Math.Ceiling(rate * inSet - 1e-9));
                }).ToArray();
                if (counts.Sum() == 0)
                {
                    report.Add(new LayerEvolution(layer.Name, active, 0, 0, 0));
                    continue;
                }

                // Prune, per set (the layer; or each output group, whose fan-in stays constant): the active units of smallest
                // L1 norm (ties broken by unit index, so rounds are deterministic).
                float[] l1 = layer.UnitL1(layer.Weight);
                float[]? g = null;
                if (rule == RegrowRule.Gradient)
                {
                    Tensor? gradient = gradientOf?.Invoke(layer.Name);
                    if (gradient is null) throw new InvalidOperationException($"gradient regrowth needs the gradient of {layer.Name}; run a backward pass before evolving");
                    g = layer.UnitL1(gradient);
                }
                var pruned = new List<int>();
                var regrown = new List<int>();
                for (int s = 0; s < sets.Length; s++)
                {
                    int count = counts[s];
                    if (count == 0) continue;
                    int[] prunedHere = sets[s].Where(u => mask[u] != 0).OrderBy(u => l1[u]).ThenBy(u => u).Take(count).ToArray();
                    foreach (int u in prunedHere) mask[u] = 0;
                    pruned.AddRange(prunedHere);

                    // Regrow as many among every inactive unit of the set, the just-pruned included.
                    int[] candidates = sets[s].Where(u => mask[u] == 0).ToArray();
                    regrown.AddRange(g != null
                        ? candidates.OrderByDescending(u => g[u]).ThenBy(u => u).Take(count)
                        : random.Choose(candidates, count));
                }
                var fresh = new float[layer.Units];
                foreach (int u in regrown)
                {
                    mask[u] = 1;
                    fresh[u] = 1;
                }
                var prunedSet = new HashSet<int>(pruned);
                int regrownJustPruned = regrown.Count(prunedSet.Contains);
                layer.SetMask(mask);

                // Weights and state: pruned units to zero (mask), regrown units to zero (1 - fresh).
                float[] keep = mask.Select((m, u) => m * (1 - fresh[u])).ToArray();
                layer.Weight.mul_(layer.BroadcastMask(keep, layer.Weight.device));
                foreach (Tensor state in stateOf?.Invoke(layer.Name) ?? Enumerable.Empty<Tensor>())
                {
                    state.mul_(layer.BroadcastMask(keep, state.device));
                }
                report.Add(new LayerEvolution(layer.Name, active, pruned.Count, regrown.Count, regrownJustPruned));
            }
            return new EvolutionReport(iteration, rate, report);
        }

        /// <summary>
        /// Active units of the fusion convolutions (the first block of every fusion node, which reads the concatenation) by
        /// source: same level, upsampled, downsampled. The paper's claim that the network learns which scales to fuse shows here.
        /// </summary>
        public IReadOnlyList<SourceShare> SourceShares()
        {
            var totals = new Dictionary<SourceKind, (long Active, long Units)>
            {
                [SourceKind.Same] = (0, 0),
                [SourceKind.Up] = (0, 0),
                [SourceKind.Down] = (0, 0),
            };
            foreach (FusionNodeIr node in _network.Fusion)
            {
                BlockIr fuse = node.Blocks[0];
                SparseLayer? layer = _layers.FirstOrDefault(l => l.Name == fuse.ConvWeight);
                if (layer == null) continue;
                float[] mask = layer.Mask;
                foreach (FusionInputIr input in node.Inputs)
                {
                    long active = 0, units = 0;
                    for (int c = input.Offset; c < input.Offset + input.Channels; c++)
                    {
                        if (layer.Unit == SparsityUnit.Channel)
                        {
                            units++;
                            if (mask[c] != 0) active++;
                        }
                        else
                        {
                            // One unit per (row, c) for kernels, per (output group, c) for groups.
                            int step = layer.Unit == SparsityUnit.Group ? layer.Ir.Group : 1;
                            for (int r = 0; r < layer.Rows; r += step)
                            {
                                units++;
                                if (mask[layer.Ir.UnitOf(r, c)] != 0) active++;
                            }
                        }
                    }
                    var (a, u) = totals[input.Kind];
                    totals[input.Kind] = (a + active, u + units);
                }
            }
            return totals.Select(t => new SourceShare(t.Key.ToString().ToLowerInvariant(), t.Value.Active, t.Value.Units)).ToList();
        }
    }
}
