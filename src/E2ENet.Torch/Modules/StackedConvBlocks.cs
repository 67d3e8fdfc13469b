using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace E2ENet.Torch.Modules
{
    /// <summary>
    /// Blocks applied in sequence, held in a list named <c>blocks</c> as the authors' <c>StackedConvLayers</c>, so that
    /// parameters are named <c>blocks.{i}.conv.weight</c> and so on.
    /// </summary>
    public sealed class StackedConvBlocks : nn.Module<Tensor, Tensor>
    {
#pragma warning disable IDE1006 // Field names are the PyTorch state-dict keys.
        private readonly ModuleList<ConvBlock> blocks;
#pragma warning restore IDE1006

        /// <summary>Creates the stack.</summary>
        public StackedConvBlocks(params ConvBlock[] blocks)
            : base(nameof(StackedConvBlocks))
        {
            this.blocks = nn.ModuleList(blocks);
            RegisterComponents();
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
