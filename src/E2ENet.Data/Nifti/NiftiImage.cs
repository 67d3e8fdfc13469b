using System;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Nifti
{
    /// <summary>
    /// A NIfTI file as stored: its header and its raw voxel bytes (little-endian, in file order: i fastest, then j,
    /// k, t...), before intensity scaling. Any number of dimensions (1 to 7). <see cref="ToVolume()"/> gives the
    /// format-neutral 3D <see cref="Volume"/>.
    /// </summary>
    public sealed class NiftiImage
    {
        /// <summary>Creates an image; <paramref name="data"/> must hold exactly the header's voxel count times the type's size.</summary>
        public NiftiImage(string path, NiftiHeader header, VoxelType type, byte[] data)
        {
            Path = path;
            Header = header;
            Type = type;
            Data = data;
        }

        /// <summary>The file it was read from (for messages).</summary>
        public string Path { get; }

        /// <summary>The header.</summary>
        public NiftiHeader Header { get; }

        /// <summary>The stored voxel type.</summary>
        public VoxelType Type { get; }

        /// <summary>The raw voxel bytes, little-endian.</summary>
        public byte[] Data { get; }

        /// <summary>Whether the header's scl_slope/scl_inter change values (slope neither 0 nor NaN, and not the identity).</summary>
        public bool IsScaled => HasScaling(Header);

        /// <summary>True when scl_slope/scl_inter of <paramref name="header"/> apply (nibabel's rule: slope 0 or NaN means none).</summary>
        public static bool HasScaling(NiftiHeader header)
        {
            double slope = header.SclSlope, inter = header.SclInter;
            if (slope == 0 || double.IsNaN(slope)) return false;
            return slope != 1 || (inter != 0 && !double.IsNaN(inter));
        }

        /// <summary>The voxel values with scaling applied, as float32, in file order.</summary>
        public float[] ToFloat32()
        {
            var (slope, inter) = Scaling(Header);
            return VoxelCodec.Decode(Data, Type, slope, inter);
        }

        /// <summary>The slope and intercept that apply to <paramref name="header"/>'s values (1 and 0 when none does).</summary>
        public static (double Slope, double Inter) Scaling(NiftiHeader header)
        {
            bool scaled = HasScaling(header);
            return (scaled ? header.SclSlope : 1, scaled && !double.IsNaN(header.SclInter) ? header.SclInter : 0);
        }

        /// <summary>
        /// The 3D volume: shape (dim[3], dim[2], dim[1]), spacing (pixdim[3], pixdim[2], pixdim[1]), the best affine
        /// (<see cref="NiftiHeader.BestAffine"/>). Dimensions 4 to 7 must be 1.
        /// </summary>
        /// <exception cref="DataException">E4013 for a 4D image; E4012 for invalid spacing or orientation; E4010 for non-finite values.</exception>
        public Volume ToVolume() => ToVolume(Header, Path, Type, ToFloat32());

        /// <summary>The 3D volume of a header and its float32 values (the grid and orientation checked as <see cref="ToVolume()"/> says).</summary>
        public static Volume ToVolume(NiftiHeader h, string path, VoxelType type, float[] voxels)
        {
            var (shape, spacing) = Grid(h, path);
            AffineMatrix affine;
            try { affine = h.BestAffine(); }
            catch (InvalidOperationException e) { throw new DataException(DataErrors.BadGeometry, path, e.Message + " (qform_code " + h.QFormCode + ")"); }
            if (!affine.IsFinite || affine.Determinant3 == 0)
                throw new DataException(DataErrors.BadGeometry, path, $"the {h.AffineSource} ({affine}) is {(affine.IsFinite ? "singular" : "not finite")}");
            return new Volume(shape, voxels, spacing, affine, type, h);
        }

        /// <summary>
        /// The 3D grid of a header: shape (dim[3], dim[2], dim[1]) and spacing (pixdim[3], pixdim[2], pixdim[1]) in array order.
        /// </summary>
        /// <exception cref="DataException">E4013 for a 4D image; E4012 for invalid spacing.</exception>
        public static (Int3 Shape, Real3 Spacing) Grid(NiftiHeader h, string path)
        {
            for (int axis = 4; axis <= h.Dim[0]; axis++)
                if (h.Dim[axis] > 1)
                    throw new DataException(DataErrors.NotThreeDimensional, path,
                        $"has {h.Dim[0]} dimensions ({DescribeDims(h)}): dim[{axis}] = {h.Dim[axis]}, and one 3D volume is needed");
            var sizes = new int[3];
            var spacing = new double[3];
            for (int axis = 1; axis <= 3; axis++)
            {
                sizes[axis - 1] = axis <= h.Dim[0] ? checked((int)h.Dim[axis]) : 1;
                double p = Math.Abs(h.PixDim[axis]);
                if (axis > h.Dim[0] && (p == 0 || double.IsNaN(p))) p = 1;
                if (!(p > 0) || double.IsInfinity(p))
                    throw new DataException(DataErrors.BadGeometry, path, $"pixdim[{axis}] (the voxel size along {"ijk"[axis - 1]}) is {Format(h.PixDim[axis])}; it must be a positive number of mm");
                spacing[axis - 1] = p;
            }
            return (new Int3(sizes[2], sizes[1], sizes[0]), new Real3(spacing[2], spacing[1], spacing[0]));
        }

        internal static string DescribeDims(NiftiHeader h)
        {
            var parts = new string[Math.Max(0, Math.Min(7, (int)h.Dim[0]))];
            for (int i = 0; i < parts.Length; i++) parts[i] = h.Dim[i + 1].ToString(System.Globalization.CultureInfo.InvariantCulture);
            return string.Join(" x ", parts);
        }

        internal static string Format(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    }
}
