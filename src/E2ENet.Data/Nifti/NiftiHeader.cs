using System;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Nifti
{
    /// <summary>
    /// Every field of a NIfTI-1 (348 bytes) or NIfTI-2 (540 bytes) header, in the wider NIfTI-2 types
    /// (64-bit integers, doubles), so one class serves both versions. Field names follow nifti1.h / nifti2.h.
    /// </summary>
    public sealed class NiftiHeader : IVolumeHeader
    {
        /// <summary>1 or 2.</summary>
        public int Version { get; set; } = 1;

        /// <summary>The byte order the file was read in (written files are always little-endian).</summary>
        public bool BigEndian { get; set; }

        /// <summary>"NIfTI-1" or "NIfTI-2".</summary>
        public string FormatName => Version == 2 ? "NIfTI-2" : "NIfTI-1";

        /// <summary>dim[0..7]: dim[0] the number of dimensions, dim[1..] the sizes (i, j, k, t, ...).</summary>
        public long[] Dim { get; set; } = { 3, 1, 1, 1, 1, 1, 1, 1 };

        /// <summary>pixdim[0..7]: pixdim[0] is qfac (-1 or 1), pixdim[1..3] the voxel size along i, j, k.</summary>
        public double[] PixDim { get; set; } = { 1, 1, 1, 1, 0, 0, 0, 0 };

        /// <summary>The datatype code (see <see cref="NiftiDataType"/>).</summary>
        public short DataType { get; set; } = NiftiDataType.Float32;

        /// <summary>Bits per voxel.</summary>
        public short BitPix { get; set; } = 32;

        /// <summary>Offset of the voxel data in the file, in bytes.</summary>
        public double VoxOffset { get; set; } = 352;

        /// <summary>Intensity scaling: value = raw * slope + inter when slope is neither 0 nor NaN.</summary>
        public double SclSlope { get; set; } = 1;

        /// <summary>Intensity offset.</summary>
        public double SclInter { get; set; }

        /// <summary>intent_p1..p3.</summary>
        public double[] IntentP { get; set; } = new double[3];

        /// <summary>intent_code.</summary>
        public int IntentCode { get; set; }

        /// <summary>intent_name (16 characters).</summary>
        public string IntentName { get; set; } = "";

        /// <summary>dim_info (frequency, phase and slice dimensions).</summary>
        public byte DimInfo { get; set; }

        /// <summary>slice_start.</summary>
        public long SliceStart { get; set; }

        /// <summary>slice_end.</summary>
        public long SliceEnd { get; set; }

        /// <summary>slice_code.</summary>
        public int SliceCode { get; set; }

        /// <summary>slice_duration.</summary>
        public double SliceDuration { get; set; }

        /// <summary>xyzt_units (space and time units).</summary>
        public int XyztUnits { get; set; } = 2; // NIFTI_UNITS_MM

        /// <summary>cal_max (display range).</summary>
        public double CalMax { get; set; }

        /// <summary>cal_min.</summary>
        public double CalMin { get; set; }

        /// <summary>toffset.</summary>
        public double TOffset { get; set; }

        /// <summary>descrip (80 characters).</summary>
        public string Description { get; set; } = "";

        /// <summary>aux_file (24 characters).</summary>
        public string AuxFile { get; set; } = "";

        /// <summary>qform_code: 0 unknown, 1 scanner, 2 aligned, 3 Talairach, 4 MNI, 5 template.</summary>
        public int QFormCode { get; set; }

        /// <summary>sform_code.</summary>
        public int SFormCode { get; set; }

        /// <summary>quatern_b, quatern_c, quatern_d.</summary>
        public double[] Quatern { get; set; } = new double[3];

        /// <summary>qoffset_x, qoffset_y, qoffset_z.</summary>
        public double[] QOffset { get; set; } = new double[3];

        /// <summary>srow_x, srow_y, srow_z: the sform's three rows of four.</summary>
        public double[] SRows { get; set; } = new double[12];

        /// <summary>Whether the bytes after the header announce extensions (the 4-byte extender's first byte).</summary>
        public bool HasExtensions { get; set; }

        /// <summary>The header's size in bytes: 348 (NIfTI-1) or 540 (NIfTI-2).</summary>
        public int HeaderSize => Version == 2 ? 540 : 348;

        /// <summary>Number of voxels (product of dim[1..dim[0]]); throws when dim is invalid (call the reader's checks first).</summary>
        public long VoxelCount
        {
            get
            {
                long count = 1;
                for (int i = 1; i <= Dim[0]; i++) count = checked(count * Dim[i]);
                return count;
            }
        }

        /// <summary>The qform matrix (from quaternion, qfac, pixdim and qoffset), as nifti1.h defines it.</summary>
        /// <exception cref="InvalidOperationException">When the quaternion's (b, c, d) has a norm above 1.</exception>
        public AffineMatrix QForm()
        {
            double b = Quatern[0], c = Quatern[1], d = Quatern[2];
            double w2 = 1 - (b * b + c * c + d * d);
            if (w2 < -3.6e-7) throw new InvalidOperationException($"the qform quaternion (b, c, d) = ({b}, {c}, {d}) has a norm above 1");
            double a = Math.Sqrt(Math.Max(0, w2));
            double n = a * a + b * b + c * c + d * d;
            double s = n > 0 ? 2 / n : 0;
            double qfac = PixDim[0] < 0 ? -1 : 1;
            double xd = Math.Abs(PixDim[1]), yd = Math.Abs(PixDim[2]), zd = Math.Abs(PixDim[3]) * qfac;
            double r11 = 1 - s * (c * c + d * d), r12 = s * (b * c - a * d), r13 = s * (b * d + a * c);
            double r21 = s * (b * c + a * d), r22 = 1 - s * (b * b + d * d), r23 = s * (c * d - a * b);
            double r31 = s * (b * d - a * c), r32 = s * (c * d + a * b), r33 = 1 - s * (b * b + c * c);
            return new AffineMatrix(new[]
            {
                r11 * xd, r12 * yd, r13 * zd, QOffset[0],
                r21 * xd, r22 * yd, r23 * zd, QOffset[1],
                r31 * xd, r32 * yd, r33 * zd, QOffset[2],
            });
        }

        /// <summary>The sform matrix (srow_x, srow_y, srow_z).</summary>
        public AffineMatrix SForm() => new AffineMatrix(SRows);

        /// <summary>
        /// The affine that maps voxel (i, j, k) to world mm, with nibabel's precedence: the sform when sform_code &gt; 0,
        /// else the qform when qform_code &gt; 0, else diag(pixdim[1..3]) with origin 0 (NIfTI's "method 1").
        /// </summary>
        public AffineMatrix BestAffine()
        {
            if (SFormCode > 0) return SForm();
            if (QFormCode > 0) return QForm();
            return AffineMatrix.Diagonal(Math.Abs(PixDim[1]), Math.Abs(PixDim[2]), Math.Abs(PixDim[3]));
        }

        /// <summary>Which matrix <see cref="BestAffine"/> uses: "sform", "qform" or "pixdim".</summary>
        public string AffineSource => SFormCode > 0 ? "sform" : QFormCode > 0 ? "qform" : "pixdim";

        /// <summary>
        /// Sets qform and sform from an affine (codes: 1, scanner). The qform keeps only the rotation, spacing and
        /// offset; when the affine has shear the qform is left unset (code 0) and the sform alone carries it.
        /// </summary>
        public void SetAffine(AffineMatrix affine, int code = 1)
        {
            SRows = affine.ToArray();
            SFormCode = code;
            double[] spacing = { affine.ColumnNorm(0), affine.ColumnNorm(1), affine.ColumnNorm(2) };
            for (int axis = 0; axis < 3; axis++) PixDim[axis + 1] = spacing[axis];
            var r = new double[3, 3];
            for (int row = 0; row < 3; row++)
                for (int column = 0; column < 3; column++) r[row, column] = spacing[column] > 0 ? affine[row, column] / spacing[column] : 0;
            double qfac = affine.Determinant3 < 0 ? -1 : 1;
            if (qfac < 0) for (int row = 0; row < 3; row++) r[row, 2] = -r[row, 2];
            PixDim[0] = qfac;
            bool orthonormal = true;
            for (int i = 0; i < 3; i++)
                for (int j = i; j < 3; j++)
                {
                    double dot = r[0, i] * r[0, j] + r[1, i] * r[1, j] + r[2, i] * r[2, j];
                    if (Math.Abs(dot - (i == j ? 1 : 0)) > 1e-4) orthonormal = false;
                }
            QOffset = new[] { affine[0, 3], affine[1, 3], affine[2, 3] };
            if (!orthonormal)
            {
                QFormCode = 0;
                Quatern = new double[3];
                return;
            }
            QFormCode = code;
            Quatern = RotationToQuaternion(r);
        }

        private static double[] RotationToQuaternion(double[,] r)
        {
            double a = r[0, 0] + r[1, 1] + r[2, 2] + 1, b, c, d;
            if (a > 0.5)
            {
                a = 0.5 * Math.Sqrt(a);
                b = 0.25 * (r[2, 1] - r[1, 2]) / a;
                c = 0.25 * (r[0, 2] - r[2, 0]) / a;
                d = 0.25 * (r[1, 0] - r[0, 1]) / a;
            }
            else
            {
                double xd = 1 + r[0, 0] - (r[1, 1] + r[2, 2]), yd = 1 + r[1, 1] - (r[0, 0] + r[2, 2]), zd = 1 + r[2, 2] - (r[0, 0] + r[1, 1]);
                if (xd > 1)
                {
                    b = 0.5 * Math.Sqrt(xd); c = 0.25 * (r[0, 1] + r[1, 0]) / b; d = 0.25 * (r[0, 2] + r[2, 0]) / b; a = 0.25 * (r[2, 1] - r[1, 2]) / b;
                }
                else if (yd > 1)
                {
                    c = 0.5 * Math.Sqrt(yd); b = 0.25 * (r[0, 1] + r[1, 0]) / c; d = 0.25 * (r[1, 2] + r[2, 1]) / c; a = 0.25 * (r[0, 2] - r[2, 0]) / c;
                }
                else
                {
                    d = 0.5 * Math.Sqrt(zd); b = 0.25 * (r[0, 2] + r[2, 0]) / d; c = 0.25 * (r[1, 2] + r[2, 1]) / d; a = 0.25 * (r[1, 0] - r[0, 1]) / d;
                }
                if (a < 0) { b = -b; c = -c; d = -d; }
            }
            return new[] { b, c, d };
        }

        /// <summary>A deep copy.</summary>
        public NiftiHeader Clone()
        {
            var copy = (NiftiHeader)MemberwiseClone();
            copy.Dim = (long[])Dim.Clone();
            copy.PixDim = (double[])PixDim.Clone();
            copy.IntentP = (double[])IntentP.Clone();
            copy.Quatern = (double[])Quatern.Clone();
            copy.QOffset = (double[])QOffset.Clone();
            copy.SRows = (double[])SRows.Clone();
            return copy;
        }
    }
}
