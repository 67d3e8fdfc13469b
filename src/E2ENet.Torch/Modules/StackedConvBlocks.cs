using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace E2ENet.Torch.Modules
{
    /// <summary>
    /// Blocks applied in sequence, held in a list named <c>blocks</c> as the authors' <c>StackedConvLayers</c>, so that
    /// parameters are named <c>blocks.{i}.conv.weight</c> and so on (or <c>convs</c>, as nnU-Net's <c>StackedConvBlocks</c>).
    /// </summary>
    public sealed class StackedConvBlocks : nn.Module<Tensor, Tensor>
    {
#pragma warning disable IDE1006 // Field names are the PyTorch state-dict keys.
        private readonly ModuleList<ConvBlock> blocks;
#pragma warning restore IDE1006

        /// <summary>Creates the stack; its list is registered as <c>blocks</c>.</summary>
        public StackedConvBlocks(params ConvBlock[] blocks)
            : this("blocks", blocks)
        {
        }

        /// <summary>Creates the stack with its list registered as <paramref name="field"/> (<c>blocks</c> in E2ENet, <c>convs</c> in nnU-Net).</summary>
        public StackedConvBlocks(string field, params ConvBlock[] blocks)
            : base(nameof(StackedConvBlocks))
        {
            this.blocks = nn.ModuleList(blocks);
            register_module(field, this.blocks);
        }

        /// <summary>
        /// Registers nothing more: the constructor registered the list under its state-dict name; TorchSharp's default would
        /// add it again under the C# field name (<c>blocks</c>) when the field is <c>convs</c>.
        /// </summary>
        protected override void RegisterComponents()
        {
        }

        /// <summary>The blocks, in order.</summary>
        public IReadOnlyList<ConvBlock> Blocks => new List<ConvBlock>(blocks);

        /// <inheritdoc />
        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            Tensor x = input;
            foreach (ConvBlock block in blocks) x = block.forward(x);
            return x.MoveToOuterDisposeScope();
        }
    }
}
