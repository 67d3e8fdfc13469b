using System.Collections.Generic;
using System.Linq;

namespace E2ENet.Data.Datasets.Synth
{
    /// <summary>One segmentation class of the synthetic dataset: its label value, name and the AAL regions it merges (left and right).</summary>
    public sealed record SynthClass(int Value, string Name, IReadOnlyList<int> AalRegions);

    /// <summary>
    /// The eight foreground classes of <c>make-synth</c>, merged from AAL regions (numbers of mricron-data's <c>aal.nii.txt</c>),
    /// left and right together (mirroring, an augmentation of the nnU-Net recipe, would otherwise swap classes).
    /// On the 1 mm atlas they range from 3,698 voxels (amygdala) to 178,580 (cerebellar hemispheres).
    /// </summary>
    public static class SynthClasses
    {
        /// <summary>The foreground classes, value 1 first.</summary>
        public static IReadOnlyList<SynthClass> Foreground { get; } = new[]
        {
            new SynthClass(1, "thalamus", new[] { 77, 78 }),
            new SynthClass(2, "caudate", new[] { 71, 72 }),
            new SynthClass(3, "putamen", new[] { 73, 74 }),
            new SynthClass(4, "pallidum", new[] { 75, 76 }),
            new SynthClass(5, "hippocampus", new[] { 37, 38 }),
            new SynthClass(6, "amygdala", new[] { 41, 42 }),
            new SynthClass(7, "cerebellum", Enumerable.Range(91, 18).ToArray()),   // Cerebelum_Crus1_L .. Cerebelum_10_R
            new SynthClass(8, "vermis", Enumerable.Range(109, 8).ToArray()),       // Vermis_1_2 .. Vermis_10
        };

        /// <summary>Every label name, background first (dataset.json's order).</summary>
        public static IReadOnlyList<string> Labels { get; } = new[] { "background" }.Concat(Foreground.Select(c => c.Name)).ToArray();

        /// <summary>The class of AAL region <paramref name="region"/> (0 for regions that are not segmented).</summary>
        public static int ClassOfAalRegion(int region)
        {
            foreach (SynthClass c in Foreground)
                if (c.AalRegions.Contains(region)) return c.Value;
            return 0;
        }
    }
}
