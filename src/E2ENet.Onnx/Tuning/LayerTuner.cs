using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Diagnostics;
using E2ENet.Onnx.Emit;
using E2ENet.Onnx.Graph;
using E2ENet.Onnx.Proto;
using E2ENet.Onnx.Pruning;
using E2ENet.Onnx.Weights;
using Microsoft.ML.OnnxRuntime;

namespace E2ENet.Onnx.Tuning
{
    /// <summary>
    /// Chooses each block's lowering by measured ONNX Runtime (CPU) latency. For every block with more than one exact
    /// candidate (<see cref="LoweringCandidates"/>), each candidate is emitted as a small graph (the block's sources as
    /// inputs, at the tuning patch, up to the convolution's output), run twice to warm up and then at least <c>runs</c> times
    /// (more for very fast layers, up to 30 ms in total); the reference lowering is measured again after the others and keeps
    /// the faster of its two medians; the fastest median wins, but the reference lowering stays unless another is at least
    /// 5% faster. The candidates' outputs are also compared with the reference lowering's: a disagreement is a
    /// defect of the exporter and stops the export (E2E6104). Layers are measured one at a time, in evaluation order, each
    /// with the channel layouts the choices before it produce.
    /// </summary>
    public static class LayerTuner
    {
        /// <summary>Largest relative difference between two lowerings of one layer (fp32; fp16 graphs allow 1e-2).</summary>
        public const double Agreement = 1e-4;

        /// <summary>Timed runs of one candidate go on until they add up to at least this (unless <see cref="MaximumRuns"/> is reached).</summary>
        public const double MinimumMilliseconds = 30;

        /// <summary>How much faster than the reference lowering another must be to be chosen (5%).</summary>
        public const double Margin = 0.05;

        /// <summary>The most timed runs of one candidate.</summary>
        public const int MaximumRuns = 25;

        /// <summary>Measures and chooses.</summary>
        /// <param name="flow">The dataflow of the network's IR at the tuning patch.</param>
        /// <param name="liveness">The pruning pass (of the same network; layer names match).</param>
        /// <param name="weights">The weights.</param>
        /// <param name="half">Measure fp16 graphs.</param>
        /// <param name="costs">The channel-selection cost rule.</param>
        /// <param name="runs">Timed runs per candidate (after two warm-up runs).</param>
        /// <param name="progress">Receives one line per measured layer.</param>
        public static TuningResult Tune(Dataflow flow, ChannelLiveness liveness, ModelWeights weights, bool half, CostModel costs, int runs, Action<string>? progress = null)
        {
            NetworkIr ir = flow.Network;
            var layouts = new Dictionary<string, int[]>(StringComparer.Ordinal) { [Dataflow.InputValue] = Enumerable.Range(0, ir.Spec.Input.Channels).ToArray() };
            var results = new List<LayerTiming>();
            var measured = flow.Layers.Where(l => l.Kind == LayerKind.Block && !liveness.Layers[l.Name].Dead).ToList();
            int index = 0;
            foreach (DataflowLayer layer in flow.Layers)
            {
                LayerLiveness live = liveness.Layers[layer.Name];
                if (live.Dead) continue;
                switch (layer.Kind)
                {
                    case LayerKind.Up:
                        layouts[layer.Output] = live.Out;
                        continue;
                    case LayerKind.Down:
                        layouts[layer.Output] = layouts[layer.Sources[0].Value];
                        continue;
                    case LayerKind.Head:
                        continue;
                }
                index++;
                KernelPresence kernels = liveness.Presence[layer.Name];
                IReadOnlyList<BlockLowering> candidates = LoweringCandidates.For(layer, live, kernels, costs);
                if (candidates.Count == 1)
                {
                    layouts[layer.Output] = live.Out;
                    continue;
                }
                float[][] inputs = RandomInputs(layer, ir, layouts, index);
                // The inputs of a large layer are hundreds of MB: collect now, so that a background collection does not run
                // during the first candidate's timed runs (on 2 cores it took one of them: the first candidate of the large
                // encoder layers measured 2-3x slow at 64x160x160).
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var measuredTimes = new double[candidates.Count];
                var candidateLayouts = new int[candidates.Count][];
                var candidateMacs = new long[candidates.Count];
                float[]? reference = null;
                byte[]? referenceModel = null;
                for (int c = 0; c < candidates.Count; c++)
                {
                    BlockLowering candidate = candidates[c];
                    (byte[] model, int[] layout, long macs) = Candidate(layer, live, kernels, weights, ir, layouts, candidate, half, costs);
                    (float[] output, double milliseconds) = Measure(model, layer, ir, layouts, inputs, runs);
                    (measuredTimes[c], candidateLayouts[c], candidateMacs[c]) = (milliseconds, layout, macs);
                    if (reference == null)
                    {
                        reference = output;
                        referenceModel = model;
                        continue;
                    }
                    double error = Difference(reference, candidateLayouts[0], output, layout, live.Out);
                    if (!(error <= (half ? 1e-2 : Agreement)))
                    {
                        throw new E2ENetOnnxException(OnnxErrors.LoweringMismatch, null, string.Format(CultureInfo.InvariantCulture,
                            "layer {0}: the {1} lowering differs from {2} by {3:E2} (relative); this is a defect of the exporter: export with --no-tune to use the reference lowering, and report it",
                            layer.Name, candidate, candidates[0], error));
                    }
                }
                // The reference is measured first and again last, and keeps the faster of its two medians: the first
                // measurement of a layer can pay for a transient the others do not (early layers of the process: at
                // 32x64x64 AmosCtFast's encoder convolutions measured up to twice their time first, once as slow as their
                // folded shift with three times the MACs), and a reference measured slow makes every other candidate look
                // faster than it is.
                double firstPass = measuredTimes[0];
                measuredTimes[0] = Math.Min(firstPass, Measure(referenceModel!, layer, ir, layouts, inputs, runs).Milliseconds);
                var timings = candidates.Select((c, k) => new CandidateTiming(c.ToString(), measuredTimes[k], candidateMacs[k], k == 0 ? firstPass : null)).ToList();

                // The reference lowering stays unless another is at least Margin faster (the fastest such one wins):
                // timings of equal lowerings differ by noise, and a flip for nothing only makes the graph harder to read.
                int chosenIndex = 0;
                for (int c = 1; c < candidates.Count; c++)
                {
                    if (measuredTimes[c] < measuredTimes[0] * (1 - Margin) && (chosenIndex == 0 || measuredTimes[c] < measuredTimes[chosenIndex])) chosenIndex = c;
                }
                BlockLowering chosen = candidates[chosenIndex];
                int[] chosenLayout = candidateLayouts[chosenIndex];
                layouts[layer.Output] = chosenLayout;
                results.Add(new LayerTiming(layer.Name, chosen, timings));
                progress?.Invoke(string.Format(CultureInfo.InvariantCulture, "tune {0,3}/{1} {2}: {3} -> {4}", index, measured.Count, layer.Name,
                    string.Join(", ", timings.Select(Describe)), chosen));
            }
            return new TuningResult(ir.Spec.Input.Patch, runs, results);
        }

        /// <summary>"concat+pad 39.2 ms", with the reference's first measurement where it was more than <see cref="Margin"/> slower ("(first 52.9 ms)").</summary>
        public static string Describe(CandidateTiming timing)
        {
            string text = timing.Lowering + " " + timing.Milliseconds.ToString("0.0##", CultureInfo.InvariantCulture) + " ms";
            if (timing.FirstPassMilliseconds is double first && first > timing.Milliseconds * (1 + Margin))
            {
                text += " (first " + first.ToString("0.0##", CultureInfo.InvariantCulture) + " ms)";
            }
            return text;
        }

        private static (byte[] Model, int[] Layout, long Macs) Candidate(DataflowLayer layer, LayerLiveness live, KernelPresence kernels, ModelWeights weights, NetworkIr ir,
            Dictionary<string, int[]> layouts, BlockLowering lowering, bool half, CostModel costs)
        {
            var graph = new GraphBuilder(half ? OnnxDataType.Float16 : OnnxDataType.Float);
            var context = new EmitContext(graph, weights, ir.Spec.Block, costs);
            var inputs = new List<OnnxValueInfo>();
            var sources = new EmittedValue?[layer.Sources.Count];
            for (int s = 0; s < layer.Sources.Count; s++)
            {
                SourceRef source = layer.Sources[s];
                if (!layouts.TryGetValue(source.Value, out int[]? layout)) continue;
                string name = "source" + s.ToString(CultureInfo.InvariantCulture);
                graph.Reserve(name);
                inputs.Add(new OnnxValueInfo(name, OnnxDataType.Float, Dims(layout.Length, layer.Block!.InputSize)));
                string tensor = half ? graph.Add("Cast", name + ".fp16", new[] { name }, OnnxAttribute.Of("to", (long)OnnxDataType.Float16)) : name;
                sources[s] = new EmittedValue(tensor, layout);
            }
            (EmittedValue output, LayerExecution execution) = BlockEmitter.Emit(context, layer, live, kernels, sources, lowering, normalize: false);
            graph.AddNamed(half ? "Cast" : "Identity", "output", new[] { output.Tensor }, half ? new[] { OnnxAttribute.Of("to", (long)OnnxDataType.Float) } : Array.Empty<OnnxAttribute>());
            var outputs = new[] { new OnnxValueInfo("output", OnnxDataType.Float, Dims(output.Layout.Length, layer.Block!.OutputSize)) };
            var model = new OnnxModel(graph.Build("tune", inputs, outputs), OnnxOpsets.Default, OnnxOpsets.IrVersion(OnnxOpsets.Default), "e2enet-tuner", "0",
                Array.Empty<KeyValuePair<string, string>>());
            return (model.ToBytes(), output.Layout, execution.Macs);
        }

        private static OnnxDim[] Dims(int channels, Int3 size)
            => new[] { OnnxDim.Fixed(1), OnnxDim.Fixed(channels), OnnxDim.Fixed(size.D), OnnxDim.Fixed(size.H), OnnxDim.Fixed(size.W) };

        private static float[][] RandomInputs(DataflowLayer layer, NetworkIr ir, Dictionary<string, int[]> layouts, int seed)
        {
            var random = new Random(seed);
            var inputs = new float[layer.Sources.Count][];
            for (int s = 0; s < layer.Sources.Count; s++)
            {
                if (!layouts.TryGetValue(layer.Sources[s].Value, out int[]? layout)) continue;
                Int3 size = layer.Block!.InputSize;
                var values = new float[layout.Length * size.Volume];
                for (long i = 0; i < values.LongLength; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
                inputs[s] = values;
            }
            return inputs;
        }

        private static (float[] Output, double Milliseconds) Measure(byte[] model, DataflowLayer layer, NetworkIr ir, Dictionary<string, int[]> layouts, float[][] inputs, int runs)
        {
            using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
            InferenceSession session;
            try
            {
                session = new InferenceSession(model, options);
            }
            catch (OnnxRuntimeException e)
            {
                throw new E2ENetOnnxException(OnnxErrors.GraphRejected, null, "ONNX Runtime rejected the graph of layer " + layer.Name + ": " + e.Message + "; this is a defect of the exporter", e);
            }
            using (session)
            {
                var names = new List<string>();
                var values = new List<OrtValue>();
                try
                {
                    Int3 size = layer.Block!.InputSize;
                    for (int s = 0; s < layer.Sources.Count; s++)
                    {
                        if (inputs[s] == null || !session.InputMetadata.ContainsKey("source" + s.ToString(CultureInfo.InvariantCulture))) continue;
                        names.Add("source" + s.ToString(CultureInfo.InvariantCulture));
                        values.Add(OrtValue.CreateTensorValueFromMemory(inputs[s], new long[] { 1, layouts[layer.Sources[s].Value].Length, size.D, size.H, size.W }));
                    }
                    using var runOptions = new RunOptions();
                    float[] output;
                    using (var first = session.Run(runOptions, names, values, new[] { "output" }))
                    {
                        output = first[0].GetTensorDataAsSpan<float>().ToArray();
                    }
                    // A second warm-up: ONNX Runtime plans the session's memory from its first run and allocates that plan
                    // in the second, which at large patches pays for touching it (seconds at 64x160x160, more for lowerings
                    // with larger intermediates), a cost no later run has.
                    using (session.Run(runOptions, names, values, new[] { "output" })) { }
                    // At least `runs` timed runs and at least MinimumMilliseconds in total (tiny layers are noisy), at most MaximumRuns.
                    var times = new List<double>();
                    double total = 0;
                    while (times.Count < Math.Max(1, runs) || (total < MinimumMilliseconds && times.Count < MaximumRuns))
                    {
                        var watch = Stopwatch.StartNew();
                        using (session.Run(runOptions, names, values, new[] { "output" })) { }
                        times.Add(watch.Elapsed.TotalMilliseconds);
                        total += times[times.Count - 1];
                    }
                    times.Sort();
                    return (output, times[times.Count / 2]);
                }
                finally
                {
                    foreach (OrtValue value in values) value.Dispose();
                }
            }
        }

        /// <summary>
        /// max |a - b| / max |a| over the live output <paramref name="channels"/>, matched through the layouts (a grouped
        /// lowering by a unit's groups also computes the dead outputs of its groups, which other lowerings leave out).
        /// </summary>
        private static double Difference(float[] a, int[] layoutA, float[] b, int[] layoutB, int[] channels)
        {
            long plane = a.LongLength / layoutA.Length;
            var positionA = new Dictionary<int, int>();
            for (int k = 0; k < layoutA.Length; k++) positionA[layoutA[k]] = k;
            var positionB = new Dictionary<int, int>();
            for (int k = 0; k < layoutB.Length; k++) positionB[layoutB[k]] = k;
            double diff = 0, reference = 0;
            foreach (int channel in channels)
            {
                long offsetA = positionA[channel] * plane, offsetB = positionB[channel] * plane;
                for (long v = 0; v < plane; v++)
                {
                    diff = Math.Max(diff, Math.Abs(a[offsetA + v] - b[offsetB + v]));
                    reference = Math.Max(reference, Math.Abs(a[offsetA + v]));
                }
            }
            return diff / Math.Max(reference, 1e-30);
        }
    }
}
