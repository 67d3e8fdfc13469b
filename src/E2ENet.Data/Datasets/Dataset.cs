using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Datasets
{
    /// <summary>One case of a dataset: its name, one image file per channel (index order) and its label file (null for test cases).</summary>
    public sealed record DatasetCase(string Name, IReadOnlyList<string> Images, string? Label);

    /// <summary>
    /// A dataset in the Medical Segmentation Decathlon / nnU-Net layout:
    /// <code>
    /// DIR/dataset.json
    /// DIR/imagesTr/NAME_0000.nii.gz ... NAME_XXXX.nii.gz   one file per channel (XXXX = 4-digit channel index)
    /// DIR/labelsTr/NAME.nii.gz                              integer labels 0 (background), 1, 2, ...
    /// DIR/imagesTs/NAME_XXXX.nii.gz                         test images, optional
    /// DIR/labelsTs/NAME.nii.gz                              test labels, optional (an extension: for 'e2enet evaluate')
    /// </code>
    /// dataset.json's <c>file_ending</c> chooses the format of every volume (.nii.gz, .nii, .mha, .mhd, .nrrd, .nhdr); the data
    /// files detached .mhd/.nhdr headers name sit beside them and are not cases of their own.
    /// Opening a dataset checks only the layout (files present, names, counts); <see cref="DatasetChecker"/> reads the volumes.
    /// </summary>
    public sealed class Dataset
    {
        private static readonly Regex CaseNamePattern = new Regex("^[A-Za-z0-9_.\\-]+$", RegexOptions.CultureInvariant);

        private Dataset(string root, DatasetJson json, IReadOnlyList<DatasetCase> training, IReadOnlyList<DatasetCase> test)
        {
            Root = root;
            Json = json;
            Training = training;
            Test = test;
        }

        /// <summary>The dataset folder.</summary>
        public string Root { get; }

        /// <summary>dataset.json.</summary>
        public DatasetJson Json { get; }

        /// <summary>Training cases (with labels), sorted by name.</summary>
        public IReadOnlyList<DatasetCase> Training { get; }

        /// <summary>Test cases of imagesTs (labels from labelsTs when present), sorted by name.</summary>
        public IReadOnlyList<DatasetCase> Test { get; }

        /// <summary>Number of input channels.</summary>
        public int Channels => Json.Channels.Count;

        /// <summary>Number of classes, background included.</summary>
        public int Classes => Json.Labels.Count;

        /// <summary>The case named <paramref name="name"/>, training or test.</summary>
        public DatasetCase? Find(string name) => Training.Concat(Test).FirstOrDefault(c => c.Name == name);

        /// <summary>Opens a dataset; the first layout problem is thrown (its message counts the others: run 'e2enet dataset check' for all).</summary>
        /// <exception cref="DataException">The dataset's layout is not usable.</exception>
        public static Dataset Open(string root)
        {
            var (dataset, problems) = Scan(root);
            if (problems.Count > 0)
            {
                DatasetProblem first = problems[0];
                string more = problems.Count > 1 ? $" (and {problems.Count - 1} more problem(s): run 'e2enet dataset check {root}')" : "";
                throw new DataException(first.Error, first.File, first.Message + more);
            }
            return dataset!;
        }

        /// <summary>Scans the layout and reports every problem at once; the dataset is null when it cannot be used at all.</summary>
        public static (Dataset? Dataset, List<DatasetProblem> Problems) Scan(string root)
        {
            var problems = new List<DatasetProblem>();
            if (!Directory.Exists(root))
            {
                problems.Add(new DatasetProblem(DataErrors.DatasetNotFound, root, File.Exists(root) ? "is a file; give the dataset folder" : "no such folder"));
                return (null, problems);
            }
            DatasetJson? json = DatasetJson.Read(Path.Combine(root, "dataset.json"), problems);
            if (json == null) return (null, problems);

            string ending = json.FileEnding;
            int channels = json.Channels.Count;
            string imagesTr = Path.Combine(root, "imagesTr"), labelsTr = Path.Combine(root, "labelsTr");
            if (!Directory.Exists(imagesTr)) problems.Add(new DatasetProblem(DataErrors.NoCases, imagesTr, "no imagesTr folder"));
            if (!Directory.Exists(labelsTr)) problems.Add(new DatasetProblem(DataErrors.NoCases, labelsTr, "no labelsTr folder"));

            Dictionary<string, SortedDictionary<int, string>> images = GroupImages(imagesTr, ending, channels, problems);
            var labels = ListFiles(labelsTr).Where(f => !IsHidden(f)).ToDictionary(f => f, f => f, StringComparer.Ordinal);
            var labelByCase = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string file in labels.Keys)
            {
                string name = Path.GetFileName(file);
                if (!name.EndsWith(ending, StringComparison.Ordinal)) { problems.Add(new DatasetProblem(DataErrors.ExtraFile, file, $"not a label file: labels are NAME{ending}")); continue; }
                labelByCase[name.Substring(0, name.Length - ending.Length)] = file;
            }

            // Which cases are training cases: the v1 "training" list, else every label of labelsTr.
            List<string> names = json.TrainingCases != null ? json.TrainingCases.Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).ToList()
                                                           : labelByCase.Keys.OrderBy(n => n, StringComparer.Ordinal).ToList();
            if (json.TrainingCases != null)
                foreach (var duplicate in json.TrainingCases.GroupBy(n => n).Where(g => g.Count() > 1))
                    problems.Add(new DatasetProblem(DataErrors.BadCaseName, json.Path, $"case '{duplicate.Key}' is listed {duplicate.Count()} times in 'training'"));
            var training = new List<DatasetCase>();
            foreach (string name in names)
            {
                if (!CaseNamePattern.IsMatch(name)) problems.Add(new DatasetProblem(DataErrors.BadCaseName, json.Path, $"case name '{name}' has characters other than letters, digits, '_', '-' and '.'"));
                images.TryGetValue(name, out SortedDictionary<int, string>? files);
                var paths = new List<string>();
                for (int c = 0; c < channels; c++)
                {
                    string expected = Path.Combine(imagesTr, ChannelFileName(name, c, ending));
                    if (files != null && files.TryGetValue(c, out string? found)) paths.Add(found);
                    else { problems.Add(new DatasetProblem(DataErrors.MissingImage, expected, $"case '{name}' has no image for channel {c} ({json.Channels[c].Name})")); paths.Add(expected); }
                }
                if (!labelByCase.TryGetValue(name, out string? label))
                {
                    label = Path.Combine(labelsTr, name + ending);
                    problems.Add(new DatasetProblem(DataErrors.MissingLabel, label, $"training case '{name}' has no label file"));
                }
                training.Add(new DatasetCase(name, paths, label));
            }
            var trainingNames = new HashSet<string>(names, StringComparer.Ordinal);
            foreach (var pair in images.Where(p => !trainingNames.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal))
                foreach (string file in pair.Value.Values)
                    problems.Add(new DatasetProblem(json.TrainingCases == null ? DataErrors.MissingLabel : DataErrors.ExtraFile, file,
                        json.TrainingCases == null ? $"image of case '{pair.Key}' has no label labelsTr/{pair.Key}{ending}" : $"case '{pair.Key}' is not in dataset.json's 'training' list"));
            foreach (var pair in labelByCase.Where(p => !trainingNames.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal))
                problems.Add(new DatasetProblem(DataErrors.ExtraFile, pair.Value, $"label of case '{pair.Key}', which is not a training case"));

            if (training.Count == 0) problems.Add(new DatasetProblem(DataErrors.NoCases, root, "no training case found"));
            if (json.NumTraining != null && json.NumTraining != training.Count)
                problems.Add(new DatasetProblem(DataErrors.CountMismatch, json.Path, $"numTraining is {json.NumTraining}, but {training.Count} training case(s) were found"));

            // Test images (optional), with labelsTs when present.
            var test = new List<DatasetCase>();
            string imagesTs = Path.Combine(root, "imagesTs"), labelsTs = Path.Combine(root, "labelsTs");
            if (Directory.Exists(imagesTs))
            {
                foreach (var pair in GroupImages(imagesTs, ending, channels, problems).OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    var paths = new List<string>();
                    for (int c = 0; c < channels; c++)
                    {
                        string expected = Path.Combine(imagesTs, ChannelFileName(pair.Key, c, ending));
                        if (pair.Value.TryGetValue(c, out string? found)) paths.Add(found);
                        else { problems.Add(new DatasetProblem(DataErrors.MissingImage, expected, $"test case '{pair.Key}' has no image for channel {c} ({json.Channels[c].Name})")); paths.Add(expected); }
                    }
                    string label = Path.Combine(labelsTs, pair.Key + ending);
                    test.Add(new DatasetCase(pair.Key, paths, File.Exists(label) ? label : null));
                }
            }
            return (new Dataset(root, json, training, test), problems);
        }

        /// <summary>"NAME_0003.nii.gz".</summary>
        public static string ChannelFileName(string caseName, int channel, string fileEnding)
            => caseName + "_" + channel.ToString("0000", CultureInfo.InvariantCulture) + fileEnding;

        private static Dictionary<string, SortedDictionary<int, string>> GroupImages(string folder, string ending, int channels, List<DatasetProblem> problems)
        {
            var result = new Dictionary<string, SortedDictionary<int, string>>(StringComparer.Ordinal);
            foreach (string file in ListFiles(folder))
            {
                if (IsHidden(file)) continue;
                string name = Path.GetFileName(file);
                if (!name.EndsWith(ending, StringComparison.Ordinal))
                {
                    problems.Add(new DatasetProblem(DataErrors.ExtraFile, file, $"not an image file: images are NAME_XXXX{ending}"));
                    continue;
                }
                string stem = name.Substring(0, name.Length - ending.Length);
                int underscore = stem.LastIndexOf('_');
                if (underscore <= 0 || stem.Length - underscore - 1 != 4 || !int.TryParse(stem.Substring(underscore + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int channel))
                {
                    problems.Add(new DatasetProblem(DataErrors.ExtraFile, file, $"image names end in _XXXX, the 4-digit channel index (NAME_0000{ending})"));
                    continue;
                }
                if (channel >= channels)
                {
                    problems.Add(new DatasetProblem(DataErrors.ExtraFile, file, $"channel {channel}, but dataset.json declares {channels} channel(s) (0..{channels - 1})"));
                    continue;
                }
                string caseName = stem.Substring(0, underscore);
                if (!result.TryGetValue(caseName, out SortedDictionary<int, string>? files)) result[caseName] = files = new SortedDictionary<int, string>();
                files[channel] = file;
            }
            return result;
        }

        /// <summary>The files of a folder, sorted, without the data files that detached .mhd/.nhdr headers there name (they belong to their header).</summary>
        private static IEnumerable<string> ListFiles(string folder)
        {
            if (!Directory.Exists(folder)) return Enumerable.Empty<string>();
            ISet<string> dataFiles = VolumeFiles.DataFilesIn(folder);
            return Directory.GetFiles(folder).Where(f => !dataFiles.Contains(Path.GetFullPath(f))).OrderBy(f => f, StringComparer.Ordinal);
        }

        private static bool IsHidden(string file) => Path.GetFileName(file).StartsWith(".", StringComparison.Ordinal);
    }
}
