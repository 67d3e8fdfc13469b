using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Datasets
{
    /// <summary>What the dataset makers (make-demo, make-synth) share: the target folder, mricron-data's templates, cases and dataset.json.</summary>
    internal static class MadeDataset
    {
        /// <summary>Refuses a folder with content unless <paramref name="overwrite"/>; creates it.</summary>
        /// <exception cref="DataException">E4205 when the folder has content and overwriting is off.</exception>
        public static void PrepareFolder(string folder, bool overwrite)
        {
            if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any() && !overwrite)
                throw new DataException(DataErrors.OutputFolderNotEmpty, folder, "the folder already has content; nothing was written");
        }

        /// <summary>The paths of mricron-data's templates <paramref name="names"/> in <paramref name="templatesFolder"/>.</summary>
        /// <exception cref="DataException">E4001 when one is missing.</exception>
        public static string[] RequireTemplates(string templatesFolder, params string[] names)
        {
            string[] paths = names.Select(n => Path.Combine(templatesFolder, n)).ToArray();
            foreach (string path in paths)
                if (!File.Exists(path)) throw new DataException(DataErrors.FileNotReadable, path, "missing: install Debian's mricron-data (apt-get install mricron-data)");
            return paths;
        }

        /// <summary>Writes one case: its image (channel 0, int16) and label (uint8) into imagesTr/labelsTr, or imagesTs/labelsTs for a test case.</summary>
        public static void WriteCase(string folder, string name, bool test, Volume image, Volume label)
        {
            string imageFolder = Path.Combine(folder, test ? "imagesTs" : "imagesTr"), labelFolder = Path.Combine(folder, test ? "labelsTs" : "labelsTr");
            VolumeFiles.Write(Path.Combine(imageFolder, Dataset.ChannelFileName(name, 0, ".nii.gz")), image, VoxelType.Int16);
            VolumeFiles.Write(Path.Combine(labelFolder, name + ".nii.gz"), label, VoxelType.UInt8);
        }

        /// <summary>dataset.json (nnU-Net v2 dialect) of a one-channel T1 dataset with .nii.gz files.</summary>
        public static string DatasetJsonText(string name, string description, string reference, IReadOnlyList<string> labels, int training)
        {
            using var stream = new MemoryStream();
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteString("name", name);
                json.WriteString("description", description);
                json.WriteString("reference", reference);
                json.WriteStartObject("channel_names");
                json.WriteString("0", "T1");
                json.WriteEndObject();
                json.WriteStartObject("labels");
                for (int i = 0; i < labels.Count; i++) json.WriteNumber(labels[i], i);
                json.WriteEndObject();
                json.WriteNumber("numTraining", training);
                json.WriteString("file_ending", ".nii.gz");
                json.WriteEndObject();
            }
            return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
        }
    }
}
