using System;
using System.Globalization;

namespace E2ENet.Data.Volumes
{
    /// <summary>Three reals along array axes 0, 1, 2 (for a volume: D, H, W), for example a voxel spacing in mm.</summary>
    public readonly record struct Real3(double D, double H, double W)
    {
        /// <summary>The value along axis 0 (D), 1 (H) or 2 (W).</summary>
        public double this[int axis] => axis == 0 ? D : axis == 1 ? H : axis == 2 ? W : throw new ArgumentOutOfRangeException(nameof(axis));

        /// <summary>From an array of three.</summary>
        public static Real3 From(double[] values) => new Real3(values[0], values[1], values[2]);

        /// <summary>The same value on every axis.</summary>
        public static Real3 All(double value) => new Real3(value, value, value);

        /// <summary>As an array of three.</summary>
        public double[] ToArray() => new[] { D, H, W };

        /// <summary>The largest value.</summary>
        public double Max => Math.Max(D, Math.Max(H, W));

        /// <summary>The smallest value.</summary>
        public double Min => Math.Min(D, Math.Min(H, W));

        /// <summary>The axes reordered: result[i] = this[order[i]].</summary>
        public Real3 Permute(int[] order) => new Real3(this[order[0]], this[order[1]], this[order[2]]);

        /// <summary><c>[d, h, w]</c> with up to 4 decimals, invariant culture.</summary>
        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "[{0:0.####}, {1:0.####}, {2:0.####}]", D, H, W);

        /// <summary>True when every axis differs by at most <paramref name="relative"/> of the larger value.</summary>
        public bool ApproximatelyEquals(Real3 other, double relative)
        {
            for (int axis = 0; axis < 3; axis++)
            {
                double a = this[axis], b = other[axis];
                if (Math.Abs(a - b) > relative * Math.Max(Math.Abs(a), Math.Abs(b))) return false;
            }
            return true;
        }
    }
}
