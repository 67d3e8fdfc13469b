using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Postprocessing;
using E2ENet.Data.Tests.Support;
using E2ENet.Data.Volumes;
using E2ENet.Tests;

namespace E2ENet.Data.Tests.Postprocessing
{
    /// <summary>
    /// 3D connected components (26-neighbourhood) against scipy's ndimage.label on real volumes (Colin27 thresholded, the
    /// AAL atlas per region, random masks): the same count, the same sizes, and the same label of every voxel; and the
    /// largest-component postprocessing against nnU-Net's rule written with scipy.
    /// </summary>
    public class ConnectedComponentsTests : IDisposable
    {
        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        private static string Script => File.ReadAllText(TestPaths.Repo("tests", "E2ENet.Data.Tests", "Postprocessing", "components.py"));

        private static string[] Dims(Int3 s) => new[] { s.D, s.H, s.W }.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        private void AssertSameAsScipy(bool[] mask, Int3 shape, int minimumComponents)
        {
            string maskFile = _temp.File("mask.u8"), labelFile = _temp.File("labels.i32");
            File.WriteAllBytes(maskFile, mask.Select(m => m ? (byte)1 : (byte)0).ToArray());
            JsonElement scipy = PythonOracle.Json(Script, new[] { "label", maskFile }.Concat(Dims(shape)).Append(labelFile).ToArray());
            ComponentLabeling ours = ConnectedComponents.Label(mask, shape);
            Assert.Equal(scipy.GetProperty("count").GetInt32(), ours.Count);
            Assert.True(ours.Count >= minimumComponents, $"only {ours.Count} components: the case tests too little");
            Assert.Equal(scipy.GetProperty("sizes").EnumerateArray().Select(e => e.GetInt64()), ours.Sizes);
            int[] expected = MemoryMarshal.Cast<byte, int>(File.ReadAllBytes(labelFile)).ToArray();
            for (int n = 0; n < expected.Length; n++)
                if (expected[n] != ours.Labels[n]) Assert.Fail($"voxel {n}: scipy {expected[n]}, ours {ours.Labels[n]}");
        }

        [Theory]
        [InlineData(40, 100)]
        [InlineData(90, 100)]
        [InlineData(130, 100)]
        public void Thresholded_Colin27_matches_scipy_voxel_for_voxel(int threshold, int minimumComponents)
        {
            Volume t1 = VolumeFiles.Read(RealData.Colin27);
            AssertSameAsScipy(t1.Voxels.Select(v => v > threshold).ToArray(), t1.Shape, minimumComponents);
        }

        [Fact]
        public void An_intensity_band_of_Colin27_with_thousands_of_components_matches_scipy()
        {
            Volume t1 = VolumeFiles.Read(RealData.Colin27);
            AssertSameAsScipy(t1.Voxels.Select(v => v >= 60 && v < 75).ToArray(), t1.Shape, 1000);
        }

        [Theory]
        [InlineData(0.2, 1)]
        [InlineData(0.35, 2)]
        [InlineData(0.5, 3)]
        public void Random_masks_of_several_densities_match_scipy(double density, int seed)
        {
            // Around the 26-neighbourhood's percolation threshold (about 0.1): corner-only contacts decide everything.
            var shape = new Int3(23, 31, 37);
            var random = new Random(seed);
            bool[] mask = Enumerable.Range(0, (int)shape.Volume).Select(_ => random.NextDouble() < density * 0.3).ToArray();
            AssertSameAsScipy(mask, shape, 10);
        }

        [Fact]
        public void Every_AAL_region_has_the_components_scipy_finds()
        {
            Volume aal = VolumeFiles.Read(RealData.Aal);
            string segFile = _temp.File("aal.f32");
            File.WriteAllBytes(segFile, MemoryMarshal.Cast<float, byte>(aal.Voxels).ToArray());
            JsonElement scipy = PythonOracle.Json(Script, new[] { "classes", segFile }.Concat(Dims(aal.Shape)).ToArray());
            int regions = 0, split = 0;
            foreach (JsonProperty region in scipy.EnumerateObject())
            {
                int value = int.Parse(region.Name, System.Globalization.CultureInfo.InvariantCulture);
                ComponentLabeling ours = ConnectedComponents.Label(aal.Voxels.Select(v => v == value).ToArray(), aal.Shape);
                Assert.Equal(region.Value.EnumerateArray().Select(e => e.GetInt64()), ours.Sizes.OrderBy(s => s));
                regions++;
                if (ours.Count > 1) split++;
            }
            Assert.Equal(116, regions);
            Assert.True(split > 0, "no AAL region has more than one component: the comparison shows little");
        }

        [Theory]
        [InlineData(LargestComponentMode.PerClass, "perclass")]
        [InlineData(LargestComponentMode.Foreground, "foreground")]
        public void Largest_component_matches_nnUNets_rule_written_with_scipy(LargestComponentMode mode, string name)
        {
            // Colin27 cut into 3 intensity classes: each class has many components.
            Volume t1 = VolumeFiles.Read(RealData.Colin27);
            float[] seg = t1.Voxels.Select(v => v > 110 ? 3f : v > 80 ? 2f : v > 45 ? 1f : 0f).ToArray();
            string segFile = _temp.File("seg.f32"), outFile = _temp.File("out.f32");
            File.WriteAllBytes(segFile, MemoryMarshal.Cast<float, byte>(seg).ToArray());
            JsonElement scipy = PythonOracle.Json(Script, new[] { "largest", segFile }.Concat(Dims(t1.Shape)).Append(name).Append(outFile).ToArray());
            float[] expected = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(outFile)).ToArray();
            float[] ours = LargestComponent.Apply(seg, t1.Shape, mode);
            Assert.True(scipy.GetProperty("removed").GetInt32() > 100);
            Assert.True(expected.AsSpan().SequenceEqual(ours));
            Assert.Equal(seg.Count(v => v == 0), seg.Length - seg.Count(v => v != 0)); // the input is unchanged
        }

        [Fact]
        public void Face_edge_and_corner_contacts_connect_and_a_gap_does_not()
        {
            var shape = new Int3(3, 3, 4);
            var mask = new bool[shape.Volume];
            int At(int d, int h, int w) => (d * 3 + h) * 4 + w;
            mask[At(0, 0, 0)] = true; // touches (1, 1, 1) by a corner only
            mask[At(1, 1, 1)] = true;
            mask[At(2, 2, 2)] = true; // by a corner only
            mask[At(1, 2, 0)] = true; // touches (1, 1, 1) by an edge only
            mask[At(0, 0, 3)] = true; // two columns from everything: its own component
            ComponentLabeling c = ConnectedComponents.Label(mask, shape);
            Assert.Equal(2, c.Count);
            Assert.Equal(new long[] { 4, 1 }, c.Sizes);
            Assert.Equal(1, c.Largest);
            Assert.Equal(2, c.Labels[At(0, 0, 3)]);
        }

        [Fact]
        public void Per_class_keeps_each_class_largest_and_a_subset_of_classes_leaves_the_others()
        {
            var shape = new Int3(1, 1, 9);
            float[] seg = { 1, 1, 0, 1, 0, 2, 0, 2, 2 };
            Assert.Equal(new float[] { 1, 1, 0, 0, 0, 0, 0, 2, 2 }, LargestComponent.Apply(seg, shape, LargestComponentMode.PerClass));
            Assert.Equal(new float[] { 1, 1, 0, 0, 0, 2, 0, 2, 2 }, LargestComponent.Apply(seg, shape, LargestComponentMode.PerClass, new[] { 1 }));
            // Foreground as a whole: 1 1 is a component of 2, 2 2 another of 2: the first wins.
            Assert.Equal(new float[] { 1, 1, 0, 0, 0, 0, 0, 0, 0 }, LargestComponent.Apply(seg, shape, LargestComponentMode.Foreground));
            Assert.Throws<ArgumentException>(() => LargestComponent.Apply(seg, shape, LargestComponentMode.PerClass, new[] { 0 }));
            Assert.Empty(ConnectedComponents.Label(new bool[9], shape).Sizes);
            Assert.Equal(0, ConnectedComponents.Label(new bool[9], shape).Largest);
        }
    }
}
