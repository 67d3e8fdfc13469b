using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace E2ENet.Data.Training
{
    /// <summary>One fold: the cases it trains on and the cases it validates on.</summary>
    public sealed record Fold(IReadOnlyList<string> Train, IReadOnlyList<string> Validation);

    /// <summary>
    /// Cross-validation folds. nnU-Net reads <c>splits_final.json</c> (a list of {"train": [...], "val": [...]}) when the
    /// preprocessed folder has one, else makes k folds of the sorted case names after a seeded shuffle and saves them
    /// there so every later run uses the same split. Our shuffle is our own (seeded <see cref="Rng"/>), not numpy's:
    /// to reuse nnU-Net's exact split, copy its splits_final.json into the folder.
    /// </summary>
    public static class CrossValidation
    {
        /// <summary>The folds of <paramref name="cases"/>, from <paramref name="splitsFile"/> when it exists (else made and written there).</summary>
        public static IReadOnlyList<Fold> Folds(IReadOnlyList<string> cases, int folds, string? splitsFile, long seed = 12345)
        {
            if (splitsFile != null && File.Exists(splitsFile)) return Read(splitsFile, cases);
            if (folds < 1) throw new DataException(DataErrors.InvalidSettings, null, "there must be at least one fold");
            var result = Make(cases, folds, seed);
            if (splitsFile != null)
                AtomicFile.WriteText(splitsFile, JsonSerializer.Serialize(result.Select(f => new Dictionary<string, IReadOnlyList<string>> { ["train"] = f.Train, ["val"] = f.Validation }).ToList(),
                    new JsonSerializerOptions { WriteIndented = true }) + "\n");
            return result;
        }

        /// <summary>k folds like sklearn's KFold(shuffle): the first n % k folds get one case more. One fold: train and validate on everything.</summary>
        public static IReadOnlyList<Fold> Make(IReadOnlyList<string> cases, int folds, long seed)
        {
            var sorted = cases.OrderBy(c => c, StringComparer.Ordinal).ToList();
            if (folds == 1) return new[] { new Fold(sorted, sorted) };
            if (folds > sorted.Count) throw new DataException(DataErrors.InvalidSettings, null, $"{folds} folds need at least {folds} cases; the dataset has {sorted.Count}");
            Rng.For(seed, 0).Shuffle(sorted);
            var result = new List<Fold>();
            int start = 0;
            for (int k = 0; k < folds; k++)
            {
                int size = sorted.Count / folds + (k < sorted.Count % folds ? 1 : 0);
                var validation = sorted.Skip(start).Take(size).OrderBy(c => c, StringComparer.Ordinal).ToList();
                var train = sorted.Except(validation).OrderBy(c => c, StringComparer.Ordinal).ToList();
                result.Add(new Fold(train, validation));
                start += size;
            }
            return result;
        }

        private static IReadOnlyList<Fold> Read(string path, IReadOnlyList<string> cases)
        {
            var known = new HashSet<string>(cases, StringComparer.Ordinal);
            try
            {
                using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
                var result = new List<Fold>();
                foreach (JsonElement fold in document.RootElement.EnumerateArray())
                {
                    var train = fold.GetProperty("train").EnumerateArray().Select(e => e.GetString()!).ToList();
                    var validation = fold.GetProperty("val").EnumerateArray().Select(e => e.GetString()!).ToList();
                    string? unknown = train.Concat(validation).FirstOrDefault(n => !known.Contains(n));
                    if (unknown != null) throw new DataException(DataErrors.SplitsInvalid, path, $"case '{unknown}' is not a case of the dataset");
                    result.Add(new Fold(train, validation));
                }
                if (result.Count == 0) throw new DataException(DataErrors.SplitsInvalid, path, "holds no fold");
                return result;
            }
            catch (Exception e) when (e is JsonException || e is InvalidOperationException || e is KeyNotFoundException)
            {
                throw new DataException(DataErrors.SplitsInvalid, path, "not a list of {\"train\": [...], \"val\": [...]}: " + e.Message, e);
            }
        }
    }
}
