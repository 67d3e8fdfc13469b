using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Datasets
{
    /// <summary>Settings of <see cref="DemoDataset.Make"/>.</summary>
    public sealed class DemoDatasetOptions
    {
        /// <summary>Training cases (imagesTr/labelsTr).</summary>
        public int TrainingCases { get; init; } = 8;

        /// <summary>Test cases (imagesTs, with labelsTs for evaluation).</summary>
        public int TestCases { get; init; } = 2;

        /// <summary>Seed of every random choice: the same seed gives the same files.</summary>
        public int Seed { get; init; } = 27;

        /// <summary>Typical in-plane spacing of the cases in mm (each case varies ±10%); 2 mm gives volumes of about 70x85x70.</summary>
        public double Spacing { get; init; } = 2.0;

        /// <summary>Replace the contents of a folder that is not empty.</summary>
        public bool Overwrite { get; init; }

        /// <summary>Where mricron-data's templates are (ch2.nii.gz, aal.nii.gz).</summary>
        public string TemplatesFolder { get; init; } = "/usr/share/mricron/templates";
    }

    /// <summary>
    /// Builds a small, real dataset in the MSD / nnU-Net layout from the Colin27 T1 head (Debian's mricron-data
    /// <c>ch2.nii.gz</c>) and the AAL atlas on its grid (<c>aal.nii.gz</c>): each case is a random crop of the head,
    /// resampled to its own spacing (about <see cref="DemoDatasetOptions.Spacing"/> mm in-plane, 2 to 3 mm across slices,
    /// image cubic, labels per class linear as nnU-Net resamples), with its own intensity gain, offset, smooth bias field
    /// and noise, stored as int16. Labels merge AAL regions into three classes: 1 cerebellum (AAL 91-116),
    /// 2 thalamus (77-78), 3 basal ganglia (caudate, putamen, pallidum: 71-76). Deterministic under the seed.
    /// </summary>
    public static class DemoDataset
    {
        /// <summary>The classes, background first.</summary>
        public static IReadOnlyList<string> Labels { get; } = new[] { "background", "cerebellum", "thalamus", "basal_ganglia" };

        /// <summary>The class of an AAL region (0 for regions not used).</summary>
        public static int ClassOfAalRegion(int region)
            => region >= 91 && region <= 116 ? 1 : region == 77 || region == 78 ? 2 : region >= 71 && region <= 76 ? 3 : 0;

        /// <summary>Writes the dataset into <paramref name="folder"/>; returns the case names (training, then test).</summary>
        /// <exception cref="DataException">E4001 when mricron-data is missing; E4205 when the folder has content and Overwrite is off.</exception>
        public static IReadOnlyList<string> Make(string folder, DemoDatasetOptions? options = null, IProgress<DataProgress>? progress = null)
        {
            options ??= new DemoDatasetOptions();
            if (options.TrainingCases < 1 || options.TestCases < 0 || options.TrainingCases + options.TestCases > 500)
                throw new DataException(DataErrors.InvalidSettings, null, $"{options.TrainingCases} training and {options.TestCases} test cases: give 1 to 500 cases in all");
            if (!(options.Spacing >= 0.5 && options.Spacing <= 8))
                throw new DataException(DataErrors.InvalidSettings, null, $"spacing {options.Spacing} mm: give 0.5 to 8 mm");
            MadeDataset.PrepareFolder(folder, options.Overwrite);
            string[] templates = MadeDataset.RequireTemplates(options.TemplatesFolder, "ch2.nii.gz", "aal.nii.gz");
            string t1Path = templates[0], aalPath = templates[1];

            Volume t1 = VolumeFiles.Read(t1Path);
            Volume aal = VolumeFiles.Read(aalPath);
            if (!t1.SameGrid(aal)) throw new DataException(DataErrors.AffineMismatch, aalPath, "the AAL atlas is not on Colin27's grid");
            var classes = new short[aal.Voxels.Length];
            for (int n = 0; n < classes.Length; n++) classes[n] = (short)ClassOfAalRegion((int)aal.Voxels[n]);

            Directory.CreateDirectory(folder);
            var names = new List<string>();
            int total = options.TrainingCases + options.TestCases;
            for (int index = 0; index < total; index++)
            {
                bool test = index >= options.TrainingCases;
                string name = "colin_" + (index + 1).ToString("000", CultureInfo.InvariantCulture);
                var (image, label) = MakeCase(t1, classes, Rng.For(options.Seed, index), options.Spacing);
                MadeDataset.WriteCase(folder, name, test, image, label);
                names.Add(name);
                progress?.Report(new DataProgress("make-demo", index + 1, total, name));
            }
            AtomicFile.WriteText(Path.Combine(folder, "dataset.json"), MadeDataset.DatasetJsonText("Colin27Demo",
                "Crops of the Colin27 T1 head resampled to varied spacings and intensities; labels merged from the AAL atlas. Made by 'e2enet dataset make-demo'.",
                "Colin27 (Holmes et al. 1998) and AAL (Tzourio-Mazoyer et al. 2002), as shipped by Debian's mricron-data", Labels, options.TrainingCases));
            return names;
        }

        private static (Volume Image, Volume Label) MakeCase(Volume t1, short[] classes, Rng rng, double spacing)
        {
            // A random crop of 80-95% of each axis.
            Int3 shape = t1.Shape;
            var size = new int[3];
            var start = new int[3];
            for (int axis = 0; axis < 3; axis++)
            {
                size[axis] = (int)Math.Round(shape[axis] * rng.Uniform(0.80, 0.95));
                start[axis] = rng.NextInclusive(0, shape[axis] - size[axis]);
            }
            var cropShape = new Int3(size[0], size[1], size[2]);
            var image = new float[cropShape.Volume];
            var label = new short[cropShape.Volume];
            for (int a = 0; a < size[0]; a++)
                for (int b = 0; b < size[1]; b++)
                {
                    long source = ((long)(start[0] + a) * shape.H + start[1] + b) * shape.W + start[2];
                    long target = ((long)a * size[1] + b) * size[2];
                    Array.Copy(t1.Voxels, source, image, target, size[2]);
                    Array.Copy(classes, source, label, target, size[2]);
                }

            // Resample: array axis 0 (k, across slices) 2-3 mm, in-plane spacing ± 10%.
            double inPlane = spacing * rng.Uniform(0.9, 1.1);
            var spacingOut = new Real3(Math.Max(inPlane, spacing * rng.Uniform(1.0, 1.5)), inPlane, inPlane);
            var target3 = new Int3(
                Math.Max(8, (int)Math.Round(size[0] * t1.Spacing.D / spacingOut.D)),
                Math.Max(8, (int)Math.Round(size[1] * t1.Spacing.H / spacingOut.H)),
                Math.Max(8, (int)Math.Round(size[2] * t1.Spacing.W / spacingOut.W)));
            float[] resampled = Resampler.Resize(image, cropShape, target3, Interpolation.Cubic);
            short[] labels = Resampler.ResizeLabels(label, cropShape, target3, new[] { Interpolation.Linear, Interpolation.Linear, Interpolation.Linear });

            // Intensity: gain, offset, a smooth multiplicative bias field, noise; int16, non-negative.
            double gain = rng.Uniform(0.8, 1.25), offset = rng.Uniform(0, 20), noise = rng.Uniform(1, 4);
            double fx = rng.Uniform(0.5, 1.5), fy = rng.Uniform(0.5, 1.5), phase = rng.Uniform(0, Math.PI);
            for (int a = 0; a < target3.D; a++)
                for (int b = 0; b < target3.H; b++)
                    for (int c = 0; c < target3.W; c++)
                    {
                        long n = ((long)a * target3.H + b) * target3.W + c;
                        double bias = 1 + 0.1 * Math.Sin(fx * Math.PI * b / target3.H + phase) * Math.Cos(fy * Math.PI * c / target3.W);
                        double value = resampled[n] <= 0 ? 0 : resampled[n] * gain * bias + offset + noise * rng.Normal();
                        resampled[n] = (float)Math.Round(Math.Clamp(value, 0, short.MaxValue));
                    }

            // Geometry: the crop's origin and the new voxel size, so every case lies where its voxels came from.
            var f = new Real3((double)size[0] / target3.D, (double)size[1] / target3.H, (double)size[2] / target3.W);
            double[] m = t1.Affine.ToArray();
            double[] origin = { start[2] + 0.5 * f.W - 0.5, start[1] + 0.5 * f.H - 0.5, start[0] + 0.5 * f.D - 0.5 }; // (i, j, k)
            var (x, y, z) = t1.Affine.Transform(origin[0], origin[1], origin[2]);
            double[] scale = { f.W, f.H, f.D };
            for (int row = 0; row < 3; row++) for (int column = 0; column < 3; column++) m[row * 4 + column] *= scale[column];
            m[3] = x; m[7] = y; m[11] = z;
            var affine = new AffineMatrix(m);
            var realSpacing = new Real3(t1.Spacing.D * f.D, t1.Spacing.H * f.H, t1.Spacing.W * f.W);
            return (new Volume(target3, resampled, realSpacing, affine, VoxelType.Int16),
                    new Volume(target3, labels.Select(v => (float)v).ToArray(), realSpacing, affine, VoxelType.UInt8));
        }
    }
}
