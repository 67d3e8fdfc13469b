using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using E2ENet.Onnx.Weights;

namespace E2ENet.Onnx.Emit
{
    /// <summary>
    /// Partitions a convolution's live output channels into equal groups whose unions of live input channels are small,
    /// for <see cref="ConvLowering.Grouped"/>. Greedy: each group starts from the unassigned output with the most live
    /// inputs and adds, one at a time, the output that grows the group's union least. Deterministic.
    /// </summary>
    public static class OutputGrouping
    {
        /// <summary>The groups (output channels) and, per group, the union of the input channels its outputs read (ascending).</summary>
        public static (int[][] Groups, int[][] Unions) Partition(KernelPresence kernels, int[] outs, int[] required, int groups)
        {
            if (groups < 1 || outs.Length % groups != 0) throw new ArgumentException($"{outs.Length} outputs do not split into {groups} equal groups", nameof(groups));
            int size = outs.Length / groups;
            int words = (required.Length + 63) / 64;
            var reads = new Dictionary<int, ulong[]>();
            foreach (int o in outs)
            {
                var bits = new ulong[words];
                for (int k = 0; k < required.Length; k++) if (kernels[o, required[k]]) bits[k >> 6] |= 1UL << (k & 63);
                reads[o] = bits;
            }
            var unassigned = new List<int>(outs.OrderByDescending(o => Count(reads[o])).ThenBy(o => o));
            var result = new int[groups][];
            var unions = new int[groups][];
            for (int g = 0; g < groups; g++)
            {
                var members = new List<int> { unassigned[0] };
                var union = (ulong[])reads[unassigned[0]].Clone();
                unassigned.RemoveAt(0);
                while (members.Count < size)
                {
                    int best = 0, bestGrowth = int.MaxValue;
                    for (int k = 0; k < unassigned.Count; k++)
                    {
                        ulong[] candidate = reads[unassigned[k]];
                        int growth = 0;
                        for (int w = 0; w < words; w++) growth += BitOperations.PopCount(candidate[w] & ~union[w]);
                        if (growth < bestGrowth)
                        {
                            best = k;
                            bestGrowth = growth;
                        }
                    }
                    ulong[] chosen = reads[unassigned[best]];
                    for (int w = 0; w < words; w++) union[w] |= chosen[w];
                    members.Add(unassigned[best]);
                    unassigned.RemoveAt(best);
                }
                result[g] = members.OrderBy(o => o).ToArray();
                unions[g] = Enumerable.Range(0, required.Length).Where(k => (union[k >> 6] & (1UL << (k & 63))) != 0).Select(k => required[k]).ToArray();
            }
            return (result, unions);
        }

        /// <summary>
        /// The partition a <c>unit group</c> mask defines: every group of <paramref name="groupSize"/> consecutive outputs
        /// (output o in group o / size) that holds a live output, whole (a group's outputs that nothing reads are computed
        /// too, so that the groups stay equal for one grouped convolution; their values are exact, just unused), each with the
        /// inputs of <paramref name="required"/> its outputs read. Null when no output is live.
        /// </summary>
        public static (int[][] Groups, int[][] Unions)? ByUnit(KernelPresence kernels, int[] outs, int[] required, int groupSize, bool transposed = false)
        {
            int[][] groups = outs.Select(o => o / groupSize).Distinct().OrderBy(g => g)
                .Select(g => Enumerable.Range(g * groupSize, groupSize).ToArray()).ToArray();
            if (groups.Length == 0) return null;
            int[][] unions = groups
                .Select(g => required.Where(i => g.Any(o => transposed ? kernels[i, o] : kernels[o, i])).ToArray())
                .ToArray();
            return (groups, unions);
        }

        /// <summary>
        /// The partition of a <c>unit group</c> mask (<see cref="ByUnit"/>) when lowering to it pays: two or more groups with
        /// a live output, whose grouped convolution executes at most four fifths of the multiply-accumulates of one
        /// convolution over every live input (a dense export's groups each read every input, so it never pays there). Null
        /// otherwise. The reference lowering of a unit-group fusion block and of a unit-group up path.
        /// </summary>
        public static (int[][] Groups, int[][] Unions)? ByUnitIfSmaller(KernelPresence kernels, int[] outs, int[] required, int groupSize, bool transposed = false)
        {
            if (ByUnit(kernels, outs, required, groupSize, transposed) is not { } partition || partition.Groups.Length < 2) return null;
            long grouped = (long)partition.Groups.Length * groupSize * partition.Unions.Max(u => u.Length);
            return grouped <= 0.8 * required.Length * outs.Length ? partition : null;
        }

        private static int Count(ulong[] bits) => bits.Sum(b => BitOperations.PopCount(b));

        /// <summary>
        /// The group count (a divisor of the live outputs, at least 2) whose grouped convolution executes the fewest
        /// multiply-accumulates plus gathered copies, or 1 when no grouping beats a plain convolution over the required
        /// inputs by at least <paramref name="minimumGain"/> of its multiply-accumulates.
        /// </summary>
        public static int Choose(KernelPresence kernels, int[] outs, int[] required, long macsPerKernel, long inVoxels, double copyCost, double minimumGain = 0.2)
        {
            double plain = (double)outs.Length * required.Length * macsPerKernel;
            double best = plain * (1 - minimumGain);
            int choice = 1;
            for (int g = 2; g <= Math.Min(outs.Length, 64); g++)
            {
                if (outs.Length % g != 0) continue;
                (_, int[][] unions) = Partition(kernels, outs, required, g);
                int widest = unions.Max(u => u.Length);
                double cost = (double)outs.Length * widest * macsPerKernel + copyCost * g * widest * inVoxels;
                if (cost < best)
                {
                    best = cost;
                    choice = g;
                }
            }
            return choice;
        }
    }
}
