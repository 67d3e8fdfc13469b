using System.IO;
using E2ENet.Compiler.Host;

namespace E2ENet.Compiler.Tests.Host
{
    /// <summary>Issue 10 (5): the memory budget is the smallest of the cgroup limit (v2 or v1, ancestors included) and MemAvailable.</summary>
    public class MemoryBudgetTests
    {
        private static string Fake(string cgroupLine, (string Path, string Text)[] files, string memAvailableKb = "8000000")
        {
            string root = Directory.CreateTempSubdirectory("e2e-budget").FullName;
            Directory.CreateDirectory(Path.Combine(root, "proc", "self"));
            File.WriteAllText(Path.Combine(root, "proc", "self", "cgroup"), cgroupLine + "\n");
            File.WriteAllText(Path.Combine(root, "proc", "meminfo"), "MemTotal:       16000000 kB\nMemFree:  100 kB\nMemAvailable:    " + memAvailableKb + " kB\n");
            foreach (var (path, text) in files)
            {
                string full = Path.Combine(root, "cg", path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, text);
            }
            return root;
        }

        [Fact]
        public void The_smallest_of_cgroup_v2_limits_and_available_memory_is_the_budget()
        {
            string root = Fake("0::/user.slice/job", new[] { ("memory.max", "max\n"), ("user.slice/memory.max", "4294967296\n"), ("user.slice/job/memory.max", "max\n") });
            MemoryBudget budget = MemoryBudget.FromSystem(Path.Combine(root, "proc"), Path.Combine(root, "cg"));
            Assert.Equal(4L << 30, budget.Bytes);
            Assert.Contains("user.slice/memory.max", budget.Source);

            root = Fake("0::/", new[] { ("memory.max", "max\n") }, memAvailableKb: "1000");
            budget = MemoryBudget.FromSystem(Path.Combine(root, "proc"), Path.Combine(root, "cg"));
            Assert.Equal(1000L * 1024, budget.Bytes);
            Assert.Contains("MemAvailable", budget.Source);
        }

        [Fact]
        public void A_cgroup_v1_limit_counts_and_its_no_limit_value_does_not()
        {
            string root = Fake("5:memory:/docker/abc", new[] { ("memory/docker/abc/memory.limit_in_bytes", "2147483648\n") });
            Assert.Equal(2L << 30, MemoryBudget.FromSystem(Path.Combine(root, "proc"), Path.Combine(root, "cg")).Bytes);
            root = Fake("5:cpu,memory:/", new[] { ("memory/memory.limit_in_bytes", "9223372036854771712\n") });
            Assert.Equal(8000000L * 1024, MemoryBudget.FromSystem(Path.Combine(root, "proc"), Path.Combine(root, "cg")).Bytes);
        }

        [Fact]
        public void Refusals_name_the_estimate_the_limit_its_source_and_the_fix()
        {
            MemoryBudget budget = MemoryBudget.Fixed(4L << 30);
            budget.Require(4L << 30, "x", "fits", "nothing");
            var e = Assert.Throws<HostException>(() => budget.Require(268L << 30, "models/a.e2e", "a training step of AmosCt at 256x256x256, batch 2", "a smaller patch"));
            Assert.Equal("E2E7001", e.Id);
            Assert.StartsWith("models/a.e2e: error E2E7001: a training step of AmosCt", e.Message);
            Assert.Contains("268 GiB", e.Message);
            Assert.Contains("4 GiB allowed here (--max-memory)", e.Message);
            Assert.Contains("try a smaller patch, or --max-memory 268G", e.Message);
        }

        [Fact]
        public void The_environment_sets_the_budget_and_a_wrong_value_is_a_clear_error()
        {
            string? saved = System.Environment.GetEnvironmentVariable(MemoryBudget.EnvironmentVariable);
            try
            {
                System.Environment.SetEnvironmentVariable(MemoryBudget.EnvironmentVariable, "3G");
                Assert.Equal(3L << 30, MemoryBudget.Detect().Bytes);
                Assert.Equal(1L << 30, MemoryBudget.Detect(1L << 30).Bytes);
                using (MemoryBudget.Use(MemoryBudget.Fixed(5L << 20))) Assert.Equal(5L << 20, MemoryBudget.Current.Bytes);
                System.Environment.SetEnvironmentVariable(MemoryBudget.EnvironmentVariable, "lots");
                Assert.Equal("E2E7003", Assert.Throws<HostException>(() => MemoryBudget.Detect()).Id);
            }
            finally
            {
                System.Environment.SetEnvironmentVariable(MemoryBudget.EnvironmentVariable, saved);
            }
        }

        [Theory]
        [InlineData("8G", 8L << 30)]
        [InlineData("512MiB", 512L << 20)]
        [InlineData("1.5 GB", 3L << 29)]
        [InlineData("1000", 1000L)]
        [InlineData("64k", 64L << 10)]
        public void Sizes_parse(string text, long bytes)
        {
            Assert.True(ByteSize.TryParse(text, out long parsed));
            Assert.Equal(bytes, parsed);
        }

        [Theory]
        [InlineData("")]
        [InlineData("lots")]
        [InlineData("-4G")]
        [InlineData("4X")]
        [InlineData("0")]
        public void Non_sizes_do_not_parse(string text) => Assert.False(ByteSize.TryParse(text, out _));
    }
}
