using E2ENet.Compiler.Semantics;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Datasets.Synth
{
    /// <summary>
    /// An axis-aligned voxel grid in world millimetres (RAS+, like the atlas): array axes (D, H, W) = (k, j, i) run along
    /// z, y and x; voxel (k, j, i) lies at <c>origin + spacing x (i, j, k)</c>.
    /// </summary>
    /// <param name="Shape">Voxels along (z, y, x).</param>
    /// <param name="Spacing">Voxel size in mm, the same on every axis.</param>
    /// <param name="OriginX">World x of voxel (0, 0, 0).</param>
    /// <param name="OriginY">World y of voxel (0, 0, 0).</param>
    /// <param name="OriginZ">World z of voxel (0, 0, 0).</param>
    public sealed record SynthGrid(Int3 Shape, double Spacing, double OriginX, double OriginY, double OriginZ)
    {
        /// <summary>The grid of <paramref name="spacing"/> mm voxels covering about <paramref name="extentX"/> x <paramref name="extentY"/> x <paramref name="extentZ"/> mm around a centre.</summary>
        public static SynthGrid Around(double centreX, double centreY, double centreZ, double extentX, double extentY, double extentZ, double spacing)
        {
            var shape = new Int3(Count(extentZ, spacing), Count(extentY, spacing), Count(extentX, spacing));
            return new SynthGrid(shape, spacing,
                centreX - spacing * (shape.W - 1) / 2, centreY - spacing * (shape.H - 1) / 2, centreZ - spacing * (shape.D - 1) / 2);
        }

        private static int Count(double extent, double spacing) => System.Math.Max(4, (int)System.Math.Round(extent / spacing));

        /// <summary>Voxel index (i, j, k) to world mm.</summary>
        public AffineMatrix Affine => new AffineMatrix(new[] { Spacing, 0, 0, OriginX, 0, Spacing, 0, OriginY, 0, 0, Spacing, OriginZ });

        /// <summary>The voxel size per array axis.</summary>
        public Real3 SpacingPerAxis => Real3.All(Spacing);

        /// <summary>The extent in mm along array axis <paramref name="axis"/> (0 = z, 1 = y, 2 = x).</summary>
        public double Extent(int axis) => Shape[axis] * Spacing;

        /// <summary>The grid with twice as many voxels per axis over the same field of view (each voxel split into 2 x 2 x 2).</summary>
        public SynthGrid Refined()
            => new SynthGrid(new Int3(2 * Shape.D, 2 * Shape.H, 2 * Shape.W), Spacing / 2, OriginX - Spacing / 4, OriginY - Spacing / 4, OriginZ - Spacing / 4);
    }
}
