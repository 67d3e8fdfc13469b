using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;

namespace E2ENet.Onnx.Pruning
{
    /// <summary>What a layer of the inference graph does.</summary>
    public enum LayerKind
    {
        /// <summary>A basic block: [depth shift] -> Conv3d -> InstanceNorm -> activation.</summary>
        Block,

        /// <summary>A transposed convolution (the upsampling source of a fusion node).</summary>
        Up,

        /// <summary>A max-pool (the downsampling source of a fusion node); no parameters.</summary>
        Down,

        /// <summary>The 1x1x1 segmentation head on x05 (the only head inference keeps).</summary>
        Head,
    }

    /// <summary>One input of a layer: a value and where its channels sit in the layer's (concatenated) input.</summary>
    public sealed record SourceRef(string Value, int Offset, int Channels, SourceKind Kind);

    /// <summary>
    /// One layer of the inference graph, in evaluation order: its sources (for a fusion node's first block, the parts of the
    /// concatenation in concat order), the value it produces and the IR element it comes from.
    /// </summary>
    public sealed record DataflowLayer(string Name, LayerKind Kind, int Level, string Output, int OutChannels, IReadOnlyList<SourceRef> Sources,
        BlockIr? Block, UpIr? Up, HeadIr? Head, Int3? Pool)
    {
        /// <summary>Channels of the layer's input (the concatenation for a fusion node's first block).</summary>
        public int InChannels => Sources.Sum(s => s.Channels);

        /// <summary>The state-dict key of the layer's weight, or null for a max-pool.</summary>
        public string? WeightName => Block?.ConvWeight ?? Up?.Weight ?? Head?.WeightName;
    }

    /// <summary>
    /// The inference graph of an IR as a list of layers in evaluation order: the IR's schedule (<see cref="NetworkIr.Schedule"/>)
    /// with each run step expanded to the blocks of its module, so a fusion node is its transposed convolution, its max-pool
    /// and its blocks (docs/method.md, "Fusion graph and evaluation order"); last the inference head. The deep-supervision
    /// heads are not part of it (inference returns the x05 logits only). Values are named after the layer producing them
    /// (<c>input</c>, a block's name, an up's name, <c>down.loc{z}.{i}</c>).
    /// </summary>
    public sealed class Dataflow
    {
        /// <summary>The value name of the network input.</summary>
        public const string InputValue = "input";

        private Dataflow(NetworkIr ir, List<DataflowLayer> layers, Dictionary<string, (int Channels, int Level)> values)
        {
            Network = ir;
            Layers = layers;
            Values = values;
        }

        /// <summary>The IR.</summary>
        public NetworkIr Network { get; }

        /// <summary>Layers in evaluation order; the last is the head.</summary>
        public IReadOnlyList<DataflowLayer> Layers { get; }

        /// <summary>Every value: its channels and level.</summary>
        public IReadOnlyDictionary<string, (int Channels, int Level)> Values { get; }

        /// <summary>Builds the dataflow of an IR by walking its schedule (a run step expands to the blocks of its module).</summary>
        public static Dataflow Build(NetworkIr ir)
        {
            var layers = new List<DataflowLayer>();
            var values = new Dictionary<string, (int Channels, int Level)>(StringComparer.Ordinal) { [InputValue] = (ir.Spec.Input.Channels, 0) };
            // Schedule value -> the dataflow sources that make it (one layer's output, or a concatenation's parts).
            var sourcesOf = new Dictionary<string, IReadOnlyList<SourceRef>>(StringComparer.Ordinal)
            {
                ["input"] = new[] { new SourceRef(InputValue, 0, ir.Spec.Input.Channels, SourceKind.Same) },
            };

            void AddLayer(DataflowLayer layer)
            {
                layers.Add(layer);
                values[layer.Output] = (layer.OutChannels, layer.Level);
            }

            SourceRef Single(string value, SourceKind kind)
            {
                SourceRef only = sourcesOf[value].Single();
                return only with { Kind = kind };
            }

            foreach (StepIr step in ir.Schedule)
            {
                switch (step.Kind)
                {
                    case StepKind.Run:
                        IReadOnlyList<SourceRef> sources = sourcesOf[step.Inputs[0]];
                        foreach (BlockIr block in ir.Modules.Find(step.Module!).Blocks)
                        {
                            AddLayer(new DataflowLayer(block.Name, LayerKind.Block, block.Level, block.Name, block.OutChannels, sources, block, null, null, null));
                            sources = new[] { new SourceRef(block.Name, 0, block.OutChannels, SourceKind.Same) };
                        }
                        sourcesOf[step.Output] = sources;
                        break;
                    case StepKind.Up:
                        UpIr up = ir.Modules.Find(step.Module!).Up!;
                        AddLayer(new DataflowLayer(up.Name, LayerKind.Up, up.Level, up.Name, up.OutChannels, new[] { Single(step.Inputs[0], SourceKind.Same) }, null, up, null, null));
                        sourcesOf[step.Output] = new[] { new SourceRef(up.Name, 0, up.OutChannels, SourceKind.Up) };
                        break;
                    case StepKind.Pool:
                        string down = "down." + (ir.Node(step.Node)?.Name ?? step.Output);
                        AddLayer(new DataflowLayer(down, LayerKind.Down, step.Node.Level, down, step.Channels, new[] { Single(step.Inputs[0], SourceKind.Same) }, null, null, null, step.Pool));
                        sourcesOf[step.Output] = new[] { new SourceRef(down, 0, step.Channels, SourceKind.Down) };
                        break;
                    default:
                        var parts = new List<SourceRef>();
                        int offset = 0;
                        foreach (string input in step.Inputs)
                        {
                            SourceRef part = sourcesOf[input].Single();
                            parts.Add(part with { Offset = offset });
                            offset += part.Channels;
                        }
                        sourcesOf[step.Output] = parts;
                        break;
                }
            }

            HeadIr head = ir.Heads[0];
            layers.Add(new DataflowLayer(head.Name, LayerKind.Head, 0, "logits", head.Classes,
                new[] { sourcesOf[head.Input].Single() with { Kind = SourceKind.Same } }, null, null, head, null));
            return new Dataflow(ir, layers, values);
        }
    }
}
