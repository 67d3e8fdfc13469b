using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Proto;
using E2ENet.Onnx.Pruning;
using E2ENet.Onnx.Weights;

namespace E2ENet.Onnx.Emit
{
    /// <summary>
    /// Emits one basic block (docs/method.md, "The basic block"): its input (sources, pruned and depth-shifted), its convolution
    /// in the chosen <see cref="BlockLowering"/>, InstanceNormalization (no running statistics: inference equals training)
    /// and LeakyReLU (or ReLU). In an fp16 graph the normalization and activation run in fp32 between two Casts.
    /// <para>
    /// An output channel whose kernels are all zero (every kernel of its row pruned) is the bias everywhere, so its
    /// normalized value is exactly 0 and the block outputs act(beta) there. ONNX Runtime's InstanceNormalization computes
    /// that 0 as (x - mean) / sqrt(eps) with a rounded mean, up to 5e-3 off for large planes; the emitted scale of such a
    /// channel is therefore 0, which gives exactly beta (an exact rewrite, not an approximation).
    /// </para>
    /// <para>
    /// The convolution's bias is not emitted: instance normalization subtracts each channel's mean, which removes any
    /// per-channel constant exactly, so the bias has no effect on the block's output (it only worsens the conditioning of the
    /// norm's mean). The report counts it as a parameter the graph does not need.
    /// </para>
    /// </summary>
    public static class BlockEmitter
    {
        /// <summary>
        /// Emits the block. With <paramref name="normalize"/> false it stops after the convolution (what the tuner times).
        /// Returns the output and what it executes at the model's patch.
        /// </summary>
        public static (EmittedValue Output, LayerExecution Execution) Emit(EmitContext context, DataflowLayer layer, LayerLiveness live, KernelPresence kernels,
            IReadOnlyList<EmittedValue?> sources, BlockLowering lowering, bool normalize = true)
        {
            BlockIr block = layer.Block ?? throw new ArgumentException(layer.Name + " is not a block", nameof(layer));
            float[] weight = context.Weights[block.ConvWeight];
            long[] shape = context.Weights.Shape(block.ConvWeight);
            int[] offsets = InputAssembler.Offsets(block);
            int foldShift = offsets.Length == 0 ? 0 : offsets.Max(Math.Abs);
            bool fold = lowering.Shift == ShiftLowering.Fold;
            if (fold && shape[2] != 1) throw new InvalidOperationException(block.Name + ": the shift folds only into depth-1 kernels");
            long depthTaps = fold ? 1 + 2 * foldShift : shape[2];
            long outVoxels = block.OutputSize.Volume;
            long inVoxels = block.InputSize.Volume;
            long macsPerKernel = depthTaps * shape[3] * shape[4] * outVoxels;
            long copied = 0;
            List<InputPiece> pieces = InputAssembler.Assemble(context, layer, sources, live.In, lowering.Shift, live.Out.Length, macsPerKernel, inVoxels, ref copied);

            var conv = new ConvBuilder(context, block, weight, shape, fold ? offsets : null, foldShift, macsPerKernel);
            string output;
            int[] outOrder = live.Out;
            switch (lowering.Conv)
            {
                case ConvLowering.Concat:
                {
                    (string x, int[] order) = InputAssembler.Concat(context, pieces, block.Name, inVoxels, ref copied);
                    output = conv.Add(x, live.Out.Select(o => (o, order)).ToList(), 1, block.Name + ".conv");
                    break;
                }
                case ConvLowering.Branch:
                {
                    var partials = new List<string>();
                    foreach (var bySource in pieces.GroupBy(p => p.Source))
                    {
                        string name = block.Name + ".conv." + layer.Sources[bySource.Key].Kind.ToString().ToLowerInvariant();
                        (string x, int[] order) = InputAssembler.Concat(context, bySource.ToList(), name, inVoxels, ref copied);
                        partials.Add(conv.Add(x, live.Out.Select(o => (o, order)).ToList(), 1, name));
                    }
                    output = partials.Count == 1 ? partials[0] : context.Graph.Add("Sum", block.Name + ".conv", partials);
                    break;
                }
                default:
                {
                    (string x, int[] order) = InputAssembler.Concat(context, pieces, block.Name, inVoxels, ref copied);
                    var position = new Dictionary<int, int>();
                    for (int k = 0; k < order.Length; k++) position[order[k]] = k;
                    (int[][] groups, int[][] unions) = UnitPartition(block, kernels, live, lowering.Groups)
                        ?? OutputGrouping.Partition(kernels, live.Out, live.In, lowering.Groups);
                    int widest = Math.Max(1, unions.Max(u => u.Length));
                    var indices = new List<long>();
                    var rows = new List<(int, int[])>();
                    for (int g = 0; g < groups.Length; g++)
                    {
                        int[] ins = unions[g].Concat(Enumerable.Repeat(-1, widest - unions[g].Length)).ToArray();
                        long filler = unions[g].Length > 0 ? position[unions[g][0]] : 0;
                        indices.AddRange(ins.Select(i => i >= 0 ? position[i] : filler));
                        rows.AddRange(groups[g].Select(o => (o, ins)));
                    }
                    string gathered = context.Graph.Add("Gather", block.Name + ".groups", new[] { x, context.Graph.Int64(indices.ToArray()) }, OnnxAttribute.Of("axis", 1L));
                    copied += indices.Count * inVoxels;
                    output = conv.Add(gathered, rows, groups.Length, block.Name + ".conv");
                    outOrder = groups.SelectMany(g => g).ToArray();
                    break;
                }
            }

            long parameters = conv.Parameters;
            long nonZero = conv.NonZero;
            if (normalize)
            {
                output = NormalizeAndActivate(context, block, output, outOrder, ConstantRows(weight, shape), ref parameters, ref nonZero);
            }
            var execution = new LayerExecution(lowering.ToString(), parameters, nonZero, conv.Macs, copied, live.In.Length, live.Out.Length);
            return (new EmittedValue(output, outOrder), execution);
        }

        /// <summary>The partition of a <c>unit group</c> mask when the grouped lowering has as many groups as the mask, else null.</summary>
        private static (int[][] Groups, int[][] Unions)? UnitPartition(BlockIr block, KernelPresence kernels, LayerLiveness live, int groups)
        {
            if (block.Mask is not { Unit: SparsityUnit.Group } mask) return null;
            var partition = OutputGrouping.ByUnit(kernels, live.Out, live.In, mask.Group);
            return partition is { } p && p.Groups.Length == groups ? partition : null;
        }

        /// <summary>Per output channel of a weight [out, in, taps...], whether every element of its row is zero.</summary>
        public static bool[] ConstantRows(float[] weight, long[] shape)
        {
            var constant = new bool[shape[0]];
            long row = weight.LongLength / shape[0];
            for (long o = 0; o < shape[0]; o++)
            {
                constant[o] = true;
                for (long k = o * row, end = k + row; k < end; k++)
                {
                    if (weight[k] != 0)
                    {
                        constant[o] = false;
                        break;
                    }
                }
            }
            return constant;
        }

        private static string NormalizeAndActivate(EmitContext context, BlockIr block, string x, int[] channels, bool[] constant, ref long parameters, ref long nonZero)
        {
            BlockSpec spec = context.Block;
            if (context.Half) x = context.Graph.Add("Cast", block.Name + ".to_fp32", new[] { x }, OnnxAttribute.Of("to", (long)OnnxDataType.Float));
            float[] scale, shift;
            if (spec.Norm.Affine)
            {
                float[] gamma = context.Weights[block.NormWeight];
                float[] beta = context.Weights[block.NormBias];
                scale = channels.Select(c => constant[c] ? 0f : gamma[c]).ToArray();
                shift = channels.Select(c => beta[c]).ToArray();
                parameters += 2L * channels.Length;
                nonZero += ConvWeights.NonZero(scale) + ConvWeights.NonZero(shift);
            }
            else
            {
                scale = channels.Select(c => constant[c] ? 0f : 1f).ToArray();
                shift = new float[channels.Length];
            }
            long[] dims = { channels.Length };
            string norm = context.Graph.Add("InstanceNormalization", block.Name + ".instnorm", new[]
            {
                x, context.Graph.Float32(block.NormWeight, dims, scale), context.Graph.Float32(block.NormBias, dims, shift),
            }, OnnxAttribute.Of("epsilon", (float)spec.Norm.Eps));
            string activated = spec.Activation.Kind == ActivationKind.Relu
                ? context.Graph.Add("Relu", block.Name + ".relu", new[] { norm })
                : context.Graph.Add("LeakyRelu", block.Name + ".lrelu", new[] { norm }, OnnxAttribute.Of("alpha", (float)spec.Activation.Slope));
            if (context.Half) activated = context.Graph.Add("Cast", block.Name + ".to_fp16", new[] { activated }, OnnxAttribute.Of("to", (long)OnnxDataType.Float16));
            return activated;
        }

        /// <summary>Adds Conv nodes of one block and adds up what they cost.</summary>
        private sealed class ConvBuilder
        {
            private readonly EmitContext _context;
            private readonly BlockIr _block;
            private readonly float[] _weight;
            private readonly long[] _shape;
            private readonly int[]? _foldOffsets;
            private readonly int _foldShift;
            private readonly long _macsPerKernel;

            public ConvBuilder(EmitContext context, BlockIr block, float[] weight, long[] shape, int[]? foldOffsets, int foldShift, long macsPerKernel)
            {
                _context = context;
                _block = block;
                _weight = weight;
                _shape = shape;
                _foldOffsets = foldOffsets;
                _foldShift = foldShift;
                _macsPerKernel = macsPerKernel;
            }

            public long Parameters { get; private set; }

            public long NonZero { get; private set; }

            public long Macs { get; private set; }

            public string Add(string input, IReadOnlyList<(int Out, int[] Ins)> rows, int groups, string name)
            {
                float[] values = ConvWeights.Build(_weight, _shape, rows, _foldOffsets, _foldShift, out long[] dims);
                var inputs = new List<string> { input, _context.Graph.Weight(_block.ConvWeight, dims, values) };
                Parameters += values.LongLength;
                NonZero += ConvWeights.NonZero(values);
                Macs += dims[0] * dims[1] * _macsPerKernel;
                // No bias: a per-channel constant added before instance normalization is exactly removed by it (the norm
                // subtracts the channel's mean), so the bias cancels; leaving it out also keeps the channel's mean small
                // relative to its spread, which the norm's mean computation needs for accuracy.
                int pad = _foldOffsets != null ? _foldShift : 0;
                Int3 p = _block.Padding, s = _block.Stride;
                var attributes = new List<OnnxAttribute>
                {
                    OnnxAttribute.Of("kernel_shape", new[] { dims[2], dims[3], dims[4] }),
                    OnnxAttribute.Of("pads", new long[] { p.D + pad, p.H, p.W, p.D + pad, p.H, p.W }),
                    OnnxAttribute.Of("strides", new long[] { s.D, s.H, s.W }),
                };
                if (groups > 1) attributes.Add(OnnxAttribute.Of("group", (long)groups));
                return _context.Graph.Add("Conv", name, inputs, attributes.ToArray());
            }
        }
    }
}
