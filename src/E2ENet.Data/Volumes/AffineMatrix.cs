using System;
using System.Globalization;
using System.Linq;

namespace E2ENet.Data.Volumes
{
    /// <summary>
    /// A 4x4 affine transform whose last row is (0, 0, 0, 1), stored as 3 rows of 4. For a volume it maps a voxel
    /// index (i, j, k) (NIfTI order: i the fastest-varying index) to world coordinates (x, y, z) in mm, in NIfTI's
    /// RAS+ convention: <c>x = M[0,0] i + M[0,1] j + M[0,2] k + M[0,3]</c>, and so on.
    /// </summary>
    public sealed class AffineMatrix : IEquatable<AffineMatrix>
    {
        private readonly double[] _m; // row-major 3x4

        /// <summary>Creates a matrix from its 12 upper entries, row by row.</summary>
        public AffineMatrix(double[] rows3x4)
        {
            if (rows3x4.Length != 12) throw new ArgumentException("an affine needs 12 values (3 rows of 4)", nameof(rows3x4));
            _m = (double[])rows3x4.Clone();
        }

        /// <summary>A diagonal matrix with the given scales and offset zero.</summary>
        public static AffineMatrix Diagonal(double si, double sj, double sk)
            => new AffineMatrix(new[] { si, 0, 0, 0, 0, sj, 0, 0, 0, 0, sk, 0 });

        /// <summary>Entry (row, column), row 0..3, column 0..3.</summary>
        public double this[int row, int column] => row == 3 ? (column == 3 ? 1 : 0) : _m[row * 4 + column];

        /// <summary>The 12 upper entries, row by row.</summary>
        public double[] ToArray() => (double[])_m.Clone();

        /// <summary>The 4x4 matrix as nested rows.</summary>
        public double[][] ToRows() => Enumerable.Range(0, 4).Select(r => Enumerable.Range(0, 4).Select(c => this[r, c]).ToArray()).ToArray();

        /// <summary>The world position of voxel (i, j, k).</summary>
        public (double X, double Y, double Z) Transform(double i, double j, double k)
            => (_m[0] * i + _m[1] * j + _m[2] * k + _m[3], _m[4] * i + _m[5] * j + _m[6] * k + _m[7], _m[8] * i + _m[9] * j + _m[10] * k + _m[11]);

        /// <summary>The length of column <paramref name="column"/> (0 = i, 1 = j, 2 = k): the voxel size along that index.</summary>
        public double ColumnNorm(int column)
            => Math.Sqrt(_m[column] * _m[column] + _m[4 + column] * _m[4 + column] + _m[8 + column] * _m[8 + column]);

        /// <summary>The determinant of the 3x3 part.</summary>
        public double Determinant3
            => _m[0] * (_m[5] * _m[10] - _m[6] * _m[9]) - _m[1] * (_m[4] * _m[10] - _m[6] * _m[8]) + _m[2] * (_m[4] * _m[9] - _m[5] * _m[8]);

        /// <summary>This matrix times <paramref name="other"/> (apply <paramref name="other"/> first).</summary>
        public AffineMatrix Multiply(AffineMatrix other)
        {
            var result = new double[12];
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 4; c++)
                {
                    double sum = 0;
                    for (int k = 0; k < 4; k++) sum += this[r, k] * other[k, c];
                    result[r * 4 + c] = sum;
                }
            return new AffineMatrix(result);
        }

        /// <summary>The inverse transform (world to voxel index for a volume's affine).</summary>
        /// <exception cref="InvalidOperationException">The 3x3 part is singular.</exception>
        public AffineMatrix Inverse()
        {
            double det = Determinant3;
            if (!(Math.Abs(det) > 0) || double.IsInfinity(det)) throw new InvalidOperationException("a singular affine has no inverse: " + this);
            double[] m = _m;
            var r = new double[12];
            // The adjugate of the 3x3 part over the determinant, then the translation moved to the other side.
            r[0] = (m[5] * m[10] - m[6] * m[9]) / det; r[1] = (m[2] * m[9] - m[1] * m[10]) / det; r[2] = (m[1] * m[6] - m[2] * m[5]) / det;
            r[4] = (m[6] * m[8] - m[4] * m[10]) / det; r[5] = (m[0] * m[10] - m[2] * m[8]) / det; r[6] = (m[2] * m[4] - m[0] * m[6]) / det;
            r[8] = (m[4] * m[9] - m[5] * m[8]) / det; r[9] = (m[1] * m[8] - m[0] * m[9]) / det; r[10] = (m[0] * m[5] - m[1] * m[4]) / det;
            for (int row = 0; row < 3; row++) r[row * 4 + 3] = -(r[row * 4] * m[3] + r[row * 4 + 1] * m[7] + r[row * 4 + 2] * m[11]);
            return new AffineMatrix(r);
        }

        /// <summary>True when every entry differs by at most <paramref name="tolerance"/> (absolute, in mm or mm/voxel).</summary>
        public bool ApproximatelyEquals(AffineMatrix other, double tolerance)
        {
            for (int i = 0; i < 12; i++) if (!(Math.Abs(_m[i] - other._m[i]) <= tolerance)) return false;
            return true;
        }

        /// <summary>The largest absolute difference of an entry.</summary>
        public double MaxDifference(AffineMatrix other)
        {
            double max = 0;
            for (int i = 0; i < 12; i++) max = Math.Max(max, Math.Abs(_m[i] - other._m[i]));
            return max;
        }

        /// <summary>True when every entry is finite.</summary>
        public bool IsFinite => _m.All(v => !double.IsNaN(v) && !double.IsInfinity(v));

        /// <inheritdoc />
        public bool Equals(AffineMatrix? other) => other != null && _m.SequenceEqual(other._m);

        /// <inheritdoc />
        public override bool Equals(object? obj) => Equals(obj as AffineMatrix);

        /// <inheritdoc />
        public override int GetHashCode() => _m.Aggregate(17, (h, v) => h * 31 + v.GetHashCode());

        /// <summary>Three rows <c>[a, b, c, d]</c>, invariant culture.</summary>
        public override string ToString()
            => string.Join("; ", Enumerable.Range(0, 3).Select(r => "[" + string.Join(", ", Enumerable.Range(0, 4).Select(c => _m[r * 4 + c].ToString("0.####", CultureInfo.InvariantCulture))) + "]"));
    }
}
