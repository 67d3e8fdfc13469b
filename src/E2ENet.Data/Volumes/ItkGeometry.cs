using System;
using System.Globalization;
using E2ENet.Compiler.Semantics;

namespace E2ENet.Data.Volumes
{
    /// <summary>
    /// The geometry of an image as ITK stores it in MetaImage and NRRD files: per index axis (i, j, k; i fastest) a size, a
    /// spacing and a unit direction, and an origin, all in ITK's LPS world (x to the patient's left, y posterior, z
    /// superior). The rest of the pipeline works in NIfTI's RAS world: <see cref="ToRasAffine"/> flips x and y, so that
    /// <c>RAS = diag(-1, -1, 1) (origin + direction diag(spacing) (i, j, k))</c>. Kept as a volume's header so that a
    /// prediction written back carries exactly the numbers it was read with.
    /// </summary>
    public sealed class ItkGeometry : IVolumeHeader
    {
        private static readonly double[] Flip = { -1, -1, 1 };

        /// <summary>Creates a geometry; arrays are copied.</summary>
        /// <param name="formatName">The format it was read from ("MetaImage", "NRRD") or is written for.</param>
        /// <param name="sizes">Voxels along i, j, k.</param>
        /// <param name="spacing">Voxel size in mm along i, j, k.</param>
        /// <param name="origin">The world position of voxel (0, 0, 0), LPS.</param>
        /// <param name="direction">Row-major 3x3: column c is the LPS direction of index axis c.</param>
        public ItkGeometry(string formatName, long[] sizes, double[] spacing, double[] origin, double[] direction)
        {
            if (sizes.Length != 3 || spacing.Length != 3 || origin.Length != 3 || direction.Length != 9) throw new ArgumentException("a 3D geometry needs 3 sizes, spacings, origin values and a 3x3 direction");
            FormatName = formatName;
            Sizes = (long[])sizes.Clone();
            Spacing = (double[])spacing.Clone();
            Origin = (double[])origin.Clone();
            Direction = (double[])direction.Clone();
        }

        /// <inheritdoc />
        public string FormatName { get; }

        /// <summary>Voxels along i, j, k.</summary>
        public long[] Sizes { get; }

        /// <summary>Voxel size in mm along i, j, k.</summary>
        public double[] Spacing { get; }

        /// <summary>The LPS position of voxel (0, 0, 0).</summary>
        public double[] Origin { get; }

        /// <summary>Row-major 3x3; column c is the LPS unit direction of index axis c.</summary>
        public double[] Direction { get; }

        /// <summary>The array shape of a volume of this geometry: (k, j, i).</summary>
        public Int3 Shape => new Int3(checked((int)Sizes[2]), checked((int)Sizes[1]), checked((int)Sizes[0]));

        /// <summary>The voxel-to-RAS affine: <c>A[r, c] = flip[r] direction[r, c] spacing[c]</c>, offset <c>flip[r] origin[r]</c>.</summary>
        public AffineMatrix ToRasAffine()
        {
            var m = new double[12];
            for (int r = 0; r < 3; r++)
            {
                for (int c = 0; c < 3; c++) m[r * 4 + c] = Flip[r] * Direction[r * 3 + c] * Spacing[c];
                m[r * 4 + 3] = Flip[r] * Origin[r];
            }
            return new AffineMatrix(m);
        }

        /// <summary>The volume of this geometry with <paramref name="voxels"/> in file order (i fastest).</summary>
        public Volume ToVolume(float[] voxels, VoxelType storedType)
            => new Volume(Shape, voxels, new Real3(Spacing[2], Spacing[1], Spacing[0]), ToRasAffine(), storedType, this);

        /// <summary>
        /// The geometry to write <paramref name="volume"/> with: its own when it was read from a MetaImage or NRRD file of the
        /// same grid, else one derived from its affine (spacing = the length of each affine column, direction = the column
        /// divided by it, converted to LPS), so that the world position of every voxel is kept.
        /// </summary>
        /// <exception cref="DataException">E4014 when the affine has a zero or non-finite column.</exception>
        public static ItkGeometry For(Volume volume, string formatName, string path)
        {
            long[] sizes = { volume.Shape.W, volume.Shape.H, volume.Shape.D };
            if (volume.Header is ItkGeometry own && own.Sizes[0] == sizes[0] && own.Sizes[1] == sizes[1] && own.Sizes[2] == sizes[2])
                return new ItkGeometry(formatName, sizes, own.Spacing, own.Origin, own.Direction);
            AffineMatrix a = volume.Affine;
            var spacing = new double[3];
            var direction = new double[9];
            var origin = new double[3];
            for (int c = 0; c < 3; c++)
            {
                spacing[c] = a.ColumnNorm(c);
                if (!(spacing[c] > 0) || !double.IsFinite(spacing[c]))
                    throw new DataException(DataErrors.CannotWrite, path, $"the volume's affine ({a}) has a {(spacing[c] == 0 ? "zero" : "non-finite")} column {"ijk"[c]}; it has no {formatName} geometry");
                for (int r = 0; r < 3; r++) direction[r * 3 + c] = Flip[r] * a[r, c] / spacing[c];
            }
            for (int r = 0; r < 3; r++) origin[r] = Flip[r] * a[r, 3];
            return new ItkGeometry(formatName, sizes, spacing, origin, direction);
        }

        /// <summary>
        /// Checks what a reader parsed: spacings positive, every number finite, the direction matrix not singular.
        /// </summary>
        /// <exception cref="DataException">E4012 naming <paramref name="path"/>.</exception>
        public void Validate(string path)
        {
            for (int c = 0; c < 3; c++)
                if (!(Spacing[c] > 0) || !double.IsFinite(Spacing[c]))
                    throw new DataException(DataErrors.BadGeometry, path, $"the spacing along axis {c} is {Format(Spacing[c])}; it must be a positive number of mm");
            foreach (double v in Origin)
                if (!double.IsFinite(v)) throw new DataException(DataErrors.BadGeometry, path, "the origin is not finite: " + string.Join(" ", Array.ConvertAll(Origin, Format)));
            double[] d = Direction;
            double det = d[0] * (d[4] * d[8] - d[5] * d[7]) - d[1] * (d[3] * d[8] - d[5] * d[6]) + d[2] * (d[3] * d[7] - d[4] * d[6]);
            if (!double.IsFinite(det) || Math.Abs(det) < 1e-6)
                throw new DataException(DataErrors.BadGeometry, path, $"the direction matrix ({string.Join(" ", Array.ConvertAll(d, Format))}) is {(double.IsFinite(det) ? "singular" : "not finite")}");
        }

        /// <summary>A number as written to headers: shortest round-trip form, invariant culture.</summary>
        public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    }
}
