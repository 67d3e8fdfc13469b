using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Preprocessing;

namespace E2ENet.Data.Training
{
    /// <summary>Where a patch is cut: the case and the patch's centre (voxel coordinates of the case, plan axes).</summary>
    public sealed record PatchChoice(string Case, double[] Centre, bool ForcedForeground, int? ForegroundClass);

    /// <summary>
    /// nnU-Net v1's patch sampling: cases drawn uniformly with replacement; in each batch the samples at positions
    /// i &gt;= round(B x (1 - oversample)) (Python rounding) are forced to contain foreground: a class present in the case
    /// is drawn uniformly, then one of its stored voxels, and the patch is centred there (kept inside the allowed
    /// range). Other samples take a uniformly random position. A case smaller than the patch is centred with the patch
    /// hanging over both sides (padded later: image 0, label -1).
    /// </summary>
    public static class PatchSampler
    {
        /// <summary>True when sample <paramref name="index"/> of a batch of <paramref name="batch"/> must contain foreground.</summary>
        public static bool ForceForeground(int index, int batch, double oversample)
            => !(index < (int)Math.Round(batch * (1 - oversample), MidpointRounding.ToEven));

        /// <summary>Chooses the case and patch of one sample.</summary>
        public static PatchChoice Choose(PreprocessedDataset data, IReadOnlyList<string> cases, Int3 patch, bool forceForeground, Rng rng)
        {
            PreprocessedCase @case = data.Case(cases[rng.Next(cases.Count)]);
            Int3 shape = @case.Shape;
            var lower = new int[3];
            var upper = new int[3];
            for (int axis = 0; axis < 3; axis++)
            {
                int need = Math.Max(0, patch[axis] - shape[axis]);
                lower[axis] = -(need / 2);
                upper[axis] = shape[axis] + need / 2 + need % 2 - patch[axis];
            }
            int? foregroundClass = null;
            var start = new int[3];
            var classes = @case.ForegroundLocations.Where(p => p.Value.Count > 0).Select(p => p.Key).OrderBy(k => k).ToList();
            if (forceForeground && classes.Count > 0)
            {
                int chosen = classes[rng.Next(classes.Count)];
                IReadOnlyList<int> voxels = @case.ForegroundLocations[chosen];
                int linear = voxels[rng.Next(voxels.Count)];
                int[] at = { linear / (shape.H * shape.W), linear / shape.W % shape.H, linear % shape.W };
                for (int axis = 0; axis < 3; axis++) start[axis] = Math.Clamp(at[axis] - patch[axis] / 2, lower[axis], Math.Max(lower[axis], upper[axis]));
                foregroundClass = chosen;
            }
            else
            {
                for (int axis = 0; axis < 3; axis++) start[axis] = rng.NextInclusive(lower[axis], Math.Max(lower[axis], upper[axis]));
            }
            double[] centre = Enumerable.Range(0, 3).Select(axis => start[axis] + (patch[axis] - 1) / 2.0).ToArray();
            return new PatchChoice(@case.Name, centre, forceForeground, foregroundClass);
        }
    }
}
