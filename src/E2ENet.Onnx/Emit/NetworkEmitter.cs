using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Onnx.Graph;
using E2ENet.Onnx.Proto;
using E2ENet.Onnx.Pruning;
using E2ENet.Onnx.Weights;

namespace E2ENet.Onnx.Emit
{
    /// <summary>Options of one emission.</summary>
    /// <param name="Half">Weights and activations between convolutions in float16 (normalization in float32).</param>
    /// <param name="Lowerings">The lowering of each block by name; blocks not listed get <see cref="BlockLowering.Reference"/>.</param>
    /// <param name="Costs">The cost rule for channel selection.</param>
    public sealed record EmitOptions(bool Half, IReadOnlyDictionary<string, BlockLowering> Lowerings, CostModel Costs)
    {
        /// <summary>float32, reference lowerings.</summary>
        public static readonly EmitOptions Default = new EmitOptions(false, new Dictionary<string, BlockLowering>(), CostModel.Default);
    }

    /// <summary>An emitted graph and what each layer of the network executes in it.</summary>
    public sealed record EmittedNetwork(OnnxGraph Graph, IReadOnlyDictionary<string, LayerExecution> Layers);

    /// <summary>
    /// Emits the inference graph of a network from its IR, its weights and the pruning pass, without tracing: input
    /// <see cref="InputName"/> (batch, C, depth, height, width) float32, output <see cref="OutputName"/> (batch, classes,
    /// depth, height, width) float32, every spatial axis and the batch dynamic (sizes must be divisible by the product of the
    /// pools per axis, as for the network itself).
    /// </summary>
    public static class NetworkEmitter
    {
        /// <summary>The graph input's name.</summary>
        public const string InputName = "input";

        /// <summary>The graph output's name.</summary>
        public const string OutputName = "logits";

        /// <summary>The symbolic dimensions of input and output: batch, then the three spatial axes.</summary>
        public static readonly string[] Symbols = { "batch", "depth", "height", "width" };

        /// <summary>Emits the graph.</summary>
        public static EmittedNetwork Emit(Dataflow flow, ChannelLiveness liveness, ModelWeights weights, EmitOptions options)
        {
            NetworkIr ir = flow.Network;
            var graph = new GraphBuilder(options.Half ? OnnxDataType.Float16 : OnnxDataType.Float);
            var context = new EmitContext(graph, weights, ir.Spec.Block, options.Costs);
            graph.Reserve(InputName);
            string input = options.Half ? graph.Add("Cast", "input.fp16", new[] { InputName }, OnnxAttribute.Of("to", (long)OnnxDataType.Float16)) : InputName;

            var values = new Dictionary<string, EmittedValue>(StringComparer.Ordinal)
            {
                [Dataflow.InputValue] = new EmittedValue(input, Enumerable.Range(0, ir.Spec.Input.Channels).ToArray()),
            };
            var executions = new Dictionary<string, LayerExecution>(StringComparer.Ordinal);
            foreach (DataflowLayer layer in flow.Layers)
            {
                LayerLiveness live = liveness.Layers[layer.Name];
                if (live.Dead)
                {
                    executions[layer.Name] = LayerExecution.Removed;
                    continue;
                }
                EmittedValue?[] sources = layer.Sources.Select(s => values.TryGetValue(s.Value, out EmittedValue? v) ? v : null).ToArray();
                switch (layer.Kind)
                {
                    case LayerKind.Block:
                    {
                        BlockLowering lowering = LoweringOf(layer, live, liveness.Presence[layer.Name], options);
                        (EmittedValue output, LayerExecution execution) = BlockEmitter.Emit(context, layer, live, liveness.Presence[layer.Name], sources, lowering);
                        values[layer.Output] = output;
                        executions[layer.Name] = execution;
                        break;
                    }
                    case LayerKind.Up:
                    {
                        (EmittedValue output, LayerExecution execution) = ResamplingEmitter.Up(context, layer, live, Required(sources[0], layer), liveness.Presence[layer.Name]);
                        values[layer.Output] = output;
                        executions[layer.Name] = execution;
                        break;
                    }
                    case LayerKind.Down:
                    {
                        (EmittedValue output, LayerExecution execution) = ResamplingEmitter.Down(context, layer, live, Required(sources[0], layer), ir.Sizes[layer.Level]);
                        values[layer.Output] = output;
                        executions[layer.Name] = execution;
                        break;
                    }
                    default:
                        executions[layer.Name] = HeadEmitter.Emit(context, layer, live, Required(sources[0], layer));
                        break;
                }
            }

            OnnxDim batch = OnnxDim.Symbol(Symbols[0]);
            OnnxDim[] spatial = Symbols.Skip(1).Select(OnnxDim.Symbol).ToArray();
            var inputInfo = new OnnxValueInfo(InputName, OnnxDataType.Float, new[] { batch, OnnxDim.Fixed(ir.Spec.Input.Channels) }.Concat(spatial));
            var outputInfo = new OnnxValueInfo(OutputName, OnnxDataType.Float, new[] { batch, OnnxDim.Fixed(ir.Spec.Classes) }.Concat(spatial));
            OnnxGraph result = graph.Build(ir.Spec.Name, new[] { inputInfo }, new[] { outputInfo },
                "E2ENet " + ir.Spec.Name + ": input (batch, channels, depth, height, width) -> logits of the head on x05; softmax is applied outside.");
            return new EmittedNetwork(result, executions);
        }

        /// <summary>The lowering a block gets: the one chosen for it, or the reference.</summary>
        public static BlockLowering LoweringOf(DataflowLayer layer, LayerLiveness live, KernelPresence kernels, EmitOptions options)
            => options.Lowerings.TryGetValue(layer.Name, out BlockLowering? chosen) ? chosen : BlockLowering.Reference(layer.Block!, live, kernels);

        /// <summary>Whether a block shifts any channel group.</summary>
        public static bool HasShift(BlockIr block) => block.Shift.Any(o => o != 0);

        private static EmittedValue Required(EmittedValue? value, DataflowLayer layer)
            => value ?? throw new InvalidOperationException("the source of " + layer.Name + " was removed although " + layer.Name + " is live (a defect of the pruning pass)");
    }
}
