using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace E2ENet.Data.Datasets.Synth
{
    /// <summary>Settings of <c>SynthDataset.Make</c>.</summary>
    public sealed class SynthDatasetOptions
    {
        /// <summary>Training subjects (imagesTr/labelsTr).</summary>
        public int TrainingCases { get; init; } = 20;

        /// <summary>Test subjects (imagesTs, with labelsTs for evaluation).</summary>
        public int TestCases { get; init; } = 10;

        /// <summary>Seed of every random choice: the same seed gives the same files, byte for byte.</summary>
        public int Seed { get; init; } = 12;

        /// <summary>Voxel size in mm (isotropic); 2 mm gives 60 x 76 x 76 voxels.</summary>
        public double Spacing { get; init; } = 2.0;

        /// <summary>Replace the contents of a folder that is not empty.</summary>
        public bool Overwrite { get; init; }

        /// <summary>Where mricron-data's templates are (ch2.nii.gz, ch2bet.nii.gz, aal.nii.gz).</summary>
        public string TemplatesFolder { get; init; } = "/usr/share/mricron/templates";

        /// <summary>Share of subjects whose image is the deformed T1 (the others are label-driven): round(share x N) of the training and of the test subjects, at seeded random positions.</summary>
        public double T1Share { get; init; } = 0.5;

        /// <summary>The random ranges of each subject.</summary>
        public SynthSubjectSettings Subject { get; init; } = new SynthSubjectSettings();

        /// <summary>Subjects made at once (default: one per processor); the files do not depend on it.</summary>
        public int Workers { get; init; } = Environment.ProcessorCount;
    }

    /// <summary>A subject written by <c>SynthDataset.Make</c>: its case name, whether it is a test case, and what was drawn.</summary>
    public sealed record SynthCase(string Name, bool Test, SynthSubjectInfo Info);

    /// <summary>
    /// Builds a dataset of distinct synthetic subjects (MSD / nnU-Net layout) from the Colin27 T1 and the AAL atlas of
    /// Debian's mricron-data, the way the field makes them: each subject is a random smooth diffeomorphic deformation of
    /// the atlas (<see cref="SynthDeformation"/>) whose image is either the deformed T1 or drawn from the deformed labels
    /// (<see cref="LabelDrivenImage"/>, after SynthSeg), with eight segmented classes (<see cref="SynthClasses"/>).
    /// Every subject is on the same 152 x 152 x 120 mm field of view around the segmented structures (x, y, z), at
    /// <see cref="SynthDatasetOptions.Spacing"/> mm. Subject streams are seeded by (seed, training/test, index), so the
    /// files do not depend on the number of workers, and test subjects do not depend on the number of training ones.
    /// A <c>synth.json</c> records what was drawn for each subject and its class volumes.
    /// </summary>
    public static class SynthDataset
    {
        /// <summary>The field of view along x, y, z in mm: the segmented structures span about 121 x 119 x 87 mm in the atlas.</summary>
        public static IReadOnlyList<double> FieldOfViewMm { get; } = new[] { 152.0, 152.0, 120.0 };

        /// <summary>Case names: <c>synth_001</c>... for training, <c>synth_test_001</c>... for test.</summary>
        public static string CaseName(bool test, int index)
            => (test ? "synth_test_" : "synth_") + (index + 1).ToString("000", CultureInfo.InvariantCulture);

        /// <summary>The output grid for <paramref name="atlas"/> at <paramref name="spacing"/> mm.</summary>
        public static SynthGrid GridFor(SynthAtlas atlas, double spacing)
            => SynthGrid.Around(atlas.ClassCentreX, atlas.ClassCentreY, atlas.ClassCentreZ, FieldOfViewMm[0], FieldOfViewMm[1], FieldOfViewMm[2], spacing);

        /// <summary>Writes the dataset into <paramref name="folder"/>; returns the subjects in order (training, then test).</summary>
        /// <exception cref="DataException">E4202 for invalid settings, E4205 for a folder with content (without Overwrite); E4001 when mricron-data is missing.</exception>
        public static IReadOnlyList<SynthCase> Make(string folder, SynthDatasetOptions? options = null, IProgress<DataProgress>? progress = null)
        {
            options ??= new SynthDatasetOptions();
            Validate(folder, options);
            return Make(folder, SynthAtlas.Load(options.TemplatesFolder), options, progress);
        }

        /// <summary>Writes the dataset from an atlas already loaded (<see cref="SynthDatasetOptions.TemplatesFolder"/> is not read).</summary>
        /// <exception cref="DataException">E4202 for invalid settings, E4205 for a folder with content (without Overwrite).</exception>
        public static IReadOnlyList<SynthCase> Make(string folder, SynthAtlas atlas, SynthDatasetOptions options, IProgress<DataProgress>? progress = null)
        {
            Validate(folder, options);
            SynthGrid grid = GridFor(atlas, options.Spacing);
            Directory.CreateDirectory(folder);

            SynthImageKind[][] kinds = { Kinds(options.TrainingCases, options, 0), Kinds(options.TestCases, options, 1) };
            int total = options.TrainingCases + options.TestCases, done = 0;
            var subjects = new SynthCase[total];
            ParallelWork.For(total, new ParallelOptions { MaxDegreeOfParallelism = options.Workers }, index =>
            {
                bool test = index >= options.TrainingCases;
                int within = test ? index - options.TrainingCases : index;
                string name = CaseName(test, within);
                SynthSubject subject = SynthSubject.Make(atlas, grid, kinds[test ? 1 : 0][within], Rng.For(options.Seed, test ? 1 : 0, within), options.Subject);
                MadeDataset.WriteCase(folder, name, test, subject.Image, subject.Label);
                subjects[index] = new SynthCase(name, test, subject.Info);
                progress?.Report(new DataProgress("make-synth", Interlocked.Increment(ref done), total, name));
            });

            AtomicFile.WriteText(Path.Combine(folder, "synth.json"), ManifestText(options, grid, subjects));
            AtomicFile.WriteText(Path.Combine(folder, "dataset.json"), MadeDataset.DatasetJsonText("Colin27Synth",
                "Synthetic subjects: random smooth diffeomorphic deformations of the Colin27 T1 and the AAL atlas, with the deformed T1 or an image drawn from the labels (SynthSeg-style). Made by 'e2enet dataset make-synth'.",
                "Colin27 (Holmes et al. 1998) and AAL (Tzourio-Mazoyer et al. 2002), as shipped by Debian's mricron-data; label-driven synthesis after SynthSeg (Billot et al. 2023)",
                SynthClasses.Labels, options.TrainingCases));
            return subjects;
        }

        private static void Validate(string folder, SynthDatasetOptions options)
        {
            if (options.TrainingCases < 1 || options.TestCases < 0 || options.TrainingCases + options.TestCases > 1000)
                throw new DataException(DataErrors.InvalidSettings, null, $"{options.TrainingCases} training and {options.TestCases} test subjects: give 1 to 1000 subjects in all, at least one for training");
            if (!(options.Spacing >= 1 && options.Spacing <= 6))
                throw new DataException(DataErrors.InvalidSettings, null, $"spacing {options.Spacing} mm: give 1 to 6 mm");
            if (!(options.T1Share >= 0 && options.T1Share <= 1))
                throw new DataException(DataErrors.InvalidSettings, null, $"T1 share {options.T1Share}: give 0 to 1");
            if (options.Workers < 1) throw new DataException(DataErrors.InvalidSettings, null, $"{options.Workers} workers: give 1 or more");
            MadeDataset.PrepareFolder(folder, options.Overwrite);
        }

        /// <summary>round(share x count) T1 images at positions shuffled by the seed (stream 2 + set), the others label-driven.</summary>
        private static SynthImageKind[] Kinds(int count, SynthDatasetOptions options, int set)
        {
            int t1 = (int)Math.Round(options.T1Share * count, MidpointRounding.AwayFromZero);
            var kinds = Enumerable.Range(0, count).Select(i => i < t1 ? SynthImageKind.T1 : SynthImageKind.LabelDriven).ToArray();
            Rng.For(options.Seed, 2 + set).Shuffle(kinds);
            return kinds;
        }

        private static string ManifestText(SynthDatasetOptions options, SynthGrid grid, SynthCase[] subjects)
        {
            using var stream = new MemoryStream();
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteString("generator", "e2enet dataset make-synth");
                json.WriteNumber("seed", options.Seed);
                json.WriteNumber("spacingMm", options.Spacing);
                json.WriteNumber("t1Share", options.T1Share);
                Numbers(json, "shape", new double[] { grid.Shape.D, grid.Shape.H, grid.Shape.W }, 0);
                json.WriteStartObject("classes");
                foreach (SynthClass c in SynthClasses.Foreground)
                {
                    json.WriteStartObject(c.Name);
                    json.WriteNumber("value", c.Value);
                    Numbers(json, "aalRegions", c.AalRegions.Select(r => (double)r).ToArray(), 0);
                    json.WriteEndObject();
                }
                json.WriteEndObject();
                json.WriteStartArray("cases");
                foreach (SynthCase subject in subjects)
                {
                    SynthSubjectInfo d = subject.Info;
                    json.WriteStartObject();
                    json.WriteString("name", subject.Name);
                    json.WriteBoolean("test", subject.Test);
                    json.WriteString("image", d.Kind == SynthImageKind.T1 ? "t1" : "label-driven");
                    Numbers(json, "scaleXyz", d.Scale, 4);
                    Numbers(json, "rotationDegreesXyz", d.RotationDegrees, 2);
                    Numbers(json, "translationMmXyz", d.TranslationMm, 2);
                    json.WriteNumber("velocitySdMm", Math.Round(d.VelocityMm, 3));
                    json.WriteNumber("minJacobian", Math.Round(d.MinJacobian, 4));
                    if (d.Synthesis is LabelDrivenImageInfo s)
                    {
                        Numbers(json, "resolutionMmZyx", s.ResolutionMm, 2);
                        json.WriteNumber("biasSd", Math.Round(s.BiasSd, 3));
                        json.WriteNumber("noiseSd", Math.Round(s.NoiseSd, 2));
                        json.WriteNumber("gamma", Math.Round(s.Gamma, 3));
                    }
                    Numbers(json, "classVoxels", d.ClassVoxels.Select(v => (double)v).ToArray(), 0);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
        }

        private static void Numbers(Utf8JsonWriter json, string name, IReadOnlyList<double> values, int decimals)
        {
            json.WriteStartArray(name);
            foreach (double v in values) json.WriteNumberValue(Math.Round(v, decimals));
            json.WriteEndArray();
        }
    }
}
