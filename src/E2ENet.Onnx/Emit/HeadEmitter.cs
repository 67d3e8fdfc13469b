using System;
using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Onnx.Proto;
using E2ENet.Onnx.Pruning;

namespace E2ENet.Onnx.Emit
{
    /// <summary>
    /// Emits the full-resolution head (x05 in E2ENet) (a 1x1x1 convolution to the class logits; with a bias in nnU-Net's U-Net) as the graph output
    /// <see cref="NetworkEmitter.OutputName"/>, always float32 (an fp16 graph casts its last convolution's output).
    /// The deep-supervision heads on x14, x23, x32 are training-only and are not emitted.
    /// </summary>
    public static class HeadEmitter
    {
        /// <summary>Emits the head.</summary>
        public static LayerExecution Emit(EmitContext context, DataflowLayer layer, LayerLiveness live, EmittedValue source)
        {
            HeadIr head = layer.Head ?? throw new ArgumentException(layer.Name + " is not a head", nameof(layer));
            float[] weight = context.Weights[head.WeightName];
            int inTotal = head.InChannels;
            var values = new float[(long)head.Classes * source.Layout.Length];
            for (int c = 0; c < head.Classes; c++)
            {
                for (int k = 0; k < source.Layout.Length; k++) values[(long)c * source.Layout.Length + k] = weight[(long)c * inTotal + source.Layout[k]];
            }
            long[] dims = { head.Classes, source.Layout.Length, 1, 1, 1 };
            string[] inputs = head.Bias
                ? new[] { source.Tensor, context.Graph.Weight(head.WeightName, dims, values), context.Graph.Weight(head.BiasName, new long[] { head.Classes }, context.Weights[head.BiasName]) }
                : new[] { source.Tensor, context.Graph.Weight(head.WeightName, dims, values) };
            var kernel = OnnxAttribute.Of("kernel_shape", new long[] { 1, 1, 1 });
            if (context.Half)
            {
                string logits = context.Graph.Add("Conv", head.Name, inputs, kernel);
                context.Graph.AddNamed("Cast", NetworkEmitter.OutputName, new[] { logits }, OnnxAttribute.Of("to", (long)OnnxDataType.Float));
            }
            else
            {
                context.Graph.AddNamed("Conv", NetworkEmitter.OutputName, inputs, kernel);
            }
            long biases = head.Bias ? head.Classes : 0;
            return new LayerExecution("conv1x1", values.LongLength + biases, ConvWeights.NonZero(values) + biases, values.LongLength * head.Size.Volume, 0, live.In.Length, live.Out.Length);
        }
    }
}
