using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using E2ENet.Compiler.Diagnostics;
using E2ENet.Compiler.Semantics;
using E2ENet.Compiler.Text;

namespace E2ENet.Compiler.Ir
{
    /// <summary>Builds the network graph of a checked <see cref="ModelSpec"/> (docs/method.md, "Encoder" to "Parameter names").</summary>
    public static class IrBuilder
    {
        /// <summary>Builds the IR of a valid spec (no diagnostics expected but overflow and fully-pruned layers).</summary>
        public static NetworkIr Build(ModelSpec spec)
        {
            var diagnostics = new List<Diagnostic>();
            NetworkIr? network = Build(spec, diagnostics, _ => SourceLocation.None(spec.SourcePath));
            return network ?? throw new InvalidOperationException(string.Join(Environment.NewLine, diagnostics));
        }

        /// <summary>
        /// Builds the IR; reports counts that overflow (error) and layers the sparsity empties (warning) at the place
        /// <paramref name="where"/> gives for a key path.
        /// </summary>
        public static NetworkIr? Build(ModelSpec spec, List<Diagnostic> diagnostics, Func<string, SourceLocation> where)
        {
            try
            {
                return BuildChecked(spec, diagnostics, where);
            }
            catch (OverflowException)
            {
                diagnostics.Add(DiagnosticDescriptors.TooLargeToCount.Create(where("widths.base"), "parameters or multiply-accumulates"));
                return null;
            }
        }

        private static NetworkIr BuildChecked(ModelSpec spec, List<Diagnostic> diagnostics, Func<string, SourceLocation> where)
        {
            int[] widths = spec.Widths.ToArray();
            Int3[] pools = spec.Pools.ToArray();
            var sizes = new Int3[6];
            sizes[0] = spec.Input.Patch;
            for (int level = 1; level < 6; level++) sizes[level] = sizes[level - 1] / pools[level - 1];
            BlockSpec blockSpec = spec.Block;
            EquatableArray<int> shift = blockSpec.Shift;

            BlockIr Block(string name, int level, int cin, int cout, Int3 stride, Int3 inputSize)
                => new BlockIr(name, level, cin, cout, blockSpec.Kernel, stride, blockSpec.Padding, shift, null, inputSize, sizes[level]);

            // Encoder (conv_blocks_context)
            var encoder = new List<EncoderLevelIr>();
            for (int level = 0; level < 6; level++)
            {
                int count = spec.EncoderBlocks[level];
                int cin = level == 0 ? spec.Input.Channels : widths[level - 1];
                Int3 stride = level == 0 ? Int3.All(1) : pools[level - 1];
                Int3 inputSize = level == 0 ? sizes[0] : sizes[level - 1];
                var blocks = new List<BlockIr>();
                string prefix = "conv_blocks_context." + level.ToString(CultureInfo.InvariantCulture);
                for (int i = 0; i < count; i++)
                {
                    string name;
                    if (level < 5) name = prefix + ".blocks." + i.ToString(CultureInfo.InvariantCulture);
                    // The bottleneck is two stacks in the authors' code: 5.0 holds the strided block (and any extra), 5.1 the last.
                    else name = i < count - 1 || count == 1 ? prefix + ".0.blocks." + i.ToString(CultureInfo.InvariantCulture) : prefix + ".1.blocks.0";
                    blocks.Add(i == 0 ? Block(name, level, cin, widths[level], stride, inputSize) : Block(name, level, widths[level], widths[level], Int3.All(1), sizes[level]));
                }
                encoder.Add(new EncoderLevelIr(level, widths[level], sizes[level], new EquatableArray<BlockIr>(blocks.ToArray())));
            }

            // Fusion nodes, in evaluation order: after encoder level s, nodes with L + j = s from coarse to fine (loc{5-s}.{i}).
            var fusion = new List<FusionNodeIr>();
            for (int s = 1; s <= 5; s++)
            {
                for (int level = s - 1; level >= 0; level--)
                {
                    int stage = s - level;
                    int z = 5 - s;
                    int index = s - 1 - level;
                    string name = string.Format(CultureInfo.InvariantCulture, "loc{0}.{1}", z, index);
                    string upName = string.Format(CultureInfo.InvariantCulture, "up{0}.{1}", z, index);
                    var up = new UpIr(upName, level, widths[level + 1], widths[level], pools[level], null, sizes[level + 1], sizes[level]);
                    var inputs = new List<FusionInputIr>
                    {
                        new FusionInputIr(SourceKind.Same, new NodeId(level, stage - 1), widths[level], 0),
                        new FusionInputIr(SourceKind.Up, new NodeId(level + 1, stage - 1), widths[level], widths[level]),
                    };
                    Int3? downPool = null;
                    if (level >= 1)
                    {
                        inputs.Add(new FusionInputIr(SourceKind.Down, new NodeId(level - 1, stage - 1), widths[level - 1], 2 * widths[level]));
                        downPool = pools[level - 1];
                    }
                    int concat = inputs.Sum(i => i.Channels);
                    var blocks = new List<BlockIr> { Block(name + ".0.blocks.0", level, concat, widths[level], Int3.All(1), sizes[level]) };
                    if (s == 5) blocks.Add(Block(name + ".1.blocks.0", level, widths[level], widths[level], Int3.All(1), sizes[level]));
                    fusion.Add(new FusionNodeIr(new NodeId(level, stage), name, widths[level], sizes[level], up, downPool,
                        new EquatableArray<FusionInputIr>(inputs.ToArray()), new EquatableArray<BlockIr>(blocks.ToArray())));
                }
            }

            // Masks of the sparse layers (every fusion conv and transposed conv).
            if (spec.Fusion.IsSparse)
            {
                Dictionary<string, MaskIr> masks = Masks(spec, fusion);
                fusion = fusion.Select(node => node with
                {
                    Up = node.Up with { Mask = masks[node.Up.Weight] },
                    Blocks = new EquatableArray<BlockIr>(node.Blocks.Select(b => b with { Mask = masks[b.ConvWeight] }).ToArray()),
                }).ToList();
                var empty = masks.Where(m => m.Value.Kept == 0).Select(m => m.Key).ToList();
                if (empty.Count > 0)
                {
                    MaskIr first = masks[empty[0]];
                    string layers = empty[0] + (empty.Count > 1 ? string.Format(CultureInfo.InvariantCulture, "' (and {0} more layers)", empty.Count - 1).TrimStart('\'') : string.Empty);
                    diagnostics.Add(DiagnosticDescriptors.LayerFullyPruned.Create(where("fusion.sparsity"), FloatValue.Format(spec.Fusion.Sparsity), layers, first.Units));
                }
            }

            // Heads on x05, x14, x23, x32.
            double[] weights = spec.Heads.NormalizedWeights;
            var heads = new List<HeadIr>();
            for (int k = 0; k < 4; k++)
            {
                heads.Add(new HeadIr("seg_outputs." + k.ToString(CultureInfo.InvariantCulture), k, new NodeId(k, 5 - k), widths[k], spec.Classes, sizes[k], weights[k]));
            }

            // Parameters, in the authors' state-dict order: loc*, conv_blocks_context, up*, seg_outputs.
            var parameters = new List<ParameterIr>();
            foreach (FusionNodeIr node in fusion.OrderBy(n => n.Name, StringComparer.Ordinal))
            {
                foreach (BlockIr block in node.Blocks) AddBlockParameters(parameters, block, blockSpec);
            }
            foreach (BlockIr block in encoder.SelectMany(e => e.Blocks)) AddBlockParameters(parameters, block, blockSpec);
            foreach (FusionNodeIr node in fusion.OrderBy(n => n.Up.Name, StringComparer.Ordinal))
            {
                UpIr up = node.Up;
                parameters.Add(new ParameterIr(up.Weight, Shape(up.InChannels, up.OutChannels, up.Kernel.D, up.Kernel.H, up.Kernel.W), ParameterRole.UpWeight, up.Mask));
            }
            foreach (HeadIr head in heads)
            {
                parameters.Add(new ParameterIr(head.WeightName, Shape(head.Classes, head.InChannels, 1, 1, 1), ParameterRole.HeadWeight, null));
            }

            // Costs
            var costs = new List<LayerCost>();
            foreach (BlockIr block in encoder.SelectMany(e => e.Blocks).Concat(fusion.SelectMany(f => f.Blocks)))
            {
                costs.Add(new LayerCost(block.Name, block.Level, BlockCounts(block, blockSpec)));
            }
            foreach (FusionNodeIr node in fusion)
            {
                UpIr up = node.Up;
                long weight = (long)up.InChannels * up.OutChannels * up.Kernel.Volume;
                long active = up.Mask == null ? weight : weight / up.Mask.Units * up.Mask.Kept;
                costs.Add(new LayerCost(up.Name, up.Level, new Counts(weight, active, weight * up.InputSize.Volume, active * up.InputSize.Volume)));
            }
            foreach (HeadIr head in heads)
            {
                long weight = (long)head.Classes * head.InChannels;
                costs.Add(new LayerCost(head.Name, head.Index, new Counts(weight, weight, weight * head.Size.Volume, weight * head.Size.Volume)));
            }
            Counts totals = costs.Aggregate(Counts.Zero, (a, c) => a + c.Counts);
            var levels = Enumerable.Range(0, 6)
                .Select(level => new LevelSummary(level, widths[level], sizes[level], costs.Where(c => c.Level == level).Aggregate(Counts.Zero, (a, c) => a + c.Counts)))
                .ToArray();

            long memory = TrainingMemory(spec, encoder, fusion, heads, totals);
            return new NetworkIr(spec, new EquatableArray<int>(widths), new EquatableArray<Int3>(sizes), new EquatableArray<EncoderLevelIr>(encoder.ToArray()),
                new EquatableArray<FusionNodeIr>(fusion.ToArray()), new EquatableArray<HeadIr>(heads.ToArray()), new EquatableArray<ParameterIr>(parameters.ToArray()),
                new EquatableArray<LayerCost>(costs.ToArray()), new EquatableArray<LevelSummary>(levels), totals, memory);
        }

        private static EquatableArray<long> Shape(params long[] dims) => new EquatableArray<long>(dims);

        private static void AddBlockParameters(List<ParameterIr> parameters, BlockIr block, BlockSpec spec)
        {
            parameters.Add(new ParameterIr(block.ConvWeight, Shape(block.OutChannels, block.InChannels, block.Kernel.D, block.Kernel.H, block.Kernel.W), ParameterRole.ConvWeight, block.Mask));
            if (spec.Bias) parameters.Add(new ParameterIr(block.ConvBias, Shape(block.OutChannels), ParameterRole.ConvBias, null));
            if (spec.Norm.Affine)
            {
                parameters.Add(new ParameterIr(block.NormWeight, Shape(block.OutChannels), ParameterRole.NormWeight, null));
                parameters.Add(new ParameterIr(block.NormBias, Shape(block.OutChannels), ParameterRole.NormBias, null));
            }
        }

        private static Counts BlockCounts(BlockIr block, BlockSpec spec)
        {
            long weight = (long)block.OutChannels * block.InChannels * block.Kernel.Volume;
            long active = block.Mask == null ? weight : weight / block.Mask.Units * block.Mask.Kept;
            long extra = (spec.Bias ? block.OutChannels : 0) + (spec.Norm.Affine ? 2L * block.OutChannels : 0);
            long voxels = block.OutputSize.Volume;
            return new Counts(weight + extra, active + extra, weight * voxels, active * voxels);
        }

        /// <summary>Per sparse weight, its mask: units at the configured unit and kept = round(units x density_l) (half to even, as Python's round).</summary>
        private static Dictionary<string, MaskIr> Masks(ModelSpec spec, List<FusionNodeIr> fusion)
        {
            // (name, weight shape, rows, columns, input channels)
            var layers = new List<(string Name, long[] Shape, int Rows, int Columns, int InChannels)>();
            foreach (FusionNodeIr node in fusion)
            {
                UpIr up = node.Up;
                layers.Add((up.Weight, new long[] { up.InChannels, up.OutChannels, up.Kernel.D, up.Kernel.H, up.Kernel.W }, up.InChannels, up.OutChannels, up.InChannels));
                foreach (BlockIr block in node.Blocks)
                {
                    layers.Add((block.ConvWeight, new long[] { block.OutChannels, block.InChannels, block.Kernel.D, block.Kernel.H, block.Kernel.W }, block.OutChannels, block.InChannels, block.InChannels));
                }
            }
            double density = spec.Fusion.Density;
            double[] densities = spec.Fusion.Init == "erk"
                ? ErdosRenyiKernel(layers.Select(l => l.Shape).ToList(), density)
                : layers.Select(_ => density).ToArray();
            var masks = new Dictionary<string, MaskIr>();
            for (int i = 0; i < layers.Count; i++)
            {
                var layer = layers[i];
                long units = spec.Fusion.Unit == SparsityUnit.Kernel ? (long)layer.Rows * layer.Columns : layer.InChannels;
                long kept = (long)Math.Round(units * densities[i], MidpointRounding.ToEven);
                masks[layer.Name] = new MaskIr(spec.Fusion.Unit, units, Math.Min(units, kept), layer.Rows, layer.Columns);
            }
            return masks;
        }

        /// <summary>
        /// Erdos-Renyi-Kernel densities: density_l proportional to sum(shape_l) / prod(shape_l), scaled so that the total kept
        /// parameters match the global density; layers that would exceed 1 are made dense and the rest rescaled.
        /// </summary>
        public static double[] ErdosRenyiKernel(IReadOnlyList<long[]> shapes, double density)
        {
            int n = shapes.Count;
            double[] raw = shapes.Select(s => (double)s.Sum() / s.Aggregate(1.0, (a, b) => a * b)).ToArray();
            double[] sizes = shapes.Select(s => s.Aggregate(1.0, (a, b) => a * b)).ToArray();
            var dense = new bool[n];
            double total = sizes.Sum();
            double epsilon = 0;
            for (int round = 0; round <= n; round++)
            {
                double denseParams = 0, divisor = 0;
                for (int i = 0; i < n; i++)
                {
                    if (dense[i]) denseParams += sizes[i];
                    else divisor += raw[i] * sizes[i];
                }
                if (divisor <= 0) break;
                epsilon = (density * total - denseParams) / divisor;
                bool changed = false;
                for (int i = 0; i < n; i++)
                {
                    if (!dense[i] && epsilon * raw[i] > 1)
                    {
                        dense[i] = true;
                        changed = true;
                    }
                }
                if (!changed) break;
            }
            return Enumerable.Range(0, n).Select(i => dense[i] ? 1.0 : Math.Max(0, Math.Min(1, epsilon * raw[i]))).ToArray();
        }

        /// <summary>
        /// An estimate of a training step's memory in fp32: the activations autograd keeps for backward, times the batch
        /// (per block: the shifted copy of its input, the conv output and the norm output that the in-place activation
        /// overwrites; per fusion node: the upsampled and pooled sources and the concatenation; the heads' logits and
        /// softmax), plus weights, gradients, momentum and masks. Workspace of the convolution library is not included.
        /// </summary>
        private static long TrainingMemory(ModelSpec spec, List<EncoderLevelIr> encoder, List<FusionNodeIr> fusion, List<HeadIr> heads, Counts totals)
        {
            long elements = spec.Input.Channels * spec.Input.Patch.Volume;
            bool shift = spec.Block.HasShift;
            foreach (BlockIr block in encoder.SelectMany(e => e.Blocks).Concat(fusion.SelectMany(f => f.Blocks)))
            {
                if (shift) elements += block.InChannels * block.InputSize.Volume;
                elements += 2L * block.OutChannels * block.OutputSize.Volume;
            }
            foreach (FusionNodeIr node in fusion)
            {
                elements += (long)node.Up.OutChannels * node.Size.Volume;
                if (node.DownPool != null) elements += 3L * node.Inputs[2].Channels * node.Size.Volume;
                elements += (long)node.ConcatChannels * node.Size.Volume;
            }
            foreach (HeadIr head in heads) elements += 3L * head.Classes * head.Size.Volume;
            return checked(4L * spec.Training.Batch * elements + 4L * 4L * totals.DenseParameters);
        }
    }
}
