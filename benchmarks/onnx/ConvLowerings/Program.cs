using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using E2ENet.Onnx.Graph;
using E2ENet.Onnx.Proto;
using E2ENet.Onnx.Verification;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace E2ENet.Benchmarks.ConvLowerings
{
    /// <summary>
    /// One 1x3x3 convolution (the block convolution of E2ENet: docs/method.md), dense or grouped, timed in ONNX Runtime CPU
    /// in several exact lowerings, each checked against the first: how many GMAC/s each gets, and whether a layout other
    /// than ONNX's (N, C, D, H, W) Conv would run a grouped convolution faster per MAC. A 3x3x3 convolution of the same
    /// channels (nnU-Net's) is timed alongside for its GMAC/s. Prints one line per lowering; exits 1 when a lowering disagrees.
    /// </summary>
    public static class Program
    {
        private const string Usage = "usage: ConvLowerings [--in C] [--out C] [--groups G] [--patch D,H,W] [--threads N] [--runs N]\n"
            + "  defaults: --in 152 --out 48 --groups 8 --patch 32,64,64 (AmosCtFast's full-resolution fusion layer at 32x64x64),\n"
            + "  --threads 0 (ONNX Runtime's default: one per core), --runs 7 (after 3 warm-up runs; the median is printed)";

        public static int Main(string[] args)
        {
            int inC = 152, outC = 48, groups = 8, threads = 0, runs = 7;
            int[] patch = { 32, 64, 64 };
            for (int i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException(args[i] + " needs a value");
                switch (args[i])
                {
                    case "--in": inC = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--out": outC = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--groups": groups = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--threads": threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--runs": runs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--patch": patch = Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                    default: Console.Error.WriteLine(Usage); return args[i] == "-h" || args[i] == "--help" ? 0 : 2;
                }
            }
            if (patch.Length != 3 || groups < 1 || inC % groups != 0 || outC % groups != 0 || runs < 1)
            {
                Console.Error.WriteLine("ConvLowerings: --patch needs D,H,W, and --groups must divide --in and --out\n" + Usage);
                return 2;
            }
            return Run(inC, outC, groups, patch[0], patch[1], patch[2], threads, runs);
        }

        private static int Run(int inC, int outC, int groups, int d, int h, int w, int threads, int runs)
        {
            var random = new Random(1);
            int inPerGroup = inC / groups, outPerGroup = outC / groups;
            float[] kernel = Uniform(random, (long)outC * inPerGroup * 9);
            float[] kernel333 = Uniform(random, (long)outC * inPerGroup * 27);
            float[] input = Uniform(random, (long)inC * d * h * w);
            long[] x5 = { 1, inC, d, h, w }, y5 = { 1, outC, d, h, w };
            var group = OnnxAttribute.Of("group", (long)groups);

            var lowerings = new List<(string Name, byte[] Model, long[] InputShape, bool DepthMajor, long Macs)>();
            long macs = (long)outC * inPerGroup * 9 * d * h * w;

            // 1. The exporter's lowering: one Conv over (N, C, D, H, W) with a 1x3x3 kernel.
            {
                var g = new GraphBuilder();
                g.Reserve("x");
                string weight = g.Weight("w", new long[] { outC, inPerGroup, 1, 3, 3 }, kernel);
                g.AddNamed("Conv", "y", new[] { "x", weight }, Ints("kernel_shape", 1, 3, 3), Ints("pads", 0, 1, 1, 0, 1, 1), group);
                lowerings.Add(("Conv 1x3x3 on (N, C, D, H, W)", Model(g, x5, y5), x5, false, macs));
            }
            // 2. A 2D Conv over the depth slices: Transpose to (D, C, H, W), Conv 3x3, back. ONNX Runtime runs 2D convolutions
            //    in its blocked NCHWc layout where the channels allow, which it does not for 3D ones.
            {
                var g = new GraphBuilder();
                g.Reserve("x");
                string weight = g.Weight("w", new long[] { outC, inPerGroup, 3, 3 }, kernel);
                string t = g.Add("Transpose", "to_depth_major", new[] { "x" }, Ints("perm", 0, 2, 1, 3, 4));
                string r = g.Add("Reshape", "slices", new[] { t, g.Int64(d, inC, h, w) });
                string c = g.Add("Conv", "conv2d", new[] { r, weight }, Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1), group);
                string back = g.Add("Reshape", "volume", new[] { c, g.Int64(1, d, outC, h, w) });
                g.AddNamed("Transpose", "y", new[] { back }, Ints("perm", 0, 2, 1, 3, 4));
                lowerings.Add(("Transpose + Conv 3x3 + Transpose", Model(g, x5, y5), x5, false, macs));
            }
            // 3. The same 2D Conv on an input already depth-major (what a graph kept in that layout throughout would run).
            {
                var g = new GraphBuilder();
                g.Reserve("x");
                string weight = g.Weight("w", new long[] { outC, inPerGroup, 3, 3 }, kernel);
                g.AddNamed("Conv", "y", new[] { "x", weight }, Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1), group);
                lowerings.Add(("Conv 3x3 on depth-major (D, C, H, W)", Model(g, new long[] { d, inC, h, w }, new long[] { d, outC, h, w }), new long[] { d, inC, h, w }, true, macs));
            }
            // 4. The depth slices stacked along H: Pad H by one per slice, Conv 3x3 with no H padding, drop the rows between slices.
            {
                var g = new GraphBuilder();
                g.Reserve("x");
                string weight = g.Weight("w", new long[] { outC, inPerGroup, 3, 3 }, kernel);
                string padded = g.Add("Pad", "pad_h", new[] { "x", g.Int64(0, 0, 0, 1, 0, 0, 0, 0, 1, 0) });
                string stacked = g.Add("Reshape", "stacked", new[] { padded, g.Int64(1, inC, d * (h + 2), w) });
                string c = g.Add("Conv", "conv2d", new[] { stacked, weight }, Ints("kernel_shape", 3, 3), Ints("pads", 0, 1, 0, 1), group);
                string tail = g.Add("Pad", "pad_tail", new[] { c, g.Int64(0, 0, 0, 0, 0, 0, 2, 0) });
                string volume = g.Add("Reshape", "volume", new[] { tail, g.Int64(1, outC, d, h + 2, w) });
                g.AddNamed("Slice", "y", new[] { volume, g.Int64(0), g.Int64(h), g.Int64(3) });
                lowerings.Add(("Pad + Conv 3x3 over stacked slices + Slice", Model(g, x5, y5), x5, false, macs));
            }
            // 5. ConvTranspose with the flipped kernel (stride 1: the same function; ONNX Runtime runs GEMM then col2im, no im2col).
            {
                var g = new GraphBuilder();
                g.Reserve("x");
                var flipped = new float[kernel.Length];
                for (int gi = 0; gi < groups; gi++)
                    for (int o = 0; o < outPerGroup; o++)
                        for (int i = 0; i < inPerGroup; i++)
                            for (int a = 0; a < 3; a++)
                                for (int b = 0; b < 3; b++)
                                    flipped[((long)(gi * inPerGroup + i) * outPerGroup + o) * 9 + (2 - a) * 3 + (2 - b)] = kernel[((long)(gi * outPerGroup + o) * inPerGroup + i) * 9 + a * 3 + b];
                string weight = g.Weight("w", new long[] { inC, outPerGroup, 1, 3, 3 }, flipped);
                g.AddNamed("ConvTranspose", "y", new[] { "x", weight }, Ints("kernel_shape", 1, 3, 3), Ints("pads", 0, 1, 1, 0, 1, 1), group);
                lowerings.Add(("ConvTranspose 1x3x3, flipped kernel", Model(g, x5, y5), x5, false, macs));
            }
            // 6. For its GMAC/s only (a different function): a 3x3x3 convolution of the same channels, as nnU-Net's U-Net runs.
            {
                var g = new GraphBuilder();
                g.Reserve("x");
                string weight = g.Weight("w", new long[] { outC, inPerGroup, 3, 3, 3 }, kernel333);
                g.AddNamed("Conv", "y", new[] { "x", weight }, Ints("kernel_shape", 3, 3, 3), Ints("pads", 1, 1, 1, 1, 1, 1), group);
                lowerings.Add(("(other function) Conv 3x3x3", Model(g, x5, y5), x5, false, macs * 3));
            }

            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "1x3x3 convolution {0} -> {1} channels, {2} group(s) ({3} in, {4} out per group), patch {5}x{6}x{7}, {8:0.000} GMACs; ONNX Runtime CPU, {9} intra-op threads, {10} logical cores; median of {11} runs after 3 warm-ups",
                inC, outC, groups, inPerGroup, outPerGroup, d, h, w, macs / 1e9, threads == 0 ? "default" : threads.ToString(CultureInfo.InvariantCulture), Environment.ProcessorCount, runs));
            float[]? reference = null;
            bool agree = true;
            foreach (var (name, model, shape, depthMajor, lowered) in lowerings)
            {
                float[] x = depthMajor ? SwapAxes(input, inC, d, h * w) : input;
                (float[] y, double ms) = Time(model, x, shape, threads, runs);
                if (depthMajor) y = SwapAxes(y, d, outC, h * w);
                string check = string.Empty;
                if (reference == null) reference = y;
                else if (!name.StartsWith("(", StringComparison.Ordinal))
                {
                    double error = ExportVerifier.RelativeError(y, reference);
                    check = string.Format(CultureInfo.InvariantCulture, "  (max |diff| / max |ref| {0:E1})", error);
                    if (!(error < 1e-4)) { agree = false; check += " DISAGREES"; }
                }
                Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  {0,-44} {1,9:0.0} ms {2,8:0.0} GMAC/s{3}", name, ms, lowered / 1e6 / ms, check));
            }
            return agree ? 0 : 1;
        }

        private static (float[] Output, double Milliseconds) Time(byte[] model, float[] input, long[] shape, int threads, int runs)
        {
            using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = threads };
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            using var session = new InferenceSession(model, options);
            var tensor = new DenseTensor<float>(input, shape.Select(v => (int)v).ToArray());
            var inputs = new[] { NamedOnnxValue.CreateFromTensor("x", tensor) };
            float[] output = Array.Empty<float>();
            var times = new List<double>();
            for (int r = 0; r < 3 + runs; r++)
            {
                var watch = Stopwatch.StartNew();
                using var results = session.Run(inputs);
                watch.Stop();
                if (r >= 3) times.Add(watch.Elapsed.TotalMilliseconds);
                if (r == 0) output = results.First().AsTensor<float>().ToArray();
            }
            times.Sort();
            return (output, times[times.Count / 2]);
        }

        private static byte[] Model(GraphBuilder g, long[] inputShape, long[] outputShape)
        {
            OnnxGraph graph = g.Build("conv_lowering", new[] { Value("x", inputShape) }, new[] { Value("y", outputShape) });
            return new OnnxModel(graph, OnnxOpsets.Default, OnnxOpsets.IrVersion(OnnxOpsets.Default), "conv-lowerings", "0", Array.Empty<KeyValuePair<string, string>>()).ToBytes();
        }

        private static OnnxValueInfo Value(string name, long[] dims) => new OnnxValueInfo(name, OnnxDataType.Float, dims.Select(OnnxDim.Fixed));

        private static OnnxAttribute Ints(string name, params long[] values) => OnnxAttribute.Of(name, values);

        private static float[] Uniform(Random random, long count)
        {
            var values = new float[count];
            for (long i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
            return values;
        }

        // (A, B, plane) -> (B, A, plane): channel-major (C, D, ...) to depth-major (D, C, ...) and back.
        private static float[] SwapAxes(float[] x, int a, int b, int plane)
        {
            var y = new float[x.Length];
            for (int i = 0; i < a; i++)
                for (int j = 0; j < b; j++)
                    Array.Copy(x, ((long)i * b + j) * plane, y, ((long)j * a + i) * plane, plane);
            return y;
        }
    }
}
