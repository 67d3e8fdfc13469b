using System;
using System.Linq;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Datasets.Synth
{
    /// <summary>What a subject's image shows.</summary>
    public enum SynthImageKind
    {
        /// <summary>The Colin27 T1, deformed (trilinear).</summary>
        T1,

        /// <summary>An image drawn from the deformed generation labels (<see cref="LabelDrivenImage"/>).</summary>
        LabelDriven,
    }

    /// <summary>The random ranges of a subject: its deformation and its label-driven image.</summary>
    public sealed record SynthSubjectSettings
    {
        /// <summary>The deformation's ranges.</summary>
        public SynthDeformationSettings Deformation { get; init; } = new SynthDeformationSettings();

        /// <summary>The label-driven image's ranges.</summary>
        public LabelDrivenImageSettings Image { get; init; } = new LabelDrivenImageSettings();
    }

    /// <summary>What was drawn for a subject, and its class sizes.</summary>
    /// <param name="Kind">What the image shows.</param>
    /// <param name="Scale">The subject's scale along x, y, z relative to the atlas.</param>
    /// <param name="RotationDegrees">The rotation about x, y, z.</param>
    /// <param name="TranslationMm">The translation along x, y, z.</param>
    /// <param name="VelocityMm">The standard deviation of the velocity field at its control points.</param>
    /// <param name="MinJacobian">The smallest Jacobian determinant of the map from subject to atlas (above 0: no folding).</param>
    /// <param name="Synthesis">The label-driven image's random choices (null for a T1 image).</param>
    /// <param name="ClassVoxels">Voxels of each foreground class (index 0 for class 1).</param>
    /// <param name="VoxelMl">The volume of one voxel in ml.</param>
    public sealed record SynthSubjectInfo(SynthImageKind Kind, double[] Scale, double[] RotationDegrees, double[] TranslationMm, double VelocityMm,
                                          double MinJacobian, LabelDrivenImageInfo? Synthesis, long[] ClassVoxels, double VoxelMl)
    {
        /// <summary>The volume of each foreground class in ml.</summary>
        public double[] ClassVolumesMl => ClassVoxels.Select(v => v * VoxelMl).ToArray();
    }

    /// <summary>One synthetic subject: image, label, the deformation that made them and what was drawn.</summary>
    /// <param name="Image">The image (int16 values), on the grid.</param>
    /// <param name="Label">The label map (0..8), on the same grid.</param>
    /// <param name="Deformation">The map from the subject to the atlas.</param>
    /// <param name="Info">What was drawn, and the class sizes.</param>
    public sealed record SynthSubject(Volume Image, Volume Label, SynthDeformation Deformation, SynthSubjectInfo Info)
    {
        /// <summary>
        /// Makes a subject on <paramref name="grid"/>: a random deformation of the atlas; labels by nearest neighbour at the
        /// grid's voxel centres; the image on the refined grid (half the spacing, 8 samples per voxel) from the T1
        /// (trilinear, then averaged 2 x 2 x 2) or from the generation labels (nearest, then <see cref="LabelDrivenImage"/>).
        /// Everything random comes from <paramref name="rng"/>, in a fixed order.
        /// </summary>
        public static SynthSubject Make(SynthAtlas atlas, SynthGrid grid, SynthImageKind kind, Rng rng, SynthSubjectSettings settings)
        {
            SynthDeformation deformation = SynthDeformation.Random(grid, rng, settings.Deformation);

            var label = new float[grid.Shape.Volume];
            var counts = new long[SynthClasses.Foreground.Count];
            Sample(atlas, grid, deformation, (n, k, j, i) =>
            {
                long at = atlas.Nearest(k, j, i);
                int c = at < 0 ? 0 : atlas.Classes[at];
                label[n] = c;
                if (c > 0) counts[c - 1]++;
            });

            SynthGrid fine = grid.Refined();
            float[] image;
            LabelDrivenImageInfo? synthesis = null;
            if (kind == SynthImageKind.T1)
            {
                var t1 = new float[fine.Shape.Volume];
                Sample(atlas, fine, deformation, (n, k, j, i) => t1[n] = (float)atlas.T1At(k, j, i));
                image = Resampler.Resize(t1, fine.Shape, grid.Shape, Interpolation.Linear); // 2 x 2 x 2 averages
                for (int n = 0; n < image.Length; n++) image[n] = MathF.Round(image[n]);
            }
            else
            {
                var generation = new short[fine.Shape.Volume];
                Sample(atlas, fine, deformation, (n, k, j, i) =>
                {
                    long at = atlas.Nearest(k, j, i);
                    generation[n] = at < 0 ? SynthAtlas.Air : atlas.Generation[at];
                });
                (image, synthesis) = LabelDrivenImage.Draw(generation, fine, grid, rng, settings.Image);
            }

            AffineMatrix affine = grid.Affine;
            var info = new SynthSubjectInfo(kind, deformation.Scale, deformation.RotationDegrees, deformation.Translation, deformation.VelocityMm,
                                            deformation.MinJacobian(), synthesis, counts, Math.Pow(grid.Spacing, 3) / 1000);
            return new SynthSubject(new Volume(grid.Shape, image, grid.SpacingPerAxis, affine, VoxelType.Int16),
                                    new Volume(grid.Shape, label, grid.SpacingPerAxis, affine, VoxelType.UInt8), deformation, info);
        }

        /// <summary>Calls <paramref name="visit"/>(flat index, atlas k, j, i) for every voxel of <paramref name="grid"/>, in order.</summary>
        private static void Sample(SynthAtlas atlas, SynthGrid grid, SynthDeformation deformation, Action<int, double, double, double> visit)
        {
            var s = grid.Shape;
            float[][] u = deformation.DisplacementOn(s);
            for (int k = 0, n = 0; k < s.D; k++)
                for (int j = 0; j < s.H; j++)
                    for (int i = 0; i < s.W; i++, n++)
                    {
                        var (x, y, z) = deformation.Global(grid.OriginX + grid.Spacing * i + u[0][n], grid.OriginY + grid.Spacing * j + u[1][n], grid.OriginZ + grid.Spacing * k + u[2][n]);
                        var (ak, aj, ai) = atlas.Index(x, y, z);
                        visit(n, ak, aj, ai);
                    }
        }
    }
}
