using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using E2ENet.Compiler.Errors;
using E2ENet.Compiler.Host;

namespace E2ENet.Data.Datasets
{
    /// <summary>One input channel: its index (the XXXX of NAME_XXXX), its name and the normalization it implies.</summary>
    public sealed record DatasetChannel(int Index, string Name, ChannelNormalization Normalization);

    /// <summary>How a channel's intensities are normalized (nnU-Net's schemes).</summary>
    public enum ChannelNormalization
    {
        /// <summary>Per-image z-score (MRI and everything not CT).</summary>
        ZScore,

        /// <summary>Clip to the dataset's foreground 0.5/99.5 percentiles, z-score with the foreground mean and sd.</summary>
        Ct,

        /// <summary>Values kept as they are.</summary>
        None,
    }

    /// <summary>One class: its value in label files and its name.</summary>
    public sealed record DatasetLabel(int Value, string Name);

    /// <summary>
    /// dataset.json in either dialect: nnU-Net v2 (<c>channel_names</c>, <c>labels</c> name to value, <c>file_ending</c>)
    /// or the Medical Segmentation Decathlon / nnU-Net v1 (<c>modality</c>, <c>labels</c> value to name, a
    /// <c>training</c> list of <c>{"image", "label"}</c>). A channel named "CT" (any case) is normalized as CT,
    /// "noNorm" not at all, any other as a per-image z-score.
    /// </summary>
    public sealed class DatasetJson
    {
        private DatasetJson(string path, string name, IReadOnlyList<DatasetChannel> channels, IReadOnlyList<DatasetLabel> labels, int? numTraining,
            string fileEnding, IReadOnlyList<string>? training, IReadOnlyList<string>? test)
        {
            Path = path;
            Name = name;
            Channels = channels;
            Labels = labels;
            NumTraining = numTraining;
            FileEnding = fileEnding;
            TrainingCases = training;
            TestCases = test;
        }

        /// <summary>The dataset.json file.</summary>
        public string Path { get; }

        /// <summary>The dataset's name ("name" key, or the folder's name).</summary>
        public string Name { get; }

        /// <summary>Input channels, by index 0, 1, ...</summary>
        public IReadOnlyList<DatasetChannel> Channels { get; }

        /// <summary>Classes by value: background 0 first, then 1, 2, ...</summary>
        public IReadOnlyList<DatasetLabel> Labels { get; }

        /// <summary>numTraining, if given.</summary>
        public int? NumTraining { get; }

        /// <summary>The file ending of every volume (".nii.gz" unless file_ending says otherwise: ".nii", ".mha", ".mhd", ".nrrd" or ".nhdr").</summary>
        public string FileEnding { get; }

        /// <summary>Training case names from the v1 "training" list, or null (v2: the cases are the files of labelsTr).</summary>
        public IReadOnlyList<string>? TrainingCases { get; }

        /// <summary>Test case names from the v1 "test" list, or null.</summary>
        public IReadOnlyList<string>? TestCases { get; }

        /// <summary>Reads and checks dataset.json; every problem is added to <paramref name="problems"/>; null when it cannot be used at all.</summary>
        public static DatasetJson? Read(string path, List<DatasetProblem> problems)
        {
            if (!File.Exists(path))
            {
                problems.Add(new DatasetProblem(DataErrors.DatasetJsonMissing, path, "no dataset.json in the dataset folder"));
                return null;
            }
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(RegularFile.ReadAllBytes(path, 64L << 20), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 32 });
            }
            catch (JsonException e)
            {
                problems.Add(new DatasetProblem(DataErrors.DatasetJsonInvalid, path, "not valid JSON: " + e.Message));
                return null;
            }
            catch (IOException e)
            {
                problems.Add(new DatasetProblem(DataErrors.FileNotReadable, path, "cannot read: " + e.Message));
                return null;
            }
            using (document)
            {
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    problems.Add(new DatasetProblem(DataErrors.DatasetJsonInvalid, path, "the top level must be an object { ... }"));
                    return null;
                }
                int before = problems.Count;
                void Problem(ErrorDescriptor error, string message) => problems.Add(new DatasetProblem(error, path, message));

                string name = root.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))) ?? "dataset";

                // Channels.
                var channels = new List<DatasetChannel>();
                JsonElement channelElement;
                string channelKey = root.TryGetProperty("channel_names", out channelElement) ? "channel_names" : root.TryGetProperty("modality", out channelElement) ? "modality" : "";
                if (channelKey.Length == 0) Problem(DataErrors.DatasetJsonInvalid, "no 'channel_names' (or 'modality') key: name the input channels, e.g. \"channel_names\": {\"0\": \"CT\"}");
                else if (channelElement.ValueKind != JsonValueKind.Object) Problem(DataErrors.DatasetJsonInvalid, $"'{channelKey}' must be an object {{\"0\": \"CT\", ...}}");
                else
                {
                    foreach (JsonProperty property in channelElement.EnumerateObject())
                    {
                        if (!int.TryParse(property.Name, NumberStyles.None, CultureInfo.InvariantCulture, out int index) || index > 9999)
                            Problem(DataErrors.DatasetJsonInvalid, $"'{channelKey}' key '{property.Name}' is not a channel index 0, 1, ...");
                        else if (property.Value.ValueKind != JsonValueKind.String)
                            Problem(DataErrors.DatasetJsonInvalid, $"'{channelKey}'[\"{property.Name}\"] must be a string such as \"CT\" or \"T1\"");
                        else channels.Add(new DatasetChannel(index, property.Value.GetString()!, NormalizationOf(property.Value.GetString()!)));
                    }
                    channels.Sort((a, b) => a.Index.CompareTo(b.Index));
                    for (int i = 0; i < channels.Count; i++)
                        if (channels[i].Index != i) { Problem(DataErrors.DatasetJsonInvalid, $"'{channelKey}' must number channels 0, 1, ... without gaps; found {string.Join(", ", channels.Select(c => c.Index))}"); break; }
                    if (channels.Count == 0) Problem(DataErrors.DatasetJsonInvalid, $"'{channelKey}' declares no channel");
                }

                // Labels, in either direction.
                var labels = new List<DatasetLabel>();
                if (!root.TryGetProperty("labels", out JsonElement labelElement) || labelElement.ValueKind != JsonValueKind.Object)
                    Problem(DataErrors.DatasetJsonInvalid, "no 'labels' object: declare the classes, e.g. \"labels\": {\"background\": 0, \"liver\": 1}");
                else
                {
                    foreach (JsonProperty property in labelElement.EnumerateObject())
                    {
                        if (property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out int value))
                            labels.Add(new DatasetLabel(value, property.Name)); // v2: name -> value
                        else if (property.Value.ValueKind == JsonValueKind.String && int.TryParse(property.Name, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int key))
                            labels.Add(new DatasetLabel(key, property.Value.GetString()!)); // v1: "value" -> name
                        else if (property.Value.ValueKind == JsonValueKind.Array)
                            Problem(DataErrors.LabelsInvalid, $"label '{property.Name}' is region-based (a list of values); only plain labels are supported");
                        else
                            Problem(DataErrors.LabelsInvalid, $"label '{property.Name}' must map a name to a whole number (v2) or a number to a name (v1)");
                    }
                    labels.Sort((a, b) => a.Value.CompareTo(b.Value));
                    if (labels.Count > 0)
                    {
                        var duplicates = labels.GroupBy(l => l.Value).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
                        if (duplicates.Count > 0) Problem(DataErrors.LabelsInvalid, "label values used twice: " + string.Join(", ", duplicates));
                        else if (labels[0].Value != 0) Problem(DataErrors.LabelsInvalid, "there is no background label 0");
                        else if (labels.Select((l, i) => l.Value != i).Any(b => b)) Problem(DataErrors.LabelsInvalid, "label values must be 0, 1, 2, ... without gaps; found " + string.Join(", ", labels.Select(l => l.Value)));
                        else if (labels.Count < 2) Problem(DataErrors.LabelsInvalid, "only background is declared; a segmentation needs at least one foreground class");
                    }
                    else Problem(DataErrors.LabelsInvalid, "'labels' is empty");
                }

                int? numTraining = null;
                if (root.TryGetProperty("numTraining", out JsonElement count))
                {
                    if (count.ValueKind == JsonValueKind.Number && count.TryGetInt32(out int value) && value >= 0) numTraining = value;
                    else Problem(DataErrors.DatasetJsonInvalid, "'numTraining' must be a whole number");
                }

                string fileEnding = ".nii.gz";
                if (root.TryGetProperty("file_ending", out JsonElement ending))
                {
                    if (ending.ValueKind == JsonValueKind.String && Volumes.VolumeFiles.KnownExtensions.Contains(ending.GetString()!, StringComparer.Ordinal)) fileEnding = ending.GetString()!;
                    else Problem(DataErrors.DatasetJsonInvalid, $"'file_ending' is {ending.GetRawText()}; this reader takes {string.Join(", ", Volumes.VolumeFiles.KnownExtensions.Select(e => "\"" + e + "\""))}");
                }

                List<string>? training = null;
                if (root.TryGetProperty("training", out JsonElement list))
                {
                    training = new List<string>();
                    if (list.ValueKind != JsonValueKind.Array) Problem(DataErrors.DatasetJsonInvalid, "'training' must be a list of {\"image\": ..., \"label\": ...}");
                    else
                        foreach (JsonElement item in list.EnumerateArray())
                        {
                            string? image = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("image", out JsonElement i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
                            if (image == null) { Problem(DataErrors.DatasetJsonInvalid, "an entry of 'training' has no \"image\" string: " + item.GetRawText()); continue; }
                            training.Add(CaseNameOf(image, fileEnding));
                        }
                }
                List<string>? test = null;
                if (root.TryGetProperty("test", out JsonElement testList) && testList.ValueKind == JsonValueKind.Array)
                    test = testList.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => CaseNameOf(e.GetString()!, fileEnding)).ToList();

                if (problems.Count > before && (channels.Count == 0 || labels.Count < 2)) return null;
                return new DatasetJson(path, name, channels, labels, numTraining, fileEnding, training, test);
            }
        }

        /// <summary>The normalization nnU-Net derives from a channel name.</summary>
        public static ChannelNormalization NormalizationOf(string channelName)
            => string.Equals(channelName, "CT", StringComparison.OrdinalIgnoreCase) ? ChannelNormalization.Ct
             : string.Equals(channelName, "noNorm", StringComparison.OrdinalIgnoreCase) ? ChannelNormalization.None
             : ChannelNormalization.ZScore;

        /// <summary>"./imagesTr/la_003.nii.gz" gives "la_003".</summary>
        private static string CaseNameOf(string relativePath, string fileEnding)
        {
            string file = System.IO.Path.GetFileName(relativePath.Replace('\\', '/'));
            return file.EndsWith(fileEnding, StringComparison.Ordinal) ? file.Substring(0, file.Length - fileEnding.Length) : Volumes.VolumeFiles.StripExtension(file);
        }
    }
}
