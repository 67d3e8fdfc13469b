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
            if (spec.Decoder.IsUNet) return BuildUNet(spec);
            int[] widths = spec.Widths.ToArray();
            Int3[] pools = spec.Pools.ToArray();
            var sizes = new Int3[6];
            sizes[0] = spec.Input.Patch;
            for (int level = 1; level < 6; level++) sizes[level] = sizes[level - 1] / pools[level - 1];
            BlockSpec blockSpec = spec.Block;
            EquatableArray<int> shift = blockSpec.Shift;

            BlockIr Block(string name, int level, int cin, int cout, Int3 stride, Int3 inputSize)
                => new BlockIr(name, level, cin, cout, spec.KernelOf(level), stride, spec.PaddingOf(level), shift, null, inputSize, sizes[level]);

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

            ModuleIr modules = E2ENetModules(encoder, fusion, heads, spec);
            IReadOnlyList<StepIr> schedule = E2ENetSchedule(encoder, fusion, heads, spec);
            long memory = TrainingMemory(spec, modules, schedule, heads, totals);
            return new NetworkIr(spec, new EquatableArray<int>(widths), new EquatableArray<Int3>(sizes), new EquatableArray<EncoderLevelIr>(encoder.ToArray()),
                new EquatableArray<FusionNodeIr>(fusion.ToArray()), new EquatableArray<HeadIr>(heads.ToArray()), new EquatableArray<ParameterIr>(parameters.ToArray()),
                new EquatableArray<LayerCost>(costs.ToArray()), new EquatableArray<LevelSummary>(levels), totals, memory,
                modules, new EquatableArray<StepIr>(schedule.ToArray()));
        }

        private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

        private static EquatableArray<T> Array<T>(IEnumerable<T> items) => new EquatableArray<T>(items.ToArray());

        private static ModuleIr Stack(string name, IEnumerable<BlockIr> blocks, string description)
            => new ModuleIr(name, ModuleKind.Stack, Array(blocks.Select((b, i) => new ModuleIr(Text(i), ModuleKind.Block, Array(new ModuleIr[0]), b.Name, Block: b))), description);

        /// <summary>
        /// E2ENet's module tree, named and ordered as the authors' state dict: <c>loc0</c>..<c>loc4</c> (fusion nodes:
        /// sequences of one or two stacks), <c>conv_blocks_context</c> (encoder levels: a stack, the bottleneck two),
        /// <c>up0</c>..<c>up4</c>, <c>seg_outputs</c>.
        /// </summary>
        private static ModuleIr E2ENetModules(List<EncoderLevelIr> encoder, List<FusionNodeIr> fusion, List<HeadIr> heads, ModelSpec spec)
        {
            var root = new List<ModuleIr>();
            var stages = fusion.GroupBy(n => 5 - (n.Id.Level + n.Id.Stage)).OrderBy(g => g.Key).ToList();
            foreach (var group in stages)
            {
                // loc{z}: the nodes with L + j = 5 - z, coarse to fine; each a Sequential of stacks "0" (and "1" for the last node of a level).
                var nodes = group.Select((node, i) => new ModuleIr(Text(i), ModuleKind.Sequence,
                    Array(node.Blocks.Select((b, s) => Stack(Text(s), new[] { b }, b.Name))), node.Id + ": fuse(" + string.Join(", ", node.Inputs.Select(x => x.Kind.ToString().ToLowerInvariant() + " " + x.From)) + ")"));
                NodeId first = group.First().Id;
                root.Add(new ModuleIr("loc" + Text(group.Key), ModuleKind.List, Array(nodes),
                    "the fusion blocks of nodes " + string.Join(", ", group.Select(n => n.Id)) + " (L + j = " + Text(first.Level + first.Stage) + ", computable once x" + Text(first.Level + first.Stage) + "0 exists)"));
            }
            var levels = encoder.Select(level =>
            {
                if (level.Level < 5) return Stack(Text(level.Level), level.Blocks, "encoder level " + Text(level.Level));
                // The bottleneck is two stacks in the authors' code: "0" holds the strided block (and any extra), "1" the last.
                int count = level.Blocks.Count;
                var parts = new List<ModuleIr> { Stack("0", level.Blocks.Take(count == 1 ? 1 : count - 1), "bottleneck, strided") };
                if (count > 1) parts.Add(Stack("1", level.Blocks.Skip(count - 1), "bottleneck, last block"));
                return new ModuleIr(Text(level.Level), ModuleKind.Sequence, Array(parts), "encoder level " + Text(level.Level) + " (the bottleneck)");
            });
            root.Add(new ModuleIr("conv_blocks_context", ModuleKind.List, Array(levels), "the encoder, one entry per level"));
            foreach (var group in stages)
            {
                var ups = group.Select((node, i) => new ModuleIr(Text(i), ModuleKind.Up, Array(new ModuleIr[0]), node.Up.Name + " (" + node.Id + ")", Up: node.Up));
                root.Add(new ModuleIr("up" + Text(group.Key), ModuleKind.List, Array(ups),
                    "the transposed convolutions that upsample the coarser input of nodes " + string.Join(", ", group.Select(n => n.Id))));
            }
            root.Add(new ModuleIr("seg_outputs", ModuleKind.List, Array(heads.Select(h => new ModuleIr(Text(h.Index), ModuleKind.Head, Array(new ModuleIr[0]), h.Name + " on " + h.On, Head: h))),
                "the 1x1x1 heads on " + string.Join(", ", heads.Select(h => h.On))));
            return new ModuleIr(spec.Name, ModuleKind.Container, Array(root), "E2ENet " + spec.Name);
        }

        /// <summary>
        /// E2ENet's schedule (method.md, "Fusion graph"): each encoder level, then the fusion nodes it makes computable (L + j
        /// = that level, coarse to fine); a fusion node is its transposed convolution, its max-pool (levels above 0), the
        /// concatenation (same, up, down) and its blocks. Values the heads read are never released.
        /// </summary>
        private static IReadOnlyList<StepIr> E2ENetSchedule(List<EncoderLevelIr> encoder, List<FusionNodeIr> fusion, List<HeadIr> heads, ModelSpec spec)
        {
            var none = Array(new string[0]);
            var steps = new List<StepIr>();
            var stageOf = fusion.GroupBy(n => 5 - (n.Id.Level + n.Id.Stage)).ToDictionary(g => g.Key, g => g.Select(n => n.Id).ToList());
            foreach (EncoderLevelIr level in encoder)
            {
                var id = new NodeId(level.Level, 0);
                string source = level.Level == 0 ? "input" : new NodeId(level.Level - 1, 0).ToString();
                BlockIr first = level.Blocks[0];
                steps.Add(new StepIr(StepKind.Run, id.ToString(), level.Width, level.Size, Array(new[] { source }), ModulePath.Of("conv_blocks_context", Text(level.Level)), null, none, id,
                    "encoder level " + Text(level.Level) + (level.Level == 0 ? string.Empty : ", strided by " + first.Stride)));
                foreach (FusionNodeIr node in fusion.Where(n => n.Id.Level + n.Id.Stage == level.Level))
                {
                    string x = node.Id.ToString();
                    int z = 5 - level.Level;
                    string index = Text(stageOf[z].IndexOf(node.Id));
                    var parts = new List<string>();
                    foreach (FusionInputIr input in node.Inputs)
                    {
                        switch (input.Kind)
                        {
                            case SourceKind.Same:
                                parts.Add(input.From.ToString());
                                break;
                            case SourceKind.Up:
                                steps.Add(new StepIr(StepKind.Up, x + "Up", input.Channels, node.Size, Array(new[] { input.From.ToString() }), ModulePath.Of("up" + Text(z), index), null, none, node.Id,
                                    node.Up.Name + ": upsample " + input.From));
                                parts.Add(x + "Up");
                                break;
                            default:
                                steps.Add(new StepIr(StepKind.Pool, x + "Down", input.Channels, node.Size, Array(new[] { input.From.ToString() }), null, node.DownPool, none, node.Id,
                                    "max-pool " + input.From));
                                parts.Add(x + "Down");
                                break;
                        }
                    }
                    steps.Add(new StepIr(StepKind.Concat, x + "Cat", node.ConcatChannels, node.Size, Array(parts), null, null, none, node.Id,
                        string.Join(" + ", node.Inputs.Select(i => Text(i.Channels))) + " = " + Text(node.ConcatChannels) + " channels"));
                    steps.Add(new StepIr(StepKind.Run, x, node.Width, node.Size, Array(new[] { x + "Cat" }), ModulePath.Of("loc" + Text(z), index), null, none, node.Id,
                        node.Name + (node.Blocks.Count > 1 ? ", two blocks (the last node of level " + Text(node.Id.Level) + ")" : string.Empty)));
                }
            }
            return ScheduleReleases.Assign(steps, new HashSet<string>(heads.Select(h => h.Input)));
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
            // (name, weight shape, rows, columns, input channels, transposed)
            var layers = new List<(string Name, long[] Shape, int Rows, int Columns, int InChannels, bool Transposed)>();
            foreach (FusionNodeIr node in fusion)
            {
                UpIr up = node.Up;
                layers.Add((up.Weight, new long[] { up.InChannels, up.OutChannels, up.Kernel.D, up.Kernel.H, up.Kernel.W }, up.InChannels, up.OutChannels, up.InChannels, true));
                foreach (BlockIr block in node.Blocks)
                {
                    layers.Add((block.ConvWeight, new long[] { block.OutChannels, block.InChannels, block.Kernel.D, block.Kernel.H, block.Kernel.W }, block.OutChannels, block.InChannels, block.InChannels, false));
                }
            }
            double density = spec.Fusion.Density;
            double[] densities = spec.Fusion.Init == FusionInit.Erk
                ? ErdosRenyiKernel(layers.Select(l => l.Shape).ToList(), density)
                : layers.Select(_ => density).ToArray();
            var masks = new Dictionary<string, MaskIr>();
            for (int i = 0; i < layers.Count; i++)
            {
                var layer = layers[i];
                var mask = new MaskIr(spec.Fusion.Unit, 0, 0, layer.Rows, layer.Columns, spec.Fusion.Unit == SparsityUnit.Group ? (layer.Transposed ? layer.Columns : layer.Rows) / spec.Fusion.Groups : 1, layer.Transposed);
                long units = mask.UnitShape.Aggregate(1L, (a, b) => a * b);
                long kept;
                if (spec.Fusion.Unit == SparsityUnit.Group)
                {
                    // Constant fan-in: every output group keeps round(inputs x density_l) inputs.
                    long fanIn = Math.Min(mask.InChannels, (long)Math.Round(mask.InChannels * densities[i], MidpointRounding.ToEven));
                    kept = fanIn * (mask.OutChannels / mask.Group);
                }
                else
                {
                    kept = Math.Min(units, (long)Math.Round(units * densities[i], MidpointRounding.ToEven));
                }
                masks[layer.Name] = mask with { Units = units, Kept = kept };
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
        /// An estimate of a training step's memory in fp32, from the schedule: the activations autograd keeps for backward,
        /// times the batch (per block: the shifted copy of its input, the conv output and the norm output that the in-place
        /// activation overwrites; per transposed convolution its output; per max-pool its output three times (values,
        /// indices); per concatenation its output; the heads' logits and softmax), plus weights, gradients, momentum and masks.
        /// Workspace of the convolution library is not included.
        /// </summary>
        private static long TrainingMemory(ModelSpec spec, ModuleIr modules, IReadOnlyList<StepIr> schedule, List<HeadIr> heads, Counts totals)
        {
            long elements = spec.Input.Channels * spec.Input.Patch.Volume;
            bool shift = spec.Block.HasShift;
            foreach (StepIr step in schedule)
            {
                switch (step.Kind)
                {
                    case StepKind.Run:
                        foreach (BlockIr block in modules.Find(step.Module!).Blocks)
                        {
                            if (shift) elements += block.InChannels * block.InputSize.Volume;
                            elements += 2L * block.OutChannels * block.OutputSize.Volume;
                        }
                        break;
                    case StepKind.Pool:
                        elements += 3L * step.Channels * step.Size.Volume;
                        break;
                    default:
                        elements += (long)step.Channels * step.Size.Volume;
                        break;
                }
            }
            foreach (HeadIr head in heads) elements += 3L * head.Classes * head.Size.Volume;
            return checked(4L * spec.Training.Batch * elements + 4L * 4L * totals.DenseParameters);
        }

        /// <summary>
        /// nnU-Net's plain U-Net (dynamic_network_architectures' <c>PlainConvUNet</c>, as nnU-Net v2 builds it from a plan):
        /// encoder stages of <c>encoder.blocks</c> convolutions (the first strided by the pool, none at level 0), named
        /// <c>encoder.stages.{s}.0.convs.{i}.{conv,norm}</c>; decoder level j (coarse to fine) = a transposed convolution
        /// (kernel = stride = the pool, with the conv bias) <c>decoder.transpconvs.{j}</c>, the concatenation (upsampled,
        /// skip), <c>decoder.blocks</c> convolutions <c>decoder.stages.{j}.convs.{i}</c>, and a 1x1x1 head with bias
        /// <c>decoder.seg_layers.{j}</c>. Heads are listed full resolution first, as nnU-Net's deep supervision returns them.
        /// </summary>
        private static NetworkIr BuildUNet(ModelSpec spec)
        {
            int levels = spec.Levels;
            int[] widths = spec.Widths.ToArray();
            Int3[] pools = spec.Pools.ToArray();
            var sizes = new Int3[levels];
            sizes[0] = spec.Input.Patch;
            for (int level = 1; level < levels; level++) sizes[level] = sizes[level - 1] / pools[level - 1];
            EquatableArray<int> shift = spec.Block.Shift;
            BlockIr Block(string name, int level, int cin, int cout, Int3 stride, Int3 inputSize)
                => new BlockIr(name, level, cin, cout, spec.KernelOf(level), stride, spec.PaddingOf(level), shift, null, inputSize, sizes[level], "norm");

            var encoder = new List<EncoderLevelIr>();
            for (int s = 0; s < levels; s++)
            {
                var blocks = new List<BlockIr>();
                for (int i = 0; i < spec.EncoderBlocks[s]; i++)
                {
                    string name = "encoder.stages." + Text(s) + ".0.convs." + Text(i);
                    blocks.Add(i == 0
                        ? Block(name, s, s == 0 ? spec.Input.Channels : widths[s - 1], widths[s], s == 0 ? Int3.All(1) : pools[s - 1], s == 0 ? sizes[0] : sizes[s - 1])
                        : Block(name, s, widths[s], widths[s], Int3.All(1), sizes[s]));
                }
                encoder.Add(new EncoderLevelIr(s, widths[s], sizes[s], Array(blocks)));
            }

            double[] weights = spec.Heads.NormalizedWeights;
            var ups = new List<UpIr>();
            var stages = new List<List<BlockIr>>();
            var headsByStage = new List<HeadIr>();
            for (int j = 0; j < levels - 1; j++)
            {
                int level = levels - 2 - j;
                ups.Add(new UpIr("decoder.transpconvs." + Text(j), level, widths[level + 1], widths[level], pools[level], null, sizes[level + 1], sizes[level], spec.Block.Bias));
                var blocks = new List<BlockIr>();
                for (int i = 0; i < spec.Decoder.Blocks; i++)
                {
                    string name = "decoder.stages." + Text(j) + ".convs." + Text(i);
                    blocks.Add(Block(name, level, i == 0 ? 2 * widths[level] : widths[level], widths[level], Int3.All(1), sizes[level]));
                }
                stages.Add(blocks);
                headsByStage.Add(new HeadIr("decoder.seg_layers." + Text(j), level, new NodeId(level, 1), widths[level], spec.Classes, sizes[level], weights[level], Bias: true));
            }
            List<HeadIr> heads = headsByStage.OrderBy(h => h.Index).ToList();

            // Parameters in nnU-Net's order (its aliases all_modules.* and decoder.encoder.* are left out: see StateDictLoader).
            var parameters = new List<ParameterIr>();
            foreach (BlockIr block in encoder.SelectMany(e => e.Blocks)) AddBlockParameters(parameters, block, spec.Block);
            foreach (BlockIr block in stages.SelectMany(b => b)) AddBlockParameters(parameters, block, spec.Block);
            foreach (UpIr up in ups)
            {
                parameters.Add(new ParameterIr(up.Weight, Shape(up.InChannels, up.OutChannels, up.Kernel.D, up.Kernel.H, up.Kernel.W), ParameterRole.UpWeight, null));
                if (up.Bias) parameters.Add(new ParameterIr(up.BiasName, Shape(up.OutChannels), ParameterRole.UpBias, null));
            }
            foreach (HeadIr head in headsByStage)
            {
                parameters.Add(new ParameterIr(head.WeightName, Shape(head.Classes, head.InChannels, 1, 1, 1), ParameterRole.HeadWeight, null));
                parameters.Add(new ParameterIr(head.BiasName, Shape(head.Classes), ParameterRole.HeadBias, null));
            }

            var costs = new List<LayerCost>();
            foreach (BlockIr block in encoder.SelectMany(e => e.Blocks).Concat(stages.SelectMany(b => b))) costs.Add(new LayerCost(block.Name, block.Level, BlockCounts(block, spec.Block)));
            foreach (UpIr up in ups)
            {
                long weight = (long)up.InChannels * up.OutChannels * up.Kernel.Volume;
                long total = weight + (up.Bias ? up.OutChannels : 0);
                costs.Add(new LayerCost(up.Name, up.Level, new Counts(total, total, weight * up.InputSize.Volume, weight * up.InputSize.Volume)));
            }
            foreach (HeadIr head in heads)
            {
                long weight = (long)head.Classes * head.InChannels;
                costs.Add(new LayerCost(head.Name, head.Index, new Counts(weight + head.Classes, weight + head.Classes, weight * head.Size.Volume, weight * head.Size.Volume)));
            }
            Counts totals = costs.Aggregate(Counts.Zero, (a, c) => a + c.Counts);
            var levelSummaries = Enumerable.Range(0, levels)
                .Select(level => new LevelSummary(level, widths[level], sizes[level], costs.Where(c => c.Level == level).Aggregate(Counts.Zero, (a, c) => a + c.Counts)))
                .ToArray();

            // Module tree: encoder.stages[s] = Sequential("0": the convs), decoder.{stages, transpconvs, seg_layers}.
            var none = Array(new ModuleIr[0]);
            var encoderStages = encoder.Select(e => new ModuleIr(Text(e.Level), ModuleKind.Sequence,
                Array(new[] { Stack("0", e.Blocks, "encoder stage " + Text(e.Level)) with { Field = "convs" } }), "encoder stage " + Text(e.Level)));
            var decoderStages = stages.Select((b, j) => Stack(Text(j), b, "decoder stage " + Text(j) + " (level " + Text(levels - 2 - j) + ")") with { Field = "convs" });
            var root = new List<ModuleIr>
            {
                new ModuleIr("encoder", ModuleKind.Container, Array(new[]
                {
                    new ModuleIr("stages", ModuleKind.List, Array(encoderStages), "the encoder stages, the first conv of each strided by the pool"),
                }), "the encoder"),
                new ModuleIr("decoder", ModuleKind.Container, Array(new[]
                {
                    new ModuleIr("stages", ModuleKind.List, Array(decoderStages), "the decoder stages, coarse to fine: conv blocks on cat(upsampled, skip)"),
                    new ModuleIr("transpconvs", ModuleKind.List, Array(ups.Select((u, j) => new ModuleIr(Text(j), ModuleKind.Up, none, u.Name + " to level " + Text(u.Level), Up: u))),
                        "the transposed convolutions (kernel = stride = the pool), coarse to fine"),
                    new ModuleIr("seg_layers", ModuleKind.List, Array(headsByStage.Select((h, j) => new ModuleIr(Text(j), ModuleKind.Head, none, h.Name + " on level " + Text(h.Index), Head: h))),
                        "the 1x1x1 heads with bias, coarse to fine"),
                }), "the decoder"),
            };
            var modules = new ModuleIr(spec.Name, ModuleKind.Container, Array(root), "nnU-Net plain U-Net " + spec.Name);

            // Schedule: every encoder stage, then each decoder level: up, cat(up, skip), its convs.
            var noRelease = Array(new string[0]);
            var steps = new List<StepIr>();
            foreach (EncoderLevelIr e in encoder)
            {
                var id = new NodeId(e.Level, 0);
                steps.Add(new StepIr(StepKind.Run, id.ToString(), e.Width, e.Size, Array(new[] { e.Level == 0 ? "input" : new NodeId(e.Level - 1, 0).ToString() }),
                    ModulePath.Of("encoder", "stages", Text(e.Level)), null, noRelease, id, "encoder stage " + Text(e.Level) + (e.Level == 0 ? string.Empty : ", strided by " + e.Blocks[0].Stride)));
            }
            string below = new NodeId(levels - 1, 0).ToString();
            for (int j = 0; j < levels - 1; j++)
            {
                int level = levels - 2 - j;
                var id = new NodeId(level, 1);
                string x = id.ToString();
                steps.Add(new StepIr(StepKind.Up, x + "Up", widths[level], sizes[level], Array(new[] { below }), ModulePath.Of("decoder", "transpconvs", Text(j)), null, noRelease, id,
                    ups[j].Name + ": upsample " + below));
                steps.Add(new StepIr(StepKind.Concat, x + "Cat", 2 * widths[level], sizes[level], Array(new[] { x + "Up", new NodeId(level, 0).ToString() }), null, null, noRelease, id,
                    Text(widths[level]) + " + " + Text(widths[level]) + " channels (upsampled, skip)"));
                steps.Add(new StepIr(StepKind.Run, x, widths[level], sizes[level], Array(new[] { x + "Cat" }), ModulePath.Of("decoder", "stages", Text(j)), null, noRelease, id,
                    "decoder stage " + Text(j) + " (level " + Text(level) + ")"));
                below = x;
            }
            IReadOnlyList<StepIr> schedule = ScheduleReleases.Assign(steps, new HashSet<string>(heads.Select(h => h.Input)));
            long memory = TrainingMemory(spec, modules, schedule, heads, totals);
            // nnU-Net's state dicts name each conv block's conv and norm twice (all_modules is a Sequential of the same modules)
            // and the encoder twice (the decoder keeps a reference to it): the same tensors under other keys.
            var aliases = new List<StateDictAlias>();
            void BlockAliases(BlockIr block, string prefix)
            {
                aliases.Add(new StateDictAlias(prefix + block.Name + ".all_modules.0.weight", block.ConvWeight));
                if (spec.Block.Bias) aliases.Add(new StateDictAlias(prefix + block.Name + ".all_modules.0.bias", block.ConvBias));
                if (spec.Block.Norm.Affine)
                {
                    aliases.Add(new StateDictAlias(prefix + block.Name + ".all_modules.1.weight", block.NormWeight));
                    aliases.Add(new StateDictAlias(prefix + block.Name + ".all_modules.1.bias", block.NormBias));
                }
            }
            foreach (BlockIr block in encoder.SelectMany(e => e.Blocks)) BlockAliases(block, string.Empty);
            foreach (BlockIr block in stages.SelectMany(b => b)) BlockAliases(block, string.Empty);
            foreach (ParameterIr parameter in parameters.Where(p => p.Name.StartsWith("encoder.", StringComparison.Ordinal)).ToList())
            {
                aliases.Add(new StateDictAlias("decoder." + parameter.Name, parameter.Name));
            }
            foreach (BlockIr block in encoder.SelectMany(e => e.Blocks)) BlockAliases(block, "decoder.");
            return new NetworkIr(spec, Array(widths), Array(sizes), Array(encoder), Array(new FusionNodeIr[0]), Array(heads), Array(parameters),
                Array(costs), Array(levelSummaries), totals, memory, modules, Array(schedule)) { Aliases = Array(aliases) };
        }
    }
}
