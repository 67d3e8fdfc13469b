using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Host;
using E2ENet.Data.Volumes;
using E2ENet.Onnx.Diagnostics;

namespace E2ENet.Cli.Commands
{
    /// <summary>One case to predict: its name and one image file per input channel, in channel order.</summary>
    public sealed record PredictCase(string Name, IReadOnlyList<string> Images, string Extension);

    /// <summary>
    /// Finds the cases of <c>e2enet predict --input</c> (NIfTI, MetaImage or NRRD files): a folder in nnU-Net's layout (<c>CASE_0000.nii.gz</c>,
    /// <c>CASE_0001.nii.gz</c>, ... one file per channel; for a one-channel model plain <c>CASE.nii.gz</c> too), or a single
    /// image file for a one-channel model.
    /// </summary>
    public static class PredictCases
    {
        /// <summary>The cases, sorted by name.</summary>
        /// <exception cref="E2ENetOnnxException">E2E6005 when there is nothing to predict or a case lacks a channel.</exception>
        public static IReadOnlyList<PredictCase> Find(string input, int channels)
        {
            if (File.Exists(input))
            {
                if (!VolumeFiles.IsVolumeFile(input)) throw Bad(input, "is not an image file (" + string.Join(", ", VolumeFiles.KnownExtensions) + ")");
                if (channels != 1) throw Bad(input, FormattableString.Invariant($"is one image, but the model takes {channels} channels: give a folder with CASE_0000 ... CASE_{channels - 1:0000} files"));
                (string name, _) = Split(VolumeFiles.StripExtension(Path.GetFileName(input)));
                return new[] { new PredictCase(name, new[] { input }, Extension(input)) };
            }
            if (!Directory.Exists(input)) throw Bad(input, "no such file or folder");
            var byCase = new SortedDictionary<string, SortedDictionary<int, string>>(StringComparer.Ordinal);
            var plain = new List<string>();
            foreach (string file in Directory.GetFiles(input).Where(f => !Path.GetFileName(f).StartsWith(".", StringComparison.Ordinal) && VolumeFiles.IsVolumeFile(f)).OrderBy(f => f, StringComparer.Ordinal))
            {
                (string name, int? channel) = Split(VolumeFiles.StripExtension(Path.GetFileName(file)));
                if (channel is int c)
                {
                    if (!byCase.TryGetValue(name, out var files)) byCase[name] = files = new SortedDictionary<int, string>();
                    files[c] = file;
                }
                else
                {
                    plain.Add(file);
                }
            }
            var cases = new List<PredictCase>();
            foreach (var pair in byCase)
            {
                int[] missing = Enumerable.Range(0, channels).Where(c => !pair.Value.ContainsKey(c)).ToArray();
                if (missing.Length > 0)
                {
                    throw Bad(input, FormattableString.Invariant($"case '{pair.Key}' has no {string.Join(", ", missing.Select(c => pair.Key + "_" + c.ToString("0000", CultureInfo.InvariantCulture)))} image; the model takes {channels} channel(s), one file each"));
                }
                int[] extra = pair.Value.Keys.Where(c => c >= channels).ToArray();
                if (extra.Length > 0)
                {
                    throw Bad(input, FormattableString.Invariant($"case '{pair.Key}' has channel file(s) {string.Join(", ", extra)}, but the model takes {channels} channel(s)"));
                }
                cases.Add(new PredictCase(pair.Key, pair.Value.Values.ToList(), Extension(pair.Value.Values.First())));
            }
            if (channels == 1)
            {
                cases.AddRange(plain.Select(f => new PredictCase(VolumeFiles.StripExtension(Path.GetFileName(f)), new[] { f }, Extension(f))));
            }
            if (cases.Count == 0)
            {
                throw Bad(input, "holds no images to predict: give image files named CASE_0000.nii.gz (one per channel; .mha, .mhd, .nrrd and .nhdr too)" + (channels == 1 ? " or CASE.nii.gz" : string.Empty));
            }
            var duplicate = cases.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate != null) throw Bad(input, $"holds case '{duplicate.Key}' twice (as {duplicate.Key}_0000 and {duplicate.Key}); keep one");
            return cases.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        }

        /// <summary>
        /// Refuses, before anything is read or written, a prediction folder that is the input folder (by name or, through links,
        /// by identity) or a label volume that would land on an input image; and a target that cannot be written (a name longer
        /// than the file system allows, an unwritable folder), so that a run never fails only at its end.
        /// </summary>
        /// <exception cref="E2ENetOnnxException">E2E6007.</exception>
        /// <exception cref="E2ENet.Data.DataException">E4014 for a target that cannot be written.</exception>
        public static void CheckOutputs(string input, string output, IReadOnlyList<PredictCase> cases) => CheckOutputs(input, output, cases, probabilities: false);

        /// <summary>The same, with each case's probabilities file (<c>CASE.npz</c>) as a target too when <paramref name="probabilities"/>.</summary>
        public static void CheckOutputs(string input, string output, IReadOnlyList<PredictCase> cases, bool probabilities)
        {
            CheckOutputFolder(input, output);
            foreach (PredictCase item in cases)
            {
                string target = Target(output, item);
                if (probabilities)
                {
                    string file = E2ENet.Data.Inference.ProbabilityFile.PathFor(target);
                    string? trouble = Directory.Exists(output) ? OutputFile.Problem(file) : OutputFile.NameProblem(file);
                    if (trouble != null) throw new E2ENet.Data.DataException(E2ENet.Data.DataErrors.CannotWrite, file, trouble + "; nothing was predicted");
                }
                foreach (string image in item.Images)
                {
                    if (SamePath(image, target))
                    {
                        throw new E2ENetOnnxException(OnnxErrors.OutputOverwritesInput, output, $"the label volume of case '{item.Name}' would be written over its input image {image}; "
                            + "nothing was read or written: give another --output folder");
                    }
                }
                // Before the folder exists only the name can be judged; once it does (under the lock), a file is tried there.
                string? problem = Directory.Exists(output) ? OutputFile.Problem(target) : OutputFile.NameProblem(target);
                if (problem != null) throw new E2ENet.Data.DataException(E2ENet.Data.DataErrors.CannotWrite, target, problem + "; nothing was predicted");
            }
        }

        /// <summary>Refuses an output folder that is the input folder (or, for one image, the folder it is in is checked per file).</summary>
        /// <exception cref="E2ENetOnnxException">E2E6007.</exception>
        public static void CheckOutputFolder(string input, string output)
        {
            if (Directory.Exists(input) && SamePath(input, output))
            {
                throw new E2ENetOnnxException(OnnxErrors.OutputOverwritesInput, output, "is the --input folder: the label volumes would be written among (and over) the images; "
                    + "nothing was read or written: give another --output folder");
            }
        }

        /// <summary>Where a case's label volume goes.</summary>
        public static string Target(string output, PredictCase item) => Path.Combine(output, item.Name + item.Extension);

        private static bool SamePath(string a, string b)
        {
            string fullA = Path.GetFullPath(a).TrimEnd('/'), fullB = Path.GetFullPath(b).TrimEnd('/');
            if (string.Equals(fullA, fullB, StringComparison.Ordinal)) return true;
            FileStatus first = UnixFiles.Stat(fullA), second = UnixFiles.Stat(fullB);
            return first.SameFileAs(second);
        }

        private static (string Name, int? Channel) Split(string stem)
        {
            int underscore = stem.LastIndexOf('_');
            if (underscore > 0 && stem.Length - underscore - 1 == 4
                && int.TryParse(stem.Substring(underscore + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int channel))
            {
                return (stem.Substring(0, underscore), channel);
            }
            return (stem, null);
        }

        /// <summary>The input's own extension: predictions are written in the format of their images.</summary>
        private static string Extension(string file) => VolumeFiles.ExtensionOf(file);

        private static E2ENetOnnxException Bad(string path, string detail) => new E2ENetOnnxException(OnnxErrors.PredictInputInvalid, path, detail);
    }
}
