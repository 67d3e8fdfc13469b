using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Torch.Diagnostics;
using E2ENet.Torch.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace E2ENet.Torch.Network
{
    /// <summary>
    /// An E2ENet built at run time from the IR of any .e2e model (docs/method.md): the efficient encoder, the 15-node
    /// fusion graph and the four heads, with parameters named exactly as the authors' state dict (and in its order):
    /// <c>loc{z}.{i}.{0,1}.blocks.0.{conv,instnorm}.{weight,bias}</c>, <c>conv_blocks_context.{0..4}.blocks.{i}...</c>,
    /// <c>conv_blocks_context.5.{0,1}.blocks...</c>, <c>up{z}.{i}.weight</c>, <c>seg_outputs.{k}.weight</c>.
    /// <code>
    ///   x[L][0]  = encoder level L                                       (B, C[L], size[L])
    ///   x[L][j]  = fuse(concat(x[L][j-1], up(x[L+1][j-1]), maxpool(x[L-1][j-1])))   same, up, down (down only for L >= 1)
    ///   forward  = seg_outputs.0(x05)                                    (B, classes, D, H, W)
    ///   deep supervision = seg_outputs.0..3 on x05, x14, x23, x32        full resolution first
    /// </code>
    /// Weights start as nnU-Net initialises them (He normal with a = 0.01, zero biases); load the authors' weights with
    /// <see cref="Weights.StateDictLoader"/>. Intermediate tensors are disposed as soon as their last consumer has run.
    /// </summary>
    public sealed class E2ENetNetwork : nn.Module<Tensor, Tensor>, IE2ENetNetwork
    {
        private readonly NetworkIr _ir;
        private readonly nn.Module<Tensor, Tensor>[] _encoder;
        private readonly FusionStep[] _steps;
        private readonly PointwiseConvolution[] _heads;
        private readonly Dictionary<string, ConvBlock> _blocks = new Dictionary<string, ConvBlock>(StringComparer.Ordinal);
        private readonly Dictionary<string, UpConvolution> _ups = new Dictionary<string, UpConvolution>(StringComparer.Ordinal);

        private E2ENetNetwork(NetworkIr ir)
            : base(ir.Spec.Name)
        {
            _ir = ir;
            ModelSpec spec = ir.Spec;

            // Fusion nodes: loc{z} lists hold node {i} as a sequence of one or two stacks ("0", "1").
            var loc = new Dictionary<int, List<(int Index, nn.Module<Tensor, Tensor> Module, FusionNodeIr Node)>>();
            var up = new Dictionary<int, List<(int Index, UpConvolution Module)>>();
            var stepModules = new Dictionary<NodeId, (nn.Module<Tensor, Tensor> Fuse, UpConvolution Up)>();
            foreach (FusionNodeIr node in ir.Fusion)
            {
                (int z, int index) = ParseIndexed(node.Name, "loc");
                var stacks = new List<(string, nn.Module<Tensor, Tensor>)>();
                foreach (BlockIr block in node.Blocks)
                {
                    // loc{z}.{i}.{s}.blocks.0
                    string stack = block.Name.Substring(node.Name.Length + 1, block.Name.IndexOf(".blocks.", StringComparison.Ordinal) - node.Name.Length - 1);
                    stacks.Add((stack, new StackedConvBlocks(CreateBlock(block, spec))));
                }
                nn.Module<Tensor, Tensor> fuse = nn.Sequential(stacks.ToArray());
                var transposed = new UpConvolution(node.Up.InChannels, node.Up.OutChannels, ToTuple(node.Up.Kernel));
                _ups[node.Up.Name] = transposed;
                (int upZ, int upIndex) = ParseIndexed(node.Up.Name, "up");
                Add(loc, z, (index, fuse, node));
                Add(up, upZ, (upIndex, transposed));
                stepModules[node.Id] = (fuse, transposed);
            }
            foreach (int z in loc.Keys.OrderBy(k => k))
            {
                register_module("loc" + z.ToString(CultureInfo.InvariantCulture), nn.ModuleList(loc[z].OrderBy(e => e.Index).Select(e => e.Module).ToArray()));
            }

            // Encoder: conv_blocks_context.{L} is a stack, or (the bottleneck) a sequence of stacks "0", "1".
            _encoder = new nn.Module<Tensor, Tensor>[ir.Encoder.Count];
            foreach (EncoderLevelIr level in ir.Encoder)
            {
                string prefix = "conv_blocks_context." + level.Level.ToString(CultureInfo.InvariantCulture);
                var groups = new List<(string Suffix, List<ConvBlock> Blocks)>();
                foreach (BlockIr block in level.Blocks)
                {
                    string stack = block.Name.Substring(prefix.Length, block.Name.IndexOf(".blocks.", StringComparison.Ordinal) - prefix.Length).TrimStart('.');
                    if (groups.Count == 0 || groups[groups.Count - 1].Suffix != stack) groups.Add((stack, new List<ConvBlock>()));
                    groups[groups.Count - 1].Blocks.Add(CreateBlock(block, spec));
                }
                _encoder[level.Level] = groups.Count == 1 && groups[0].Suffix.Length == 0
                    ? new StackedConvBlocks(groups[0].Blocks.ToArray())
                    : nn.Sequential(groups.Select(g => (g.Suffix, (nn.Module<Tensor, Tensor>)new StackedConvBlocks(g.Blocks.ToArray()))).ToArray());
            }
            register_module("conv_blocks_context", nn.ModuleList(_encoder));

            foreach (int z in up.Keys.OrderBy(k => k))
            {
                register_module("up" + z.ToString(CultureInfo.InvariantCulture), nn.ModuleList(up[z].OrderBy(e => e.Index).Select(e => e.Module).ToArray()));
            }

            _heads = ir.Heads.Select(head => new PointwiseConvolution(head.InChannels, head.Classes)).ToArray();
            register_module("seg_outputs", nn.ModuleList(_heads));

            _steps = ir.Fusion.Select(node =>
            {
                (nn.Module<Tensor, Tensor> fuse, UpConvolution transposed) = stepModules[node.Id];
                FusionInputIr? down = node.Inputs.FirstOrDefault(i => i.Kind == SourceKind.Down);
                return new FusionStep(node.Id, new NodeId(node.Id.Level, node.Id.Stage - 1), new NodeId(node.Id.Level + 1, node.Id.Stage - 1),
                    down?.From, node.DownPool, transposed, fuse);
            }).ToArray();
            FiniteChecks.Register(this);
        }

        /// <summary>The model's name in its .e2e file.</summary>
        public string ModelName => _ir.Spec.Name;

        /// <summary>The IR the network was built from (shapes, parameter names and masks).</summary>
        public NetworkIr Network => _ir;

        /// <summary>Input channels.</summary>
        public int InputChannels => _ir.Spec.Input.Channels;

        /// <summary>Output classes.</summary>
        public int Classes => _ir.Spec.Classes;

        /// <summary>Every block by its state-dict prefix, e.g. <c>loc0.4.1.blocks.0</c>.</summary>
        public IReadOnlyDictionary<string, ConvBlock> Blocks => _blocks;

        /// <summary>Every transposed convolution by its state-dict prefix, e.g. <c>up0.4</c>.</summary>
        public IReadOnlyDictionary<string, UpConvolution> Ups => _ups;

        /// <summary>Builds the network of an IR (<c>CompiledModel.Network</c> or <c>IrBuilder.Build(spec)</c>).</summary>
        /// <exception cref="E2ENet.Compiler.Host.HostException">E2E7001: its weights alone exceed the memory budget (refused before allocating).</exception>
        public static E2ENetNetwork Create(NetworkIr network)
        {
            if (network is null) throw new ArgumentNullException(nameof(network));
            E2ENet.Compiler.Host.MemoryBudget.Current.Require(MemoryEstimate.Weights(network), null, string.Format(System.Globalization.CultureInfo.InvariantCulture,
                "building model '{0}' ({1:N0} parameters)", network.Spec.Name, network.Totals.DenseParameters), "a narrower model (widths.base, widths.max) or fewer levels");
            return new E2ENetNetwork(network);
        }

        /// <summary>
        /// Builds a model of an .e2e file: <paramref name="modelName"/>, or the file's only (or first) model when null.
        /// Imports are followed; <paramref name="overrides"/> are <c>--set</c> style (<c>fusion.sparsity=0.9</c>).
        /// </summary>
        /// <exception cref="E2ENetTorchException">The file cannot be read, the model does not exist (E2E3002), or it has errors (E2E3001).</exception>
        public static E2ENetNetwork FromFile(string path, string? modelName = null, IReadOnlyList<string>? overrides = null)
            => Create(ModelLoader.Load(path, modelName, overrides).Network!);

        /// <summary>Inference: (B, inputChannels, D, H, W) -> the logits of the head on x05, (B, classes, D, H, W).</summary>
        public override Tensor forward(Tensor input) => Run(input, deepSupervision: false)[0];

        /// <summary>
        /// Deep supervision: the logits of the four heads, on x05 (B, classes, D, H, W), x14, x23 and x32 (each at its
        /// level's size), full resolution first.
        /// </summary>
        public Tensor[] ForwardDeepSupervision(Tensor input) => Run(input, deepSupervision: true);

        /// <summary>Checks an input against the model: 5 dimensions, the model's channels, sizes divisible by the pools.</summary>
        /// <exception cref="E2ENetTorchException">E2E3003 or E2E3004, with the fix.</exception>
        public void CheckInput(Tensor input, string? file = null) => InputCheck.Check(_ir.Spec, input.shape, input.dtype, file);

        private Tensor[] Run(Tensor input, bool deepSupervision)
        {
            CheckInput(input);
            using var scope = NewDisposeScope();
            var values = new Dictionary<NodeId, Tensor>();
            Dictionary<NodeId, int> uses = CountUses(deepSupervision);
            Tensor x = input;
            for (int level = 0; level < _encoder.Length; level++)
            {
                x = _encoder[level].forward(x);
                values[new NodeId(level, 0)] = x;
                foreach (FusionStep step in _steps.Where(s => s.Id.Level + s.Id.Stage == level))
                {
                    values[step.Id] = Fuse(step, values, uses);
                }
            }
            var outputs = new Tensor[deepSupervision ? _heads.Length : 1];
            for (int k = 0; k < outputs.Length; k++)
            {
                HeadIr head = _ir.Heads[k];
                outputs[k] = _heads[k].forward(values[head.On]);
            }
            foreach (Tensor output in outputs) output.MoveToOuterDisposeScope();
            return outputs;
        }

        private Tensor Fuse(FusionStep step, Dictionary<NodeId, Tensor> values, Dictionary<NodeId, int> uses)
        {
            var parts = new List<Tensor>(3) { values[step.Same] };
            Tensor upsampled = step.Up.forward(values[step.Coarser]);
            parts.Add(upsampled);
            Tensor? pooled = null;
            if (step.Finer is NodeId finer)
            {
                Int3 pool = step.DownPool!.Value;
                pooled = nn.functional.max_pool3d(values[finer], new long[] { pool.D, pool.H, pool.W }, new long[] { pool.D, pool.H, pool.W });
                parts.Add(pooled);
            }
            Tensor fused;
            using (Tensor concatenated = cat(parts, 1))
            {
                // The sources are in the concatenation now (autograd keeps what backward needs): free them before the block runs.
                upsampled.Dispose();
                pooled?.Dispose();
                Release(step.Same, values, uses);
                Release(step.Coarser, values, uses);
                if (step.Finer is NodeId used) Release(used, values, uses);
                fused = step.Fuse.forward(concatenated);
            }
            return fused;
        }

        /// <summary>Disposes a node's output after its last consumer (autograd keeps what backward needs).</summary>
        private static void Release(NodeId id, Dictionary<NodeId, Tensor> values, Dictionary<NodeId, int> uses)
        {
            if (--uses[id] == 0)
            {
                values[id].Dispose();
                values.Remove(id);
            }
        }

        private Dictionary<NodeId, int> CountUses(bool deepSupervision)
        {
            var uses = new Dictionary<NodeId, int>();
            void Use(NodeId id) => uses[id] = uses.TryGetValue(id, out int n) ? n + 1 : 1;
            foreach (FusionStep step in _steps)
            {
                Use(step.Same);
                Use(step.Coarser);
                if (step.Finer is NodeId finer) Use(finer);
            }
            for (int k = 0; k < (deepSupervision ? _heads.Length : 1); k++) Use(_ir.Heads[k].On);
            // Encoder outputs feed the next level too; they are never released early (the next level reads them first).
            return uses;
        }

        private ConvBlock CreateBlock(BlockIr block, ModelSpec spec)
        {
            BlockSpec b = spec.Block;
            double slope = b.Activation.Kind == "relu" ? 0.0 : b.Activation.Slope;
            var module = new ConvBlock(block.InChannels, block.OutChannels, ToTuple(block.Kernel), ToTuple(block.Stride), ToTuple(block.Padding),
                block.Shift.ToArray(), b.Bias, b.Norm.Eps, b.Norm.Affine, slope);
            _blocks[block.Name] = module;
            return module;
        }

        private static (long, long, long) ToTuple(Int3 value) => (value.D, value.H, value.W);

        private static (int Z, int Index) ParseIndexed(string name, string prefix)
        {
            // loc3.1 / up3.1
            string[] parts = name.Substring(prefix.Length).Split('.');
            return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
        }

        private static void Add<T>(Dictionary<int, List<T>> map, int key, T value)
        {
            if (!map.TryGetValue(key, out List<T>? list)) map[key] = list = new List<T>();
            list.Add(value);
        }

        /// <summary>One fusion node's evaluation: its sources and modules.</summary>
        private sealed record FusionStep(NodeId Id, NodeId Same, NodeId Coarser, NodeId? Finer, Int3? DownPool, UpConvolution Up, nn.Module<Tensor, Tensor> Fuse);
    }
}
