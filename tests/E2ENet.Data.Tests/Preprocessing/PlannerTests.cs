using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Preprocessing;

namespace E2ENet.Data.Tests.Preprocessing
{
    public class PlannerTests
    {
        [Fact]
        public void Target_spacing_is_the_median()
        {
            var spacings = new List<double[]> { new[] { 1.0, 0.7, 0.7 }, new[] { 1.5, 0.8, 0.8 }, new[] { 1.2, 0.9, 0.9 } };
            var shapes = new List<int[]> { new[] { 100, 200, 200 }, new[] { 100, 200, 200 }, new[] { 100, 200, 200 } };
            Assert.Equal(new[] { 1.2, 0.8, 0.8 }, Planner.TargetSpacing(spacings, shapes));
        }

        [Fact]
        public void Anisotropic_axis_takes_its_tenth_percentile_when_it_also_has_few_voxels()
        {
            // Slices of 5 mm (one case at 2.5 mm) against 0.8 mm in-plane, 40 slices against 500 voxels: nnU-Net's rule.
            var spacings = Enumerable.Range(0, 10).Select(i => new[] { i == 0 ? 2.5 : 5.0, 0.8, 0.8 }).ToList();
            var shapes = Enumerable.Range(0, 10).Select(_ => new[] { 40, 500, 500 }).ToList();
            double[] target = Planner.TargetSpacing(spacings, shapes);
            Assert.Equal(4.75, target[0], 6); // numpy's 10th percentile of [2.5, 5 x 9]
            Assert.Equal(0.8, target[1]);
            // With many slices it stays the median.
            var many = Enumerable.Range(0, 10).Select(_ => new[] { 400, 500, 500 }).ToList();
            Assert.Equal(5.0, Planner.TargetSpacing(spacings, many)[0]);
        }

        [Fact]
        public void The_tenth_percentile_never_goes_below_the_other_axes()
        {
            var spacings = Enumerable.Range(0, 10).Select(i => new[] { i < 5 ? 0.5 : 5.0, 0.8, 0.8 }).ToList();
            var shapes = Enumerable.Range(0, 10).Select(_ => new[] { 40, 500, 500 }).ToList();
            // median 2.75 < 3 x 0.8: not anisotropic; make it so with coarser slices.
            spacings = Enumerable.Range(0, 10).Select(i => new[] { i < 2 ? 0.5 : 5.0, 0.8, 0.8 }).ToList();
            double[] target = Planner.TargetSpacing(spacings, shapes);
            Assert.Equal(0.8 + 1e-5, target[0], 9);
        }

        [Fact]
        public void Separate_z_uses_order_zero_along_the_coarse_axis_only_when_anisotropic()
        {
            Assert.Equal(new[] { Interpolation.Nearest, Interpolation.Cubic, Interpolation.Cubic }, Planner.Orders(new[] { 5.0, 0.8, 0.8 }, new[] { 1.0, 1.0, 1.0 }, Interpolation.Cubic));
            Assert.Equal(new[] { Interpolation.Linear, Interpolation.Linear, Interpolation.Nearest }, Planner.Orders(new[] { 1.0, 1.0, 1.0 }, new[] { 1.0, 1.0, 4.0 }, Interpolation.Linear));
            Assert.Equal(new[] { Interpolation.Cubic, Interpolation.Cubic, Interpolation.Cubic }, Planner.Orders(new[] { 2.0, 1.0, 1.0 }, new[] { 1.0, 1.0, 1.0 }, Interpolation.Cubic));
        }

        [Fact]
        public void Nonzero_mask_fills_holes_and_gives_the_bounding_box()
        {
            var shape = new Int3(7, 7, 7);
            var image = new float[shape.Volume];
            for (int a = 2; a <= 5; a++) for (int b = 1; b <= 4; b++) for (int c = 2; c <= 6; c++) image[(a * 7 + b) * 7 + c] = 1;
            image[(3 * 7 + 2) * 7 + 3] = 0; // a hole inside
            bool[] mask = VolumeOps.NonzeroMask(new[] { image }, shape);
            Assert.True(mask[(3 * 7 + 2) * 7 + 3]);
            Assert.False(mask[0]);
            Assert.Equal(new Box3(new Int3(2, 1, 2), new Int3(4, 4, 5)), VolumeOps.BoundingBox(mask, shape));
        }

        [Fact]
        public void Transpose_and_its_inverse()
        {
            var shape = new Int3(2, 3, 4);
            int[] data = Enumerable.Range(0, 24).ToArray();
            var (t, tShape) = VolumeOps.Transpose(data, shape, new[] { 2, 0, 1 });
            Assert.Equal(new Int3(4, 2, 3), tShape);
            Assert.Equal(data[(1 * 3 + 2) * 4 + 3], t[(3 * 2 + 1) * 3 + 2]); // t[w, d, h] = data[d, h, w]
            Assert.Equal(data, VolumeOps.Transpose(t, tShape, VolumeOps.Inverse(new[] { 2, 0, 1 })).Data);
        }
    }
}
