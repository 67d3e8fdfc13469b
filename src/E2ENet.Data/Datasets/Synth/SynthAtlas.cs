using System;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Training.Augmentations;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Datasets.Synth
{
    /// <summary>
    /// The atlas subjects are made from: Debian mricron-data's Colin27 T1 (<c>ch2.nii.gz</c>), its brain mask
    /// (<c>ch2bet.nii.gz</c>) and the AAL atlas (<c>aal.nii.gz</c>, 116 regions), all on one 1 mm grid. It holds, per
    /// atlas voxel, the T1 intensity, the segmentation class (<see cref="SynthClasses"/>) and the <em>generation label</em>
    /// that label-driven images are drawn from: the AAL region (1..116), or for voxels outside every AAL region a
    /// tissue taken from the T1 intensity (inside the brain mask: CSF below 60, unlabelled grey matter below 95, white
    /// matter; outside: air below 8, dark, middle and bright tissue split at 50 and 100).
    /// </summary>
    public sealed class SynthAtlas
    {
        /// <summary>Generation label of CSF (inside the brain mask, outside AAL, T1 below 60).</summary>
        public const short Csf = 117;
        /// <summary>Generation label of grey matter AAL does not label (brain, T1 60 to 95: deep nuclei borders, brainstem).</summary>
        public const short UnlabelledGrey = 118;
        /// <summary>Generation label of white matter (brain, T1 95 and above).</summary>
        public const short WhiteMatter = 119;
        /// <summary>Generation label of air (outside the brain, T1 below 8), also used outside the atlas.</summary>
        public const short Air = 120;
        /// <summary>Generation label of dark tissue outside the brain (bone, CSF; T1 8 to 50).</summary>
        public const short DarkTissue = 121;
        /// <summary>Generation label of middle tissue outside the brain (muscle, dura; T1 50 to 100).</summary>
        public const short MidTissue = 122;
        /// <summary>Generation label of bright tissue outside the brain (fat, marrow; T1 100 and above).</summary>
        public const short BrightTissue = 123;
        /// <summary>Generation labels are 1 .. GenerationLabels - 1.</summary>
        public const int GenerationLabels = 124;

        private SynthAtlas(Int3 shape, AffineMatrix affine, float[] t1, short[] generation, byte[] classes)
        {
            Shape = shape;
            Affine = affine;
            WorldToVoxel = affine.Inverse();
            T1 = t1;
            Generation = generation;
            Classes = classes;
            (ClassCentreX, ClassCentreY, ClassCentreZ) = CentreOfClasses();
        }

        /// <summary>The atlas grid's shape (k, j, i).</summary>
        public Int3 Shape { get; }

        /// <summary>Atlas voxel index (i, j, k) to world mm.</summary>
        public AffineMatrix Affine { get; }

        /// <summary>World mm to atlas voxel index (i, j, k).</summary>
        public AffineMatrix WorldToVoxel { get; }

        /// <summary>The Colin27 T1 intensities (0..255).</summary>
        public float[] T1 { get; }

        /// <summary>The generation label of every voxel (1..116 AAL regions, 117..123 tissues from the T1).</summary>
        public short[] Generation { get; }

        /// <summary>The segmentation class of every voxel (0 background, 1..8).</summary>
        public byte[] Classes { get; }

        /// <summary>World x (mm) of the centre of the box holding every class voxel.</summary>
        public double ClassCentreX { get; }

        /// <summary>World y (mm) of that centre.</summary>
        public double ClassCentreY { get; }

        /// <summary>World z (mm) of that centre.</summary>
        public double ClassCentreZ { get; }

        /// <summary>Reads the three templates from <paramref name="templatesFolder"/>.</summary>
        /// <exception cref="DataException">E4001 when mricron-data is missing; E4111 when the files are not on one grid; the reader's E40xx for damaged files.</exception>
        public static SynthAtlas Load(string templatesFolder)
        {
            string[] paths = MadeDataset.RequireTemplates(templatesFolder, "ch2.nii.gz", "ch2bet.nii.gz", "aal.nii.gz");
            Volume t1 = VolumeFiles.Read(paths[0]);
            Volume brain = VolumeFiles.Read(paths[1]);
            Volume aal = VolumeFiles.Read(paths[2]);
            if (!t1.SameGrid(brain)) throw new DataException(DataErrors.AffineMismatch, paths[1], "the brain mask is not on Colin27's grid; reinstall mricron-data");
            if (!t1.SameGrid(aal)) throw new DataException(DataErrors.AffineMismatch, paths[2], "the AAL atlas is not on Colin27's grid; reinstall mricron-data");

            int voxels = t1.Voxels.Length;
            var generation = new short[voxels];
            var classes = new byte[voxels];
            for (int n = 0; n < voxels; n++)
            {
                int region = (int)aal.Voxels[n];
                if (region < 0 || region > 116 || region != aal.Voxels[n])
                    throw new DataException(DataErrors.UndeclaredLabel, paths[2], $"voxel {n} holds {aal.Voxels[n]}, not an AAL region 0..116; reinstall mricron-data");
                float value = t1.Voxels[n];
                generation[n] = region > 0 ? (short)region
                    : brain.Voxels[n] > 0 ? (value < 60 ? Csf : value < 95 ? UnlabelledGrey : WhiteMatter)
                    : value < 8 ? Air : value < 50 ? DarkTissue : value < 100 ? MidTissue : BrightTissue;
                classes[n] = (byte)SynthClasses.ClassOfAalRegion(region);
            }
            return new SynthAtlas(t1.Shape, t1.Affine, t1.Voxels, generation, classes);
        }

        /// <summary>The continuous atlas voxel coordinates (k, j, i) of world point (x, y, z).</summary>
        public (double K, double J, double I) Index(double x, double y, double z)
        {
            var (i, j, k) = WorldToVoxel.Transform(x, y, z);
            return (k, j, i);
        }

        /// <summary>The flat index of the voxel nearest to atlas coordinates (k, j, i), or -1 outside the atlas.</summary>
        public long Nearest(double k, double j, double i)
        {
            long a = (long)Math.Floor(k + 0.5), b = (long)Math.Floor(j + 0.5), c = (long)Math.Floor(i + 0.5);
            if (a < 0 || b < 0 || c < 0 || a >= Shape.D || b >= Shape.H || c >= Shape.W) return -1;
            return (a * Shape.H + b) * Shape.W + c;
        }

        /// <summary>The T1 intensity at atlas coordinates (k, j, i), trilinear (0 outside the atlas).</summary>
        public double T1At(double k, double j, double i)
        {
            if (k < -0.5 || j < -0.5 || i < -0.5 || k > Shape.D - 0.5 || j > Shape.H - 0.5 || i > Shape.W - 0.5) return 0;
            return SpatialTransform.Linear(T1, Shape, k, j, i);
        }

        private (double, double, double) CentreOfClasses()
        {
            int[] low = { int.MaxValue, int.MaxValue, int.MaxValue }, high = { -1, -1, -1 };
            for (int k = 0, n = 0; k < Shape.D; k++)
                for (int j = 0; j < Shape.H; j++)
                    for (int i = 0; i < Shape.W; i++, n++)
                    {
                        if (Classes[n] == 0) continue;
                        low[0] = Math.Min(low[0], i); low[1] = Math.Min(low[1], j); low[2] = Math.Min(low[2], k);
                        high[0] = Math.Max(high[0], i); high[1] = Math.Max(high[1], j); high[2] = Math.Max(high[2], k);
                    }
            if (high[0] < 0) return Affine.Transform((Shape.W - 1) / 2.0, (Shape.H - 1) / 2.0, (Shape.D - 1) / 2.0);
            var (x, y, z) = Affine.Transform((low[0] + high[0]) / 2.0, (low[1] + high[1]) / 2.0, (low[2] + high[2]) / 2.0);
            return (Math.Round(x), Math.Round(y), Math.Round(z));
        }
    }
}
