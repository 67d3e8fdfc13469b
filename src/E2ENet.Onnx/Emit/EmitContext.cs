using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Graph;
using E2ENet.Onnx.Proto;
using E2ENet.Onnx.Weights;

namespace E2ENet.Onnx.Emit
{
    /// <summary>What every emitter needs: the graph being built, the weights, the block settings and the precision.</summary>
    public sealed class EmitContext
    {
        /// <summary>Creates a context.</summary>
        public EmitContext(GraphBuilder graph, ModelWeights weights, BlockSpec block, CostModel costs)
        {
            Graph = graph;
            Weights = weights;
            Block = block;
            Costs = costs;
        }

        /// <summary>The graph being built.</summary>
        public GraphBuilder Graph { get; }

        /// <summary>The network's parameters.</summary>
        public ModelWeights Weights { get; }

        /// <summary>Kernel, shift, bias, norm and activation of every block.</summary>
        public BlockSpec Block { get; }

        /// <summary>The rule that decides between selecting channels (a copy) and keeping them with zero weights.</summary>
        public CostModel Costs { get; }

        /// <summary>True when weights and activations between convolutions are float16.</summary>
        public bool Half => Graph.WeightType == OnnxDataType.Float16;
    }

    /// <summary>
    /// A rough cost model for choices that are not worth measuring: a copied element counts as
    /// <see cref="CopyCostInMacs"/> multiply-accumulates. Used only to decide whether to Gather a subset of a tensor's
    /// channels before a convolution or to keep the unread channels with zero weights; both are exact.
    /// </summary>
    public sealed record CostModel(double CopyCostInMacs)
    {
        /// <summary>The default: one copied element costs as much as 8 multiply-accumulates.</summary>
        public static readonly CostModel Default = new CostModel(8);
    }
}
