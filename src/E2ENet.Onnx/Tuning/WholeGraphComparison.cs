using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Runtime;
using E2ENet.Onnx.Verification;

namespace E2ENet.Onnx.Tuning
{
    /// <summary>
    /// The whole-graph check of a tuning: both graphs' median latency at the tuning patch, their executed multiply-accumulates
    /// at the model's patch, and which was kept.
    /// </summary>
    public sealed record WholeGraphTiming(double TunedMilliseconds, double ReferenceMilliseconds, bool KeptTuned, long TunedMacs = 0, long ReferenceMacs = 0)
    {
        /// <summary>Whether neither graph was <see cref="WholeGraphComparison.Margin"/> faster, so the executed MACs decided.</summary>
        public bool Tie => !(TunedMilliseconds < ReferenceMilliseconds * (1 - WholeGraphComparison.Margin))
            && !(ReferenceMilliseconds < TunedMilliseconds * (1 - WholeGraphComparison.Margin));
    }

    /// <summary>
    /// Layers measured one at a time do not add up to a graph: ONNX Runtime plans memory, fuses nodes and reuses caches
    /// across the whole graph. After per-layer tuning, the tuned and the reference graphs are therefore timed whole, at the
    /// tuning patch, interleaved (warm-up, then at least three runs each). The faster graph is kept when it is at least
    /// <see cref="Margin"/> faster; within that margin the times do not tell them apart (a 2-core machine measured 8821 vs
    /// 8829 ms for AmosCtFast at 64x160x160), and the graph that executes fewer multiply-accumulates is kept: for a group-unit
    /// model that is the grouped lowering, which executes 33% of the dense MACs where the reference executes 76%.
    /// </summary>
    public static class WholeGraphComparison
    {
        /// <summary>How much faster the tuned graph must be (2%).</summary>
        public const double Margin = 0.02;

        /// <summary>Times both graphs on one seeded input of <paramref name="patch"/>.</summary>
        public static WholeGraphTiming Compare(byte[] tuned, byte[] reference, int channels, Int3 patch, int runs, long tunedMacs, long referenceMacs)
        {
            float[] input = ExportVerifier.RandomInput(channels, patch, 17, out long[] shape);
            using OnnxRunner tunedRunner = OnnxRunner.Create(tuned, ExecutionDevice.Cpu);
            using OnnxRunner referenceRunner = OnnxRunner.Create(reference, ExecutionDevice.Cpu);
            tunedRunner.Run(input, shape, out _);
            referenceRunner.Run(input, shape, out _);
            var tunedTimes = new List<double>();
            var referenceTimes = new List<double>();
            for (int r = 0; r < System.Math.Max(3, runs); r++)
            {
                tunedTimes.Add(Time(tunedRunner, input, shape));
                referenceTimes.Add(Time(referenceRunner, input, shape));
            }
            double tunedMedian = Median(tunedTimes), referenceMedian = Median(referenceTimes);
            return new WholeGraphTiming(tunedMedian, referenceMedian, KeepTuned(tunedMedian, referenceMedian, tunedMacs, referenceMacs), tunedMacs, referenceMacs);
        }

        /// <summary>
        /// The decision: the tuned graph when it is at least <see cref="Margin"/> faster, the reference when it is; between,
        /// the one executing fewer multiply-accumulates (the reference on equal counts).
        /// </summary>
        public static bool KeepTuned(double tunedMilliseconds, double referenceMilliseconds, long tunedMacs, long referenceMacs)
        {
            if (tunedMilliseconds < referenceMilliseconds * (1 - Margin)) return true;
            if (referenceMilliseconds < tunedMilliseconds * (1 - Margin)) return false;
            return tunedMacs < referenceMacs;
        }

        private static double Time(OnnxRunner runner, float[] input, long[] shape)
        {
            var watch = Stopwatch.StartNew();
            runner.Run(input, shape, out _);
            return watch.Elapsed.TotalMilliseconds;
        }

        private static double Median(List<double> values)
        {
            var sorted = values.OrderBy(v => v).ToList();
            return sorted[sorted.Count / 2];
        }
    }
}
