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
    /// Emits the two resampling paths of a fusion node: the transposed convolution that upsamples the coarser source
    /// (ConvTranspose, kernel = stride = pool, with nnU-Net's bias where the IR has one; only its live input and output channels;
    /// with a <c>unit group</c> mask one grouped ConvTranspose over each group's kept inputs when that saves a fifth of the
    /// multiply-accumulates) and the max-pool that
    /// downsamples the finer source (MaxPool, kernel = stride = pool, over the source's channels as they are).
    /// </summary>
    public static class ResamplingEmitter
    {
        /// <summary>Emits an up path.</summary>
        public static (EmittedValue Output, LayerExecution Execution) Up(EmitContext context, DataflowLayer layer, LayerLiveness live, EmittedValue source, KernelPresence kernels)
        {
            UpIr up = layer.Up ?? throw new ArgumentException(layer.Name + " is not an up path", nameof(layer));
            float[] weight = context.Weights[up.Weight];
            long[] shape = context.Weights.Shape(up.Weight); // [in, out, kD, kH, kW]
            long taps = shape[2] * shape[3] * shape[4];
            long inVoxels = up.InputSize.Volume;
            var position = new Dictionary<int, int>();
            for (int p = 0; p < source.Layout.Length; p++) position[source.Layout[p]] = p;

            if (up.Mask is { Unit: SparsityUnit.Group } mask
                && OutputGrouping.ByUnitIfSmaller(kernels, live.Out, live.In, mask.Group, transposed: true) is { } partition)
            {
                return Grouped(context, up, live, source, position, partition.Groups, partition.Unions, weight, shape, taps, inVoxels);
            }

            long unread = source.Layout.Length - live.In.Length;
            bool select = unread > 0 && unread * live.Out.Length * taps > context.Costs.CopyCostInMacs * live.In.Length;
            int[] positions = select ? live.In.Select(i => position[i]).OrderBy(p => p).ToArray() : Enumerable.Range(0, source.Layout.Length).ToArray();
            string x = ChannelSelect.Select(context, source.Tensor, positions, source.Layout.Length, up.Name);
            long copied = x != source.Tensor ? positions.Length * inVoxels : 0;
            int[] ins = positions.Select(p => source.Layout[p]).ToArray();

            int outTotal = (int)shape[1];
            var values = new float[(long)ins.Length * live.Out.Length * taps];
            for (int r = 0; r < ins.Length; r++)
            {
                for (int c = 0; c < live.Out.Length; c++)
                {
                    Array.Copy(weight, ((long)ins[r] * outTotal + live.Out[c]) * taps, values, ((long)r * live.Out.Length + c) * taps, taps);
                }
            }
            long[] dims = { ins.Length, live.Out.Length, shape[2], shape[3], shape[4] };
            Int3 kernel = up.Kernel;
            var inputs = new List<string> { x, context.Graph.Weight(up.Weight, dims, values) };
            if (up.Bias)
            {
                // nnU-Net's transposed convolutions have a bias (E2ENet's do not): the live output channels' entries.
                float[] bias = context.Weights[up.BiasName];
                inputs.Add(context.Graph.Weight(up.BiasName, new long[] { live.Out.Length }, live.Out.Select(c => bias[c]).ToArray()));
            }
            string output = context.Graph.Add("ConvTranspose", up.Name, inputs.ToArray(),
                OnnxAttribute.Of("kernel_shape", new long[] { kernel.D, kernel.H, kernel.W }), OnnxAttribute.Of("strides", new long[] { kernel.D, kernel.H, kernel.W }));
            long biases = up.Bias ? live.Out.Length : 0;
            var execution = new LayerExecution("convtranspose", values.LongLength + biases, ConvWeights.NonZero(values) + biases, (long)ins.Length * live.Out.Length * taps * inVoxels,
                copied, live.In.Length, live.Out.Length);
            return (new EmittedValue(output, live.Out), execution);
        }

        /// <summary>
        /// A <c>unit group</c> up path: one Gather of every output group's inputs (padded to the widest group with zero weights;
        /// constant fan-in leaves no padding) and one grouped ConvTranspose, which executes only the kept connections.
        /// </summary>
        private static (EmittedValue Output, LayerExecution Execution) Grouped(EmitContext context, UpIr up, LayerLiveness live, EmittedValue source,
            Dictionary<int, int> position, int[][] groups, int[][] unions, float[] weight, long[] shape, long taps, long inVoxels)
        {
            int widest = Math.Max(1, unions.Max(u => u.Length));
            int size = groups[0].Length;
            int outTotal = (int)shape[1];
            var indices = new List<long>();
            var values = new float[(long)groups.Length * widest * size * taps];
            for (int g = 0; g < groups.Length; g++)
            {
                long filler = unions[g].Length > 0 ? position[unions[g][0]] : position[live.In[0]];
                for (int k = 0; k < widest; k++)
                {
                    indices.Add(k < unions[g].Length ? position[unions[g][k]] : filler);
                    if (k >= unions[g].Length) continue;
                    for (int j = 0; j < size; j++)
                    {
                        Array.Copy(weight, ((long)unions[g][k] * outTotal + groups[g][j]) * taps, values, (((long)g * widest + k) * size + j) * taps, taps);
                    }
                }
            }
            string gathered = context.Graph.Add("Gather", up.Name + ".groups", new[] { source.Tensor, context.Graph.Int64(indices.ToArray()) }, OnnxAttribute.Of("axis", 1L));
            int[] outs = groups.SelectMany(g => g).ToArray();
            var inputs = new List<string> { gathered, context.Graph.Weight(up.Weight, new long[] { groups.Length * widest, size, shape[2], shape[3], shape[4] }, values) };
            if (up.Bias)
            {
                float[] bias = context.Weights[up.BiasName];
                inputs.Add(context.Graph.Weight(up.BiasName, new long[] { outs.Length }, outs.Select(c => bias[c]).ToArray()));
            }
            Int3 kernel = up.Kernel;
            string output = context.Graph.Add("ConvTranspose", up.Name, inputs.ToArray(),
                OnnxAttribute.Of("kernel_shape", new long[] { kernel.D, kernel.H, kernel.W }), OnnxAttribute.Of("strides", new long[] { kernel.D, kernel.H, kernel.W }),
                OnnxAttribute.Of("group", (long)groups.Length));
            long biases = up.Bias ? outs.Length : 0;
            var execution = new LayerExecution(new BlockLowering(ConvLowering.Grouped, ShiftLowering.None, groups.Length).ToString(),
                values.LongLength + biases, ConvWeights.NonZero(values) + biases, values.LongLength * inVoxels, indices.Count * inVoxels, live.In.Length, outs.Length);
            return (new EmittedValue(output, outs), execution);
        }

        /// <summary>Emits a down path (max-pool of the finer source, channels as the source has them).</summary>
        public static (EmittedValue Output, LayerExecution Execution) Down(EmitContext context, DataflowLayer layer, LayerLiveness live, EmittedValue source, Int3 outputSize)
        {
            Int3 pool = layer.Pool ?? throw new ArgumentException(layer.Name + " is not a down path", nameof(layer));
            string output = context.Graph.Add("MaxPool", layer.Name, new[] { source.Tensor },
                OnnxAttribute.Of("kernel_shape", new long[] { pool.D, pool.H, pool.W }), OnnxAttribute.Of("strides", new long[] { pool.D, pool.H, pool.W }));
            long copied = source.Layout.Length * outputSize.Volume;
            return (new EmittedValue(output, source.Layout), new LayerExecution("maxpool", 0, 0, 0, copied, live.In.Length, live.Out.Length));
        }
    }
}
