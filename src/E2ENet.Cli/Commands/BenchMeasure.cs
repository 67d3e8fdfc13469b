using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;

namespace E2ENet.Cli.Commands
{
    /// <summary>Timing (median of runs after warm-up) and peak resident memory (Linux VmHWM, reset per phase) for <c>bench</c>.</summary>
    public static class BenchMeasure
    {
        /// <summary>Times of the measured runs and the peak resident memory while they ran.</summary>
        public sealed record Result(string Name, double[] Milliseconds, double[] CpuMilliseconds, long BaselineBytes, long PeakBytes)
        {
            /// <summary>The median time.</summary>
            public double Median => E2ENet.Data.Preprocessing.Statistics.Median(Milliseconds);

            /// <summary>The median CPU time of the process (all threads) per run: less sensitive than wall time to other work on the machine.</summary>
            public double CpuMedian => E2ENet.Data.Preprocessing.Statistics.Median(CpuMilliseconds);
        }

        /// <summary>Runs <paramref name="step"/> <paramref name="warmup"/> times untimed, then <paramref name="repeat"/> times timed.</summary>
        public static Result Run(string name, int warmup, int repeat, Action step, TextWriter progress)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long baseline = Resident("VmRSS:");
            ResetPeak();
            for (int i = 0; i < warmup; i++)
            {
                var watch = Stopwatch.StartNew();
                step();
                progress.WriteLine(string.Format(CultureInfo.InvariantCulture, "bench: {0}: warm-up {1}/{2}: {3:0.0} ms", name, i + 1, warmup, watch.Elapsed.TotalMilliseconds));
            }
            var times = new List<double>();
            var cpu = new List<double>();
            using Process process = Process.GetCurrentProcess();
            for (int i = 0; i < repeat; i++)
            {
                process.Refresh();
                TimeSpan cpuBefore = process.TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                step();
                times.Add(watch.Elapsed.TotalMilliseconds);
                process.Refresh();
                cpu.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
                progress.WriteLine(string.Format(CultureInfo.InvariantCulture, "bench: {0}: run {1}/{2}: {3:0.0} ms (cpu {4:0.0} ms)", name, i + 1, repeat, times[i], cpu[i]));
            }
            return new Result(name, times.ToArray(), cpu.ToArray(), baseline, Resident("VmHWM:"));
        }

        /// <summary><c>median 123.4 ms (min .., max ..; n runs)  peak RSS 1.23 GiB (+0.45 GiB)</c>.</summary>
        public static string Format(Result result) => string.Format(CultureInfo.InvariantCulture,
            "{0,-17} median {1,9:0.0} ms  (min {2:0.0}, max {3:0.0}; {4} runs; cpu {8:0.0} ms)  peak RSS {5:0.00} GiB (+{6:0.00} GiB over the {7:0.00} GiB before)",
            result.Name, result.Median, result.Milliseconds.Min(), result.Milliseconds.Max(), result.Milliseconds.Length,
            result.PeakBytes / 1073741824.0, Math.Max(0, result.PeakBytes - result.BaselineBytes) / 1073741824.0, result.BaselineBytes / 1073741824.0, result.CpuMedian);

        /// <summary>Resets the kernel's peak-RSS counter of this process (Linux 4.0+: write 5 to /proc/self/clear_refs).</summary>
        private static void ResetPeak()
        {
            try
            {
                File.WriteAllText("/proc/self/clear_refs", "5");
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // Not Linux, or not allowed: the peak then covers the whole process lifetime.
            }
        }

        private static long Resident(string field)
        {
            try
            {
                foreach (string line in File.ReadLines("/proc/self/status"))
                {
                    if (line.StartsWith(field, StringComparison.Ordinal))
                    {
                        return long.Parse(line.Substring(field.Length).Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                    }
                }
            }
            catch (IOException)
            {
                // Not Linux.
            }
            return Environment.WorkingSet;
        }
    }
}
