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
              {"cat": "Node", "name": "enc.conv_kernel_time", "ts": 2010, "dur": 320, "args": {"op_name": "Conv"}},
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

            string summary = steady.Summary("export", top: 2);
            Assert.StartsWith("export: 1 runs traced, 0.6 ms per run, kernels 0.6 ms per run (3 nodes)", summary);
            Assert.Contains("Conv", summary);
            Assert.Contains("92.9%", summary);   // 520 of 560
            Assert.Contains("slowest 2 nodes:", summary);
            Assert.DoesNotContain("enc.concat", summary.Substring(summary.IndexOf("slowest", StringComparison.Ordinal)));
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
