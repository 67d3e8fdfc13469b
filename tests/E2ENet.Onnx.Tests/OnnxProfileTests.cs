using System;
using System.Linq;
using E2ENet.Onnx.Runtime;
using Xunit;

namespace E2ENet.Onnx.Tests
{
    /// <summary>
    /// <see cref="OnnxProfile"/> reads ONNX Runtime's profile trace: per-node kernel times summed over the runs it keeps,
    /// warm-up runs left out by time (their nodes too), per operator type and per node; malformed traces are refused.
    /// </summary>
    public class OnnxProfileTests
    {
        // Two runs: the first (warm-up, ts 0..1000) with a slow first-touch Concat, the second (ts 2000..2600) clean.
        private const string Trace = """
            [
              {"cat": "Session", "name": "model_loading_array", "ts": 0, "dur": 50},
              {"cat": "Session", "name": "model_run", "ts": 0, "dur": 1000},
              {"cat": "Node", "name": "enc.conv_fence_before", "ts": 10, "dur": 0, "args": {"op_name": "Conv"}},
              {"cat": "Node", "name": "enc.conv_kernel_time", "ts": 10, "dur": 300, "args": {"op_name": "Conv"}},
              {"cat": "Node", "name": "enc.concat_kernel_time", "ts": 320, "dur": 600, "args": {"op_name": "Concat"}},
              {"cat": "Session", "name": "model_run", "ts": 2000, "dur": 600},
              {"cat": "Node", "name": "enc.conv_kernel_time", "ts": 2010, "dur": 320, "args": {"op_name": "Conv",
                "input_type_shape": [{"float": [2, 16, 4, 8, 8]}, {"float": [8, 4, 1, 3, 3]}], "output_type_shape": [{"float": [2, 8, 4, 8, 8]}]}},
              {"cat": "Node", "name": "enc.concat_kernel_time", "ts": 2340, "dur": 40, "args": {"op_name": "Concat"}},
              {"cat": "Node", "name": "dec.conv_kernel_time", "ts": 2390, "dur": 200, "args": {"op_name": "Conv"}}
            ]
            """;

        [Fact]
        public void Sums_kernel_times_per_node_and_operator_over_the_runs_kept()
        {
            OnnxProfile all = OnnxProfile.Parse(Trace);
            Assert.Equal(2, all.Runs);
            Assert.Equal(800, all.RunMicroseconds);
            // With the warm-up run, its slow first-touch Concat (600) ranks first.
            Assert.Equal(("enc.concat", "Concat", 320.0), (all.ByNode[0].Node, all.ByNode[0].OpType, all.ByNode[0].Microseconds));
            Assert.Equal(310, all.ByNode.Single(n => n.Node == "enc.conv").Microseconds);

            OnnxProfile steady = OnnxProfile.Parse(Trace, skipRuns: 1);
            Assert.Equal(1, steady.Runs);
            Assert.Equal(600, steady.RunMicroseconds);
            Assert.Equal(new[] { "enc.conv", "dec.conv", "enc.concat" }, steady.ByNode.Select(n => n.Node));
            Assert.Equal(new[] { ("Conv", 520.0, 2), ("Concat", 40.0, 1) }, steady.ByOpType.Select(o => (o.OpType, o.Microseconds, o.Nodes)));
            Assert.Equal(560, steady.KernelMicroseconds);
            // A grouped convolution (4 groups: W is [8, 16 / 4, 1, 3, 3]) over a batch of 2: 2*8*4*8*8 outputs x 4*1*3*3 products
            // = 147,456 MACs, 0.46 GMAC/s in 320 us; dec.conv's trace has no shapes, so neither it nor the Conv total has a rate.
            Assert.Equal(147_456, steady.ByNode.Single(n => n.Node == "enc.conv").Macs);
            Assert.Equal(0, steady.ByNode.Single(n => n.Node == "dec.conv").Macs);
            Assert.Equal(0, steady.ByOpType.Single(o => o.OpType == "Conv").Macs);

            string summary = steady.Summary("export", top: 2);
            Assert.StartsWith("export: 1 runs traced, 0.6 ms per run, kernels 0.6 ms per run (3 nodes)", summary);
            Assert.Contains("Conv", summary);
            Assert.Contains("92.9%", summary);   // 520 of 560
            Assert.Contains("slowest 2 nodes:", summary);
            Assert.DoesNotContain("enc.concat", summary.Substring(summary.IndexOf("slowest", StringComparison.Ordinal)));
            Assert.Matches(@"enc\.conv +Conv +0\.32 +57\.1% +0\.000 +0\.5\r?\n", summary);
        }

        [Theory]
        // Conv: outputs x W's dims after the first. FusedConv (a Conv with its activation fused in) alike.
        [InlineData("Conv", "[{\"float\": [1, 3, 5, 6, 7]}, {\"float\": [4, 3, 3, 3, 3]}]", "[{\"float\": [1, 4, 5, 6, 7]}]", 4L * 5 * 6 * 7 * 3 * 27)]
        [InlineData("FusedConv", "[{\"float\": [2, 6, 8, 8]}, {\"float\": [4, 3, 3, 3]}, {\"float\": [4]}]", "[{\"float\": [2, 4, 8, 8]}]", 2L * 4 * 8 * 8 * 3 * 9)]
        // ConvTranspose (2x upsampling, W [in, out / group, 2, 2, 2]): inputs x W's dims after the first.
        [InlineData("ConvTranspose", "[{\"float\": [1, 8, 2, 2, 2]}, {\"float\": [8, 4, 2, 2, 2]}]", "[{\"float\": [1, 4, 4, 4, 4]}]", 8L * 8 * 4 * 8)]
        // Not a convolution, shapes missing, or a blocked layout (W's rank differs from the data's): unknown.
        [InlineData("MatMul", "[{\"float\": [4, 8]}, {\"float\": [8, 2]}]", "[{\"float\": [4, 2]}]", 0L)]
        [InlineData("Conv", "[{\"float\": [1, 3, 5, 6, 7]}]", "[{\"float\": [1, 4, 5, 6, 7]}]", 0L)]
        [InlineData("Conv", "[{\"float\": [1, 1, 5, 6, 8]}, {\"float\": [2, 1, 3, 3, 8, 8]}]", "[{\"float\": [1, 1, 5, 6, 8]}]", 0L)]
        public void Counts_the_multiply_accumulates_of_convolutions(string opType, string inputs, string outputs, long macs)
        {
            using var args = System.Text.Json.JsonDocument.Parse("{\"op_name\": \"" + opType + "\", \"input_type_shape\": " + inputs + ", \"output_type_shape\": " + outputs + "}");
            Assert.Equal(macs, OnnxProfile.ConvolutionMacs(opType, args.RootElement));
        }

        [Theory]
        [InlineData("{\"not\": \"a trace\"}", "top level is not an array")]
        [InlineData("[{\"cat\": \"Node\", \"name\": \"x_kernel_time\", \"dur\": 5}]", "no model_run event")]
        [InlineData("not json", "not an ONNX Runtime profile")]
        public void Refuses_what_is_not_a_profile(string text, string message)
        {
            var e = Assert.Throws<FormatException>(() => OnnxProfile.Parse(text));
            Assert.Contains(message, e.Message);
        }

        [Fact]
        public void Refuses_to_skip_every_run()
        {
            var e = Assert.Throws<FormatException>(() => OnnxProfile.Parse(Trace, skipRuns: 2));
            Assert.Contains("traced 2 runs, no more than the 2 warm-up runs", e.Message);
        }
    }
}
