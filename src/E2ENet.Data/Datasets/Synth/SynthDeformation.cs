using System;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Training.Augmentations;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Datasets.Synth
{
    /// <summary>How strong the random deformations of <see cref="SynthDeformation.Random"/> are.</summary>
    public sealed record SynthDeformationSettings
    {
        /// <summary>Half-range of the log of the global scale shared by the three axes (0.05: head sizes within about ±5%).</summary>
        public double GlobalLogScale { get; init; } = 0.05;

        /// <summary>Half-range of the log of each axis's own extra scale.</summary>
        public double AxisLogScale { get; init; } = 0.04;

        /// <summary>Half-range of the rotation about each axis, in degrees.</summary>
        public double RotationDegrees { get; init; } = 8;

        /// <summary>Half-range of the translation along each axis, in mm.</summary>
        public double TranslationMm { get; init; } = 4;

        /// <summary>Distance between the control points of the random velocity field, in mm.</summary>
        public double ControlSpacingMm { get; init; } = 24;

        /// <summary>Smallest standard deviation of the velocity at a control point, in mm (each subject draws its own between the two).</summary>
        public double MinVelocityMm { get; init; } = 1.5;

        /// <summary>Largest standard deviation of the velocity at a control point, in mm.</summary>
        public double MaxVelocityMm { get; init; } = 3.5;

        /// <summary>Voxel size of the grid the velocity is integrated on, in mm (about; the grid covers the subject's field of view exactly).</summary>
        public double FieldSpacingMm { get; init; } = 4;

        /// <summary>Scaling-and-squaring steps: the velocity is divided by 2^steps and the small displacement composed with itself that many times.</summary>
        public int SquaringSteps { get; init; } = 6;
    }

    /// <summary>
    /// A random smooth diffeomorphism from a subject's grid to the atlas, as atlas augmentation makes them: a stationary
    /// velocity field (Gaussian vectors on a coarse control grid, cubic B-spline upsampled to a field grid of about
    /// <see cref="SynthDeformationSettings.FieldSpacingMm"/>), integrated by scaling and squaring into a displacement <c>u</c>,
    /// followed by a random global affine (scale, rotation, translation) about the grid's centre:
    /// <c>atlas(x) = c + R S^-1 (x + u(x) - c) + t</c>. A subject with scale above 1 is larger than the atlas.
    /// The field grid covers the subject grid's box exactly, so <c>u</c> reaches any grid over that box by trilinear resizing.
    /// </summary>
    public sealed class SynthDeformation
    {
        private readonly Int3 _field;
        private readonly Real3 _fieldSpacing; // mm per field voxel along (z, y, x)
        private readonly double _fx0, _fy0, _fz0; // world of field voxel (0, 0, 0)
        private readonly float[][] _u; // displacement in mm along x, y, z, on the field grid
        private readonly double[] _m; // 3x3 row-major: R S^-1
        private readonly double _cx, _cy, _cz;

        private SynthDeformation(SynthGrid grid, Int3 field, float[][] u, double[] scale, double[] rotationDegrees, double[] translation, double velocity)
        {
            _field = field;
            _fieldSpacing = FieldSpacing(grid, field);
            _fx0 = grid.OriginX - grid.Spacing / 2 + _fieldSpacing.W / 2;
            _fy0 = grid.OriginY - grid.Spacing / 2 + _fieldSpacing.H / 2;
            _fz0 = grid.OriginZ - grid.Spacing / 2 + _fieldSpacing.D / 2;
            _u = u;
            Scale = scale;
            RotationDegrees = rotationDegrees;
            Translation = translation;
            VelocityMm = velocity;
            _cx = grid.OriginX + grid.Spacing * (grid.Shape.W - 1) / 2;
            _cy = grid.OriginY + grid.Spacing * (grid.Shape.H - 1) / 2;
            _cz = grid.OriginZ + grid.Spacing * (grid.Shape.D - 1) / 2;
            double[] r = RotationMatrix(rotationDegrees);
            _m = new double[9];
            for (int row = 0; row < 3; row++)
                for (int column = 0; column < 3; column++) _m[row * 3 + column] = r[row * 3 + column] / scale[column];
        }

        /// <summary>The subject's scale along x, y, z relative to the atlas.</summary>
        public double[] Scale { get; }

        /// <summary>The rotation about x, y, z in degrees.</summary>
        public double[] RotationDegrees { get; }

        /// <summary>The translation along x, y, z in mm.</summary>
        public double[] Translation { get; }

        /// <summary>The standard deviation of the velocity at the control points, in mm.</summary>
        public double VelocityMm { get; }

        /// <summary>Draws a deformation for subjects on <paramref name="grid"/> (or any grid over the same box).</summary>
        public static SynthDeformation Random(SynthGrid grid, Rng rng, SynthDeformationSettings settings)
        {
            double global = rng.Uniform(-settings.GlobalLogScale, settings.GlobalLogScale);
            var scale = new double[3];
            var rotation = new double[3];
            var translation = new double[3];
            for (int a = 0; a < 3; a++) scale[a] = Math.Exp(global + rng.Uniform(-settings.AxisLogScale, settings.AxisLogScale));
            for (int a = 0; a < 3; a++) rotation[a] = rng.Uniform(-settings.RotationDegrees, settings.RotationDegrees);
            for (int a = 0; a < 3; a++) translation[a] = rng.Uniform(-settings.TranslationMm, settings.TranslationMm);
            double velocity = rng.Uniform(settings.MinVelocityMm, settings.MaxVelocityMm);

            // The velocity: N(0, velocity) vectors on the control grid, cubic B-spline upsampled to the field grid, in mm.
            var field = new Int3(Count(grid.Extent(0), settings.FieldSpacingMm, 4), Count(grid.Extent(1), settings.FieldSpacingMm, 4), Count(grid.Extent(2), settings.FieldSpacingMm, 4));
            var control = new Int3(Count(grid.Extent(0), settings.ControlSpacingMm, 2), Count(grid.Extent(1), settings.ControlSpacingMm, 2), Count(grid.Extent(2), settings.ControlSpacingMm, 2));
            var v = new float[3][];
            for (int component = 0; component < 3; component++)
            {
                var points = new float[control.Volume];
                for (int n = 0; n < points.Length; n++) points[n] = (float)(velocity * rng.Normal());
                v[component] = Resampler.Resize(points, control, field, Interpolation.Cubic, clip: false);
            }
            float[][] u = Integrate(v, field, FieldSpacing(grid, field), settings.SquaringSteps);
            return new SynthDeformation(grid, field, u, scale, rotation, translation, velocity);
        }

        /// <summary>
        /// The displacement (mm along x, y, z) of the diffeomorphism <c>exp(v)</c> of a stationary velocity field
        /// <paramref name="velocity"/> on a grid of <paramref name="shape"/> and <paramref name="spacing"/> (mm per array axis), by
        /// scaling and squaring: <c>v / 2^steps</c> composed with itself <paramref name="steps"/> times.
        /// </summary>
        public static float[][] Integrate(float[][] velocity, Int3 shape, Real3 spacing, int steps)
        {
            double scale = Math.Pow(2, -steps);
            var u = new float[3][];
            for (int c = 0; c < 3; c++)
            {
                u[c] = new float[velocity[c].Length];
                for (int n = 0; n < u[c].Length; n++) u[c][n] = (float)(velocity[c][n] * scale);
            }
            for (int s = 0; s < steps; s++) u = Compose(u, u, shape, spacing);
            return u;
        }

        /// <summary>
        /// The composition <c>a o b</c> of two displacement fields (mm along x, y, z) on a grid of <paramref name="shape"/> and
        /// <paramref name="spacing"/>: <c>b(x) + a(x + b(x))</c>, trilinear, edges replicated.
        /// </summary>
        public static float[][] Compose(float[][] a, float[][] b, Int3 shape, Real3 spacing)
        {
            var result = new[] { new float[shape.Volume], new float[shape.Volume], new float[shape.Volume] };
            for (int k = 0, n = 0; k < shape.D; k++)
                for (int j = 0; j < shape.H; j++)
                    for (int i = 0; i < shape.W; i++, n++)
                    {
                        double dk = k + b[2][n] / spacing.D, dj = j + b[1][n] / spacing.H, di = i + b[0][n] / spacing.W;
                        for (int c = 0; c < 3; c++) result[c][n] = (float)(b[c][n] + SpatialTransform.Linear(a[c], shape, dk, dj, di));
                    }
            return result;
        }

        /// <summary>The displacement in mm along x, y, z (components 0, 1, 2) on a grid of <paramref name="shape"/> over the subject's box (the grid or its refinement), trilinear.</summary>
        public float[][] DisplacementOn(Int3 shape)
            => _u.Select(component => Resampler.Resize(component, _field, shape, Interpolation.Linear, clip: false)).ToArray();

        /// <summary>The atlas world position of subject world position (x, y, z).</summary>
        public (double X, double Y, double Z) ToAtlas(double x, double y, double z)
        {
            double k = (z - _fz0) / _fieldSpacing.D, j = (y - _fy0) / _fieldSpacing.H, i = (x - _fx0) / _fieldSpacing.W;
            return Global(x + SpatialTransform.Linear(_u[0], _field, k, j, i), y + SpatialTransform.Linear(_u[1], _field, k, j, i), z + SpatialTransform.Linear(_u[2], _field, k, j, i));
        }

        /// <summary>The global affine alone: the atlas world position of a displaced point <c>x + u(x)</c>.</summary>
        public (double X, double Y, double Z) Global(double px, double py, double pz)
        {
            px -= _cx; py -= _cy; pz -= _cz;
            return (_cx + _m[0] * px + _m[1] * py + _m[2] * pz + Translation[0],
                    _cy + _m[3] * px + _m[4] * py + _m[5] * pz + Translation[1],
                    _cz + _m[6] * px + _m[7] * py + _m[8] * pz + Translation[2]);
        }

        /// <summary>
        /// The smallest Jacobian determinant of the map from subject to atlas over the field grid (central differences):
        /// above 0 everywhere for a diffeomorphism. Its reciprocal is the local volume change of the subject.
        /// </summary>
        public double MinJacobian()
        {
            Int3 s = _field;
            double det3 = _m[0] * (_m[4] * _m[8] - _m[5] * _m[7]) - _m[1] * (_m[3] * _m[8] - _m[5] * _m[6]) + _m[2] * (_m[3] * _m[7] - _m[4] * _m[6]);
            double min = double.MaxValue;
            var g = new double[9];
            for (int k = 0; k < s.D; k++)
                for (int j = 0; j < s.H; j++)
                    for (int i = 0; i < s.W; i++)
                    {
                        for (int c = 0; c < 3; c++)
                        {
                            g[c * 3 + 0] = Difference(_u[c], s, k, j, i, 2) / _fieldSpacing.W; // d/dx
                            g[c * 3 + 1] = Difference(_u[c], s, k, j, i, 1) / _fieldSpacing.H; // d/dy
                            g[c * 3 + 2] = Difference(_u[c], s, k, j, i, 0) / _fieldSpacing.D; // d/dz
                        }
                        g[0] += 1; g[4] += 1; g[8] += 1;
                        double det = g[0] * (g[4] * g[8] - g[5] * g[7]) - g[1] * (g[3] * g[8] - g[5] * g[6]) + g[2] * (g[3] * g[7] - g[4] * g[6]);
                        min = Math.Min(min, det);
                    }
            return min * det3;
        }

        private static int Count(double extent, double spacing, int minimum) => Math.Max(minimum, (int)Math.Round(extent / spacing));

        private static Real3 FieldSpacing(SynthGrid grid, Int3 field)
            => new Real3(grid.Extent(0) / field.D, grid.Extent(1) / field.H, grid.Extent(2) / field.W);

        private static double Difference(float[] v, Int3 s, int k, int j, int i, int axis)
        {
            int length = s[axis], at = axis == 0 ? k : axis == 1 ? j : i;
            int lo = Math.Max(0, at - 1), hi = Math.Min(length - 1, at + 1);
            if (hi == lo) return 0;
            long Index(int p) => axis == 0 ? ((long)p * s.H + j) * s.W + i : axis == 1 ? ((long)k * s.H + p) * s.W + i : ((long)k * s.H + j) * s.W + p;
            return (v[Index(hi)] - v[Index(lo)]) / (double)(hi - lo);
        }

        private static double[] RotationMatrix(double[] degrees)
        {
            double ax = degrees[0] * Math.PI / 180, ay = degrees[1] * Math.PI / 180, az = degrees[2] * Math.PI / 180;
            double[] rx = { 1, 0, 0, 0, Math.Cos(ax), -Math.Sin(ax), 0, Math.Sin(ax), Math.Cos(ax) };
            double[] ry = { Math.Cos(ay), 0, Math.Sin(ay), 0, 1, 0, -Math.Sin(ay), 0, Math.Cos(ay) };
            double[] rz = { Math.Cos(az), -Math.Sin(az), 0, Math.Sin(az), Math.Cos(az), 0, 0, 0, 1 };
            return Multiply(rz, Multiply(ry, rx));
        }

        private static double[] Multiply(double[] a, double[] b)
        {
            var r = new double[9];
            for (int row = 0; row < 3; row++)
                for (int column = 0; column < 3; column++)
                    for (int k = 0; k < 3; k++) r[row * 3 + column] += a[row * 3 + k] * b[k * 3 + column];
            return r;
        }
    }
}
