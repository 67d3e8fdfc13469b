using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using E2ENet.Compiler.Errors;
using E2ENet.Data.Nifti;

namespace E2ENet.Data.Datasets
{
    /// <summary>What <see cref="MsdConverter.Convert"/> wrote.</summary>
    public sealed record MsdConversion(string Name, int Channels, IReadOnlyList<string> Training, IReadOnlyList<string> Test);

    /// <summary>
    /// Converts a Medical Segmentation Decathlon task as downloaded (<c>TaskXX_Name/dataset.json</c> with a "modality" dict,
    /// "labels" value to name, "training": [{"image", "label"}] and "test": [...]; <c>imagesTr/NAME.nii.gz</c> holding all
    /// modalities as a 4D image) into our layout, as nnU-Net v2's <c>nnUNetv2_convert_MSD_dataset</c> does: each 4D image is
    /// split into one 3D file per channel, <c>NAME_0000.nii.gz</c> .. <c>NAME_000N.nii.gz</c>, bit for bit (the voxel bytes and
    /// the header's type, scaling and geometry are kept; only the 4th dimension goes); 3D images and labels are copied; a
    /// v2 dataset.json (channel_names, labels name to value, numTraining, file_ending) is written. Files the task's
    /// dataset.json does not list (macOS "._" files of the MSD archives) are ignored.
    /// </summary>
    public static class MsdConverter
    {
        /// <summary>Converts the task in <paramref name="source"/> into <paramref name="target"/> (a new or empty folder unless <paramref name="overwrite"/>).</summary>
        /// <exception cref="DataException">The task is not usable (E4101-E4106, E4118, E40xx for its files), or the target is not empty (E4205).</exception>
        public static MsdConversion Convert(string source, string target, bool overwrite = false, IProgress<DataProgress>? progress = null)
        {
            if (!Directory.Exists(source))
                throw new DataException(DataErrors.DatasetNotFound, source, File.Exists(source) ? "is a file; give the task folder (TaskXX_Name) that holds dataset.json" : "no such folder");
            var problems = new List<DatasetProblem>();
            DatasetJson? json = DatasetJson.Read(Path.Combine(source, "dataset.json"), problems);
            if (problems.Count > 0 || json == null)
            {
                DatasetProblem first = problems[0];
                throw new DataException(first.Error, first.File, first.Message + (problems.Count > 1 ? $" (and {problems.Count - 1} more problem(s))" : ""));
            }
            if (json.TrainingCases == null)
                throw new DataException(DataErrors.DatasetJsonInvalid, json.Path, "has no 'training' list of {\"image\", \"label\"}: this is not a Medical Segmentation Decathlon task (our own layout needs no conversion)");
            if (json.FileEnding != ".nii.gz")
                throw new DataException(DataErrors.DatasetJsonInvalid, json.Path, $"'file_ending' is {json.FileEnding}; Decathlon tasks are .nii.gz");
            if (Path.GetFullPath(source).TrimEnd('/') == Path.GetFullPath(target).TrimEnd('/'))
                throw new DataException(DataErrors.InvalidSettings, target, "is the task folder itself; give a new folder for the converted dataset");
            if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any() && !overwrite)
                throw new DataException(DataErrors.OutputFolderNotEmpty, target, "the folder already has content; nothing was written");

            var training = json.TrainingCases.Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).ToList();
            var test = (json.TestCases ?? Array.Empty<string>()).Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).ToList();
            // Every file is checked to exist before anything is written.
            foreach (string name in training)
            {
                Require(Path.Combine(source, "imagesTr", name + ".nii.gz"), DataErrors.MissingImage, name);
                Require(Path.Combine(source, "labelsTr", name + ".nii.gz"), DataErrors.MissingLabel, name);
            }
            foreach (string name in test) Require(Path.Combine(source, "imagesTs", name + ".nii.gz"), DataErrors.MissingImage, name);

            int channels = json.Channels.Count, total = training.Count + test.Count, done = 0;
            foreach (var (names, images, labels) in new[] { (training, "imagesTr", "labelsTr"), (test, "imagesTs", (string?)null) })
                foreach (string name in names)
                {
                    SplitChannels(Path.Combine(source, images, name + ".nii.gz"), Path.Combine(target, images), name, channels);
                    if (labels != null) Copy(Path.Combine(source, labels, name + ".nii.gz"), Path.Combine(target, labels, name + ".nii.gz"));
                    progress?.Report(new DataProgress("convert-msd", ++done, total, name));
                }
            AtomicFile.WriteText(Path.Combine(target, "dataset.json"), DatasetJsonText(json, training.Count, source));
            return new MsdConversion(json.Name, channels, training, test);
        }

        private static void Require(string path, ErrorDescriptor error, string name)
        {
            if (!File.Exists(path)) throw new DataException(error, path, $"case '{name}' of the task's dataset.json has no such file");
        }

        /// <summary>Writes NAME_0000.nii.gz ... from a 3D image (one channel) or a 4D image whose 4th size is the channel count.</summary>
        private static void SplitChannels(string image, string folder, string name, int channels)
        {
            NiftiImage source = NiftiReader.ReadImage(image, new Volumes.VolumeReadOptions { AllowNonFinite = true });
            NiftiHeader header = source.Header;
            long[] dim = header.Dim;
            for (int axis = 5; axis <= dim[0]; axis++)
                if (dim[axis] > 1) throw new DataException(DataErrors.NotThreeDimensional, image, $"has {dim[0]} dimensions ({NiftiImage.DescribeDims(header)}); a Decathlon image is 3D, or 4D with one volume per modality");
            long frames = dim[0] >= 4 ? dim[4] : 1;
            if (frames != channels)
                throw new DataException(DataErrors.ChannelCountMismatch, image,
                    $"holds {frames} volume(s) ({NiftiImage.DescribeDims(header)}), and dataset.json declares {channels} modalit{(channels == 1 ? "y" : "ies")}");
            if (frames == 1 && dim[0] <= 3)
            {
                Copy(image, Path.Combine(folder, Dataset.ChannelFileName(name, 0, ".nii.gz")));
                return;
            }
            long bytesPerVolume = source.Data.LongLength / frames;
            for (int c = 0; c < frames; c++)
            {
                NiftiHeader channel = header.Clone();
                channel.Dim = new long[] { 3, dim[1], dim[2], dim[3], 1, 1, 1, 1 };
                for (int axis = 4; axis < 8; axis++) channel.PixDim[axis] = 0;
                var data = new byte[bytesPerVolume];
                Array.Copy(source.Data, c * bytesPerVolume, data, 0, bytesPerVolume);
                NiftiWriter.WriteImage(Path.Combine(folder, Dataset.ChannelFileName(name, c, ".nii.gz")), new NiftiImage(image, channel, source.Type, data));
            }
        }

        private static void Copy(string source, string target)
        {
            try
            {
                using FileStream input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                AtomicFile.Write(target, output => input.CopyTo(output));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new DataException(DataErrors.FileNotReadable, source, "cannot read: " + e.Message, e);
            }
        }

        private static string DatasetJsonText(DatasetJson json, int training, string source)
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                writer.WriteString("name", json.Name);
                writer.WriteString("description", "Converted from the Medical Segmentation Decathlon task " + Path.GetFileName(Path.GetFullPath(source).TrimEnd('/')) + " by 'e2enet dataset convert-msd'.");
                writer.WriteStartObject("channel_names");
                foreach (DatasetChannel channel in json.Channels) writer.WriteString(channel.Index.ToString(CultureInfo.InvariantCulture), channel.Name);
                writer.WriteEndObject();
                writer.WriteStartObject("labels");
                foreach (DatasetLabel label in json.Labels) writer.WriteNumber(label.Name, label.Value);
                writer.WriteEndObject();
                writer.WriteNumber("numTraining", training);
                writer.WriteString("file_ending", ".nii.gz");
                writer.WriteEndObject();
            }
            return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
        }
    }
}
