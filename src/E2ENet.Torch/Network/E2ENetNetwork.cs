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
    /// <see cref="Weights.StateDictLoader"/>. The modules are the IR's module tree (<see cref="NetworkIr.Modules"/>), and
    /// the forward walks the IR's schedule (<see cref="NetworkIr.Schedule"/>), freeing each value after its last reader as
    /// the schedule says: this class knows no rule of the network's shape of its own.
    /// </summary>
    public sealed class E2ENetNetwork : nn.Module<Tensor, Tensor>, IE2ENetNetwork
    {
        private readonly NetworkIr _ir;
        private readonly Dictionary<string, nn.Module> _modules = new Dictionary<string, nn.Module>(StringComparer.Ordinal);
        private readonly Dictionary<string, ConvBlock> _blocks = new Dictionary<string, ConvBlock>(StringComparer.Ordinal);
        private readonly Dictionary<string, UpConvolution> _ups = new Dictionary<string, UpConvolution>(StringComparer.Ordinal);
        private readonly PointwiseConvolution[] _heads;

        private E2ENetNetwork(NetworkIr ir)
            : base(ir.Spec.Name)
        {
            _ir = ir;
            _heads = new PointwiseConvolution[ir.Heads.Count];
            foreach (ModuleIr child in ir.Modules.Children) register_module(child.Name, Build(child, ModulePath.Of(child.Name)));
            FiniteChecks.Register(this);
        }

        /// <summary>The model's name in its .e2e file.</summary>
        public string ModelName => _ir.Spec.Name;

        /// <summary>The IR the network was built from (shapes, parameter names, masks, module tree and schedule).</summary>
        public NetworkIr Network => _ir;

        /// <inheritdoc />
        nn.Module<Tensor, Tensor> IE2ENetNetwork.Module => this;

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
            E2ENet.Compiler.Host.MemoryBudget.Current.Require(MemoryEstimate.Weights(network), null, string.Format(CultureInfo.InvariantCulture,
                "building model '{0}' ({1:N0} parameters)", network.Spec.Name, network.Totals.DenseParameters), "a narrower model (widths.base, widths.max) or fewer levels");
            // Its weights come from TorchSharp's global generator: never between another network's seeding and construction.
            lock (NetworkFactory.ConstructionLock) return new E2ENetNetwork(network);
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
            var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { ["input"] = input };
            foreach (StepIr step in _ir.Schedule)
            {
                Tensor source = values[step.Inputs[0]];
                values[step.Output] = step.Kind switch
                {
                    StepKind.Run or StepKind.Up => ((nn.Module<Tensor, Tensor>)_modules[step.Module!.ToString()]).forward(source),
                    StepKind.Pool => nn.functional.max_pool3d(source, Sizes(step.Pool!.Value), Sizes(step.Pool!.Value)),
                    _ => cat(step.Inputs.Select(name => values[name]).ToArray(), 1),
                };
                // Autograd keeps what backward needs: a value's last reader has run, so this reference can go.
                foreach (string dead in step.Releases)
                {
                    values[dead].Dispose();
                    values.Remove(dead);
                }
            }
            var outputs = new Tensor[deepSupervision ? _heads.Length : 1];
            for (int k = 0; k < outputs.Length; k++) outputs[k] = _heads[k].forward(values[_ir.Heads[k].Input]);
            foreach (Tensor output in outputs) output.MoveToOuterDisposeScope();
            return outputs;
        }

        /// <summary>The module of one node of the IR's module tree (and its children), recorded under its path.</summary>
        private nn.Module Build(ModuleIr node, ModulePath path)
        {
            ModelSpec spec = _ir.Spec;
            nn.Module module;
            switch (node.Kind)
            {
                case ModuleKind.Container:
                    module = new ModuleContainer(node.Children.Select(c => (c.Name, Build(c, path.Append(c.Name)))).ToArray());
                    break;
                case ModuleKind.List:
                    module = nn.ModuleList(node.Children.Select(c => Build(c, path.Append(c.Name))).ToArray());
                    break;
                case ModuleKind.Sequence:
                    module = nn.Sequential(node.Children.Select(c => (c.Name, (nn.Module<Tensor, Tensor>)Build(c, path.Append(c.Name)))).ToArray());
                    break;
                case ModuleKind.Stack:
                    module = new StackedConvBlocks(node.Field, node.Children.Select(c => CreateBlock(c.Block!, spec)).ToArray());
                    break;
                case ModuleKind.Up:
                    UpIr up = node.Up!;
                    var transposed = new UpConvolution(up.InChannels, up.OutChannels, ToTuple(up.Kernel), up.Bias);
                    _ups[up.Name] = transposed;
                    module = transposed;
                    break;
                case ModuleKind.Head:
                    HeadIr head = node.Head!;
                    module = _heads[head.Index] = new PointwiseConvolution(head.InChannels, head.Classes, head.Bias);
                    break;
                default:
                    throw new InvalidOperationException("the run-time network has no module for " + node.Kind + " (" + path + ")");
            }
            _modules[path.ToString()] = module;
            return module;
        }

        private ConvBlock CreateBlock(BlockIr block, ModelSpec spec)
        {
            BlockSpec b = spec.Block;
            double slope = b.Activation.NegativeSlope;
            var module = new ConvBlock(block.InChannels, block.OutChannels, ToTuple(block.Kernel), ToTuple(block.Stride), ToTuple(block.Padding),
                block.Shift.ToArray(), b.Bias, b.Norm.Eps, b.Norm.Affine, slope, block.Norm);
            _blocks[block.Name] = module;
            return module;
        }

        private static long[] Sizes(Int3 value) => new long[] { value.D, value.H, value.W };

        private static (long, long, long) ToTuple(Int3 value) => (value.D, value.H, value.W);
    }
}
