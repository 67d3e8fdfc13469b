using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Runtime;
using E2ENet.Onnx.Verification;

namespace E2ENet.Onnx.Tuning
{
    /// <summary>The whole-graph check of a tuning: both graphs' median latency at the tuning patch, and which was kept.</summary>
    public sealed record WholeGraphTiming(double TunedMilliseconds, double ReferenceMilliseconds, bool KeptTuned);

    /// <summary>
    /// Layers measured one at a time do not add up to a graph: ONNX Runtime plans memory, fuses nodes and reuses caches
    /// across the whole graph. After per-layer tuning, the tuned and the reference graphs are therefore timed whole, at the
    /// tuning patch, interleaved (warm-up, then at least three runs each), and the tuned lowerings are kept only when the
    /// tuned graph is at least <see cref="Margin"/> faster.
    /// </summary>
    public static class WholeGraphComparison
    {
        /// <summary>How much faster the tuned graph must be (2%).</summary>
        public const double Margin = 0.02;

        /// <summary>Times both graphs on one seeded input of <paramref name="patch"/>.</summary>
        public static WholeGraphTiming Compare(byte[] tuned, byte[] reference, int channels, Int3 patch, int runs)
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
            return new WholeGraphTiming(tunedMedian, referenceMedian, tunedMedian < referenceMedian * (1 - Margin));
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
