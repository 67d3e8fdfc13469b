using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using E2ENet.Cli;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Tests.Support;

namespace E2ENet.Data.Tests.Reliability
{
    /// <summary>Issue 10 (5, 6): dataset checks refuse cases that cannot fit (located, no stack trace), never block on a FIFO, and the non-zero mask's fill stays small.</summary>
    public class DataReliabilityTests : IDisposable
    {
        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        private static (int Exit, string Out, string Err) Run(params string[] args)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int exit = CliApp.Run(args, output, error);
            return (exit, output.ToString(), error.ToString());
        }

        [Fact]
        public void A_case_that_cannot_fit_is_a_located_problem_not_a_crash()
        {
            string root = SyntheticDataset.Make(_temp.File("data"));
            var (exit, output, error) = Run("dataset", "check", root, "--max-memory", "100K");
            Assert.Equal(1, exit);
            Assert.Contains(Path.Combine(root, "imagesTr", "syn_0_0000.nii.gz") + ": error E2E7001: checking case 'syn_0' (its volumes are read whole) needs about", output);
            Assert.Contains("more than the 100 KiB allowed here (--max-memory)", output);
            Assert.Contains("try crop or downsample its images", output);
            Assert.DoesNotContain("   at ", output + error);
            Assert.Equal(0, Run("dataset", "check", root, "--max-memory", "1G").Exit);
        }

        [Fact]
        public async Task A_fifo_among_the_images_is_refused_without_blocking()
        {
            string root = SyntheticDataset.Make(_temp.File("fifo"));
            string image = Path.Combine(root, "imagesTr", "syn_1_0000.nii.gz");
            File.Delete(image);
            using (Process mkfifo = Process.Start("mkfifo", image)!) mkfifo.WaitForExit();
            Task<(int Exit, string Out, string Err)> check = Task.Run(() => Run("dataset", "check", root));
            Assert.True(await Task.WhenAny(check, Task.Delay(60_000)) == check, "dataset check hung on a FIFO");
            var (exit, output, _) = await check;
            Assert.Equal(1, exit);
            Assert.Contains(image + ": error E4001: is a named pipe (FIFO), not a regular file", output);
        }

        [Fact]
        public void The_fill_of_an_all_background_volume_stays_small_and_holes_are_filled()
        {
            var shape = new Int3(96, 96, 96);
            var background = new[] { new float[shape.Volume] };
            long before = GC.GetAllocatedBytesForCurrentThread();
            bool[] mask = VolumeOps.NonzeroMask(background, shape);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.DoesNotContain(true, mask);
            // The mask and the outside marks (one byte each per voxel) and little else; a voxel stack would need 8 bytes per voxel.
            Assert.True(allocated < 4 * shape.Volume, $"{allocated} bytes allocated for {shape.Volume} voxels");

            var random = new Random(4);
            for (int trial = 0; trial < 20; trial++)
            {
                var small = new Int3(5 + random.Next(6), 5 + random.Next(6), 5 + random.Next(6));
                var image = new float[small.Volume];
                for (int n = 0; n < image.Length; n++) image[n] = random.NextDouble() < 0.45 ? 1 : 0;
                Assert.Equal(Reference(image, small), VolumeOps.NonzeroMask(new[] { image }, small));
            }
        }

        /// <summary>binary_fill_holes by a plain breadth-first flood of the background from every border voxel.</summary>
        private static bool[] Reference(float[] image, Int3 s)
        {
            var outside = new bool[image.Length];
            var queue = new Queue<(int, int, int)>();
            void Visit(int a, int b, int c)
            {
                if (a < 0 || b < 0 || c < 0 || a >= s.D || b >= s.H || c >= s.W) return;
                long n = ((long)a * s.H + b) * s.W + c;
                if (image[n] != 0 || outside[n]) return;
                outside[n] = true;
                queue.Enqueue((a, b, c));
            }
            for (int a = 0; a < s.D; a++) for (int b = 0; b < s.H; b++) for (int c = 0; c < s.W; c++)
                if (a == 0 || b == 0 || c == 0 || a == s.D - 1 || b == s.H - 1 || c == s.W - 1) Visit(a, b, c);
            while (queue.Count > 0)
            {
                var (a, b, c) = queue.Dequeue();
                Visit(a - 1, b, c); Visit(a + 1, b, c); Visit(a, b - 1, c); Visit(a, b + 1, c); Visit(a, b, c - 1); Visit(a, b, c + 1);
            }
            return outside.Select(o => !o).ToArray();
        }
    }
}
