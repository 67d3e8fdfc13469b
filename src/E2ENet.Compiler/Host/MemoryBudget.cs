using System;
using System.Globalization;
using System.IO;
using System.Linq;

namespace E2ENet.Compiler.Host
{
    /// <summary>
    /// How much memory a command may plan to use, decided once before it allocates: the smallest of the control group's limit
    /// (cgroup v2 <c>memory.max</c> of the process's group and its ancestors, or cgroup v1 <c>memory.limit_in_bytes</c>) and the
    /// memory the kernel says is available (<c>MemAvailable</c> of <c>/proc/meminfo</c>, or <c>MemTotal</c>); an explicit
    /// <c>--max-memory</c> (or the <c>E2ENET_MAX_MEMORY</c> environment variable) replaces both. .NET's own heap limit counts too
    /// when it is lower (in a container it is 75 % of the limit by default). Commands estimate what they
    /// need and call <see cref="Require"/>, which refuses work that cannot fit with E2E7001 naming the estimate, the budget,
    /// where the budget came from and the fix.
    /// </summary>
    public sealed class MemoryBudget
    {
        /// <summary>The environment variable that sets the budget when no <c>--max-memory</c> is given.</summary>
        public const string EnvironmentVariable = "E2ENET_MAX_MEMORY";

        private MemoryBudget(long bytes, string source, bool explicitlySet)
        {
            Bytes = bytes;
            Source = source;
            IsExplicit = explicitlySet;
        }

        /// <summary>The budget in bytes (<see cref="long.MaxValue"/> when nothing could be found out).</summary>
        public long Bytes { get; }

        /// <summary>Where the budget comes from, for messages.</summary>
        public string Source { get; }

        /// <summary>True when the user set it (<c>--max-memory</c> or the environment).</summary>
        public bool IsExplicit { get; }

        private static readonly System.Threading.AsyncLocal<MemoryBudget?> Ambient = new System.Threading.AsyncLocal<MemoryBudget?>();

        /// <summary>
        /// The budget in force: the one a caller set with <see cref="Use"/> (the command line's <c>--max-memory</c>), else
        /// <see cref="Detect"/>'s. Libraries check against this, so an override reaches every estimate without being passed along.
        /// </summary>
        public static MemoryBudget Current => Ambient.Value ?? Detect();

        /// <summary>Makes <paramref name="budget"/> the <see cref="Current"/> one until the returned scope is disposed (this flow and the tasks it starts).</summary>
        public static IDisposable Use(MemoryBudget budget)
        {
            MemoryBudget? previous = Ambient.Value;
            Ambient.Value = budget;
            return new Scope(() => Ambient.Value = previous);
        }

        /// <summary>A budget of exactly <paramref name="bytes"/> (what <c>--max-memory</c> gives).</summary>
        public static MemoryBudget Fixed(long bytes, string source = "--max-memory") => new MemoryBudget(bytes, source, true);

        /// <summary>
        /// The budget of this process: <paramref name="overrideBytes"/> when given, else <see cref="EnvironmentVariable"/>, else what
        /// the system allows.
        /// </summary>
        /// <exception cref="HostException">E2E7003: the environment variable is set but is not a size.</exception>
        public static MemoryBudget Detect(long? overrideBytes = null)
        {
            if (overrideBytes is long given) return Fixed(given);
            string? environment = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(environment))
            {
                if (!ByteSize.TryParse(environment, out long bytes))
                {
                    throw new HostException(HostErrors.InvalidBudget, null, EnvironmentVariable + "='" + environment + "' is not a size");
                }
                return Fixed(bytes, EnvironmentVariable);
            }
            MemoryBudget system = FromSystem("/proc", "/sys/fs/cgroup");
            // .NET limits its own heap below a container's limit (75 % of it by default): managed arrays cannot go past that.
            long? heap = HeapLimit();
            return heap is long h && h < system.Bytes ? new MemoryBudget(h, ".NET's heap limit (GC TotalAvailableMemoryBytes)", false) : system;
        }

        /// <summary>What the .NET garbage collector lets the heap reach (GC.GetGCMemoryInfo().TotalAvailableMemoryBytes), when the runtime says.</summary>
        private static long? HeapLimit()
        {
            try
            {
                object? info = typeof(GC).GetMethod("GetGCMemoryInfo", Type.EmptyTypes)?.Invoke(null, null);
                object? total = info?.GetType().GetProperty("TotalAvailableMemoryBytes")?.GetValue(info);
                return total is long bytes && bytes > 0 ? bytes : (long?)null;
            }
            catch (Exception e) when (e is System.Reflection.TargetInvocationException || e is NotSupportedException || e is MemberAccessException)
            {
                return null;
            }
        }

        /// <summary>The system's budget read from <paramref name="proc"/> and <paramref name="cgroupRoot"/> (tests give fake folders).</summary>
        public static MemoryBudget FromSystem(string proc, string cgroupRoot)
        {
            long best = long.MaxValue;
            string source = "no limit found (not Linux?)";
            (long? limit, string? where) = CgroupLimit(proc, cgroupRoot);
            long? available = MemInfo(proc, "MemAvailable") ?? MemInfo(proc, "MemTotal");
            if (available is long a)
            {
                best = a;
                source = "MemAvailable in " + proc + "/meminfo";
            }
            if (limit is long l && l < best)
            {
                best = l;
                source = "the control group's limit, " + where;
            }
            return new MemoryBudget(best, source, false);
        }

        /// <summary>True when <paramref name="estimate"/> bytes fit.</summary>
        public bool Fits(long estimate) => estimate <= Bytes;

        /// <summary>Refuses work whose estimate exceeds the budget.</summary>
        /// <param name="estimate">Bytes the work is estimated to need.</param>
        /// <param name="path">The file or folder the work is about (the error's place).</param>
        /// <param name="what">What needs it: "predicting case ct_001 (512x512x900, 3 classes)".</param>
        /// <param name="fix">The specific fix, before the general one: "a smaller patch (--set input.patch=...)".</param>
        /// <exception cref="HostException">E2E7001.</exception>
        public void Require(long estimate, string? path, string what, string fix)
        {
            if (Fits(estimate)) return;
            throw new HostException(HostErrors.NotEnoughMemory, path, string.Format(CultureInfo.InvariantCulture,
                "{0} needs about {1} of memory (estimate), more than the {2} allowed here ({3}); nothing was done: try {4}, or --max-memory {5} if the estimate is known to be too high",
                what, ByteSize.Format(estimate), ByteSize.Format(Bytes), Source, fix, Suggest(estimate)));
        }

        /// <summary>A <c>--max-memory</c> value that would let <paramref name="estimate"/> through (rounded up to a whole GiB).</summary>
        private static string Suggest(long estimate) => ((estimate + (1L << 30) - 1) >> 30).ToString(CultureInfo.InvariantCulture) + "G";

        private sealed class Scope : IDisposable
        {
            private Action? _restore;

            public Scope(Action restore) => _restore = restore;

            public void Dispose()
            {
                _restore?.Invoke();
                _restore = null;
            }
        }

        /// <inheritdoc />
        public override string ToString() => ByteSize.Format(Bytes) + " (" + Source + ")";

        private static (long? Limit, string? Where) CgroupLimit(string proc, string cgroupRoot)
        {
            string[] lines;
            try
            {
                string file = Path.Combine(proc, "self", "cgroup");
                if (!File.Exists(file)) return (null, null);
                lines = File.ReadAllLines(file);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return (null, null);
            }
            long? best = null;
            string? where = null;
            foreach (string line in lines)
            {
                string[] parts = line.Split(new[] { ':' }, 3);
                if (parts.Length != 3) continue;
                bool v2 = parts[0] == "0" && parts[1].Length == 0;
                bool v1 = parts[1].Split(',').Contains("memory");
                if (!v2 && !v1) continue;
                string root = v2 ? cgroupRoot : Path.Combine(cgroupRoot, "memory");
                string file = v2 ? "memory.max" : "memory.limit_in_bytes";
                // A limit set on any ancestor applies too: walk from the group up to the root.
                string relative = parts[2].Trim('/');
                while (true)
                {
                    string candidate = Path.Combine(relative.Length == 0 ? root : Path.Combine(root, relative), file);
                    long? value = ReadLimit(candidate);
                    if (value is long v && (best == null || v < best))
                    {
                        best = v;
                        where = candidate;
                    }
                    if (relative.Length == 0) break;
                    int slash = relative.LastIndexOf('/');
                    relative = slash < 0 ? string.Empty : relative.Substring(0, slash);
                }
            }
            return (best, where);
        }

        private static long? ReadLimit(string file)
        {
            try
            {
                if (!File.Exists(file)) return null;
                string text = File.ReadAllText(file).Trim();
                // "max" (v2) or a huge page-rounded number (v1) mean no limit.
                if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value >= (1L << 60)) return null;
                return value;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return null;
            }
        }

        private static long? MemInfo(string proc, string key)
        {
            try
            {
                string file = Path.Combine(proc, "meminfo");
                if (!File.Exists(file)) return null;
                foreach (string line in File.ReadAllLines(file))
                {
                    if (!line.StartsWith(key + ":", StringComparison.Ordinal)) continue;
                    string[] parts = line.Substring(key.Length + 1).Trim().Split(' ');
                    if (long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long value))
                    {
                        return parts.Length > 1 && parts[1] == "kB" ? value * 1024 : value;
                    }
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
            }
            return null;
        }
    }
}
