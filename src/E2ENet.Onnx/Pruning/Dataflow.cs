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
    /// The inference graph of an IR as a list of layers in evaluation order (docs/method.md, "Fusion graph and evaluation order"): encoder level 0,
    /// then for s = 1..5 encoder level s and the fusion nodes with L + j = s from coarse to fine; each fusion node is its
    /// transposed convolution, its max-pool (levels above 0) and its blocks; last the head on x05. The deep-supervision
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

        /// <summary>Builds the dataflow of an IR.</summary>
        public static Dataflow Build(NetworkIr ir)
        {
            var layers = new List<DataflowLayer>();
            var values = new Dictionary<string, (int Channels, int Level)>(StringComparer.Ordinal) { [InputValue] = (ir.Spec.Input.Channels, 0) };
            var nodeValue = new Dictionary<NodeId, string>();

            void AddLayer(DataflowLayer layer)
            {
                layers.Add(layer);
                values[layer.Output] = (layer.OutChannels, layer.Level);
            }

            void Encoder(EncoderLevelIr level)
            {
                string source = level.Level == 0 ? InputValue : nodeValue[new NodeId(level.Level - 1, 0)];
                foreach (BlockIr block in level.Blocks)
                {
                    var sources = new[] { new SourceRef(source, 0, block.InChannels, SourceKind.Same) };
                    AddLayer(new DataflowLayer(block.Name, LayerKind.Block, block.Level, block.Name, block.OutChannels, sources, block, null, null, null));
                    source = block.Name;
                }
                nodeValue[new NodeId(level.Level, 0)] = source;
            }

            Encoder(ir.Encoder[0]);
            for (int s = 1; s < ir.Encoder.Count; s++)
            {
                Encoder(ir.Encoder[s]);
                foreach (FusionNodeIr node in ir.Fusion.Where(n => n.Id.Level + n.Id.Stage == s))
                {
                    var sources = new List<SourceRef>();
                    foreach (FusionInputIr input in node.Inputs)
                    {
                        string from = nodeValue[input.From];
                        switch (input.Kind)
                        {
                            case SourceKind.Same:
                                sources.Add(new SourceRef(from, input.Offset, input.Channels, SourceKind.Same));
                                break;
                            case SourceKind.Up:
                                UpIr up = node.Up;
                                AddLayer(new DataflowLayer(up.Name, LayerKind.Up, up.Level, up.Name, up.OutChannels,
                                    new[] { new SourceRef(from, 0, up.InChannels, SourceKind.Same) }, null, up, null, null));
                                sources.Add(new SourceRef(up.Name, input.Offset, input.Channels, SourceKind.Up));
                                break;
                            default:
                                string down = "down." + node.Name;
                                AddLayer(new DataflowLayer(down, LayerKind.Down, node.Id.Level, down, input.Channels,
                                    new[] { new SourceRef(from, 0, input.Channels, SourceKind.Same) }, null, null, null, node.DownPool));
                                sources.Add(new SourceRef(down, input.Offset, input.Channels, SourceKind.Down));
                                break;
                        }
                    }
                    IReadOnlyList<SourceRef> blockSources = sources;
                    foreach (BlockIr block in node.Blocks)
                    {
                        AddLayer(new DataflowLayer(block.Name, LayerKind.Block, block.Level, block.Name, block.OutChannels, blockSources, block, null, null, null));
                        blockSources = new[] { new SourceRef(block.Name, 0, block.OutChannels, SourceKind.Same) };
                    }
                    nodeValue[node.Id] = node.Blocks[node.Blocks.Count - 1].Name;
                }
            }

            HeadIr head = ir.Heads[0];
            layers.Add(new DataflowLayer(head.Name, LayerKind.Head, 0, "logits", head.Classes,
                new[] { new SourceRef(nodeValue[head.On], 0, head.InChannels, SourceKind.Same) }, null, null, head, null));
            return new Dataflow(ir, layers, values);
        }
    }
}
