using System;
using E2ENet.Compiler.Semantics;

namespace E2ENet.Data.Volumes
{
    /// <summary>
    /// One 3D image as read from a file, independent of the file format.
    /// <para>
    /// Axes: <see cref="Voxels"/> is a flat C-order array of shape <see cref="Shape"/> = (n0, n1, n2) with axis 2
    /// varying fastest. For NIfTI this is the file's own order: (n0, n1, n2) = (dim[3], dim[2], dim[1]), that is
    /// (k, j, i); the same as SimpleITK's <c>GetArrayFromImage</c> and what nnU-Net works with.
    /// <see cref="Spacing"/> is per array axis (pixdim[3], pixdim[2], pixdim[1]); <see cref="Affine"/> maps the
    /// voxel index (i, j, k) = (axis 2, axis 1, axis 0) to world millimetres (RAS+).
    /// </para>
    /// <para>Values are float32 after the file's intensity scaling (NIfTI scl_slope/scl_inter) was applied.</para>
    /// </summary>
    public sealed class Volume
    {
        /// <summary>Creates a volume.</summary>
        /// <param name="shape">(n0, n1, n2), axis 2 fastest.</param>
        /// <param name="voxels">n0 * n1 * n2 values, C order.</param>
        /// <param name="spacing">Voxel size in mm per array axis.</param>
        /// <param name="affine">Voxel index (i, j, k) = (axis 2, axis 1, axis 0) to world mm.</param>
        /// <param name="storedType">The voxel type the file stored (what a write-back uses by default).</param>
        /// <param name="header">The format's header, kept so that a volume written back lands on the same grid; null for new volumes.</param>
        public Volume(Int3 shape, float[] voxels, Real3 spacing, AffineMatrix affine, VoxelType storedType = VoxelType.Float32, IVolumeHeader? header = null)
        {
            if (shape.D < 1 || shape.H < 1 || shape.W < 1) throw new ArgumentException("every axis needs at least one voxel: " + shape, nameof(shape));
            if (voxels.LongLength != shape.Volume) throw new ArgumentException($"{voxels.LongLength} voxels for shape {shape.ToSizeString()}", nameof(voxels));
            Shape = shape;
            Voxels = voxels;
            Spacing = spacing;
            Affine = affine;
            StoredType = storedType;
            Header = header;
        }

        /// <summary>(n0, n1, n2), axis 2 varying fastest.</summary>
        public Int3 Shape { get; }

        /// <summary>The voxel values, C order.</summary>
        public float[] Voxels { get; }

        /// <summary>Voxel size in mm per array axis.</summary>
        public Real3 Spacing { get; }

        /// <summary>Voxel index (i, j, k) = (axis 2, axis 1, axis 0) to world mm (RAS+).</summary>
        public AffineMatrix Affine { get; }

        /// <summary>The voxel type the file stored.</summary>
        public VoxelType StoredType { get; }

        /// <summary>The format's header (for a faithful write-back), or null.</summary>
        public IVolumeHeader? Header { get; }

        /// <summary>The value at array index (a0, a1, a2).</summary>
        public float this[int a0, int a1, int a2] => Voxels[((long)a0 * Shape.H + a1) * Shape.W + a2];

        /// <summary>A volume on the same grid (shape, spacing, affine, header) with other values and stored type.</summary>
        public Volume WithVoxels(float[] voxels, VoxelType storedType) => new Volume(Shape, voxels, Spacing, Affine, storedType, Header);

        /// <summary>True when <paramref name="other"/> has the same shape, spacing (relative 1e-5) and affine (1e-4 mm).</summary>
        public bool SameGrid(Volume other) => Shape == other.Shape && Spacing.ApproximatelyEquals(other.Spacing, 1e-5) && Affine.ApproximatelyEquals(other.Affine, 1e-4);
    }
}
