using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using E2ENet.Data.Training;

namespace E2ENet.Training.Runs
{
    /// <summary>
    /// Which cases a run trains and validates on: one cross-validation fold (<c>--fold k</c>), or nnU-Net's <c>all</c>
    /// (<c>--fold all</c>): every case trains, nothing is held out. The online pseudo-Dice of an <c>all</c> run is measured
    /// on patches of its training cases (as nnU-Net does), so it only follows the fit, and no final validation is run.
    /// </summary>
    public static class FoldSelection
    {
        /// <summary>The fold number that stands for <c>all</c> (in <see cref="TrainerOptions.Fold"/> and the checkpoints' state).</summary>
        public const int All = -1;

        /// <summary>The text of <c>--fold all</c>.</summary>
        public const string AllText = "all";

        /// <summary>Parses <c>--fold</c>: a fold number (0 or more) or <c>all</c>; null when it is neither.</summary>
        public static int? Parse(string text)
        {
            if (text == AllText) return All;
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int fold) ? fold : null;
        }

        /// <summary>The fold as the user writes it: <c>0</c>, <c>1</c>, ... or <c>all</c>.</summary>
        public static string Text(int fold) => fold == All ? AllText : fold.ToString(CultureInfo.InvariantCulture);

        /// <summary>The fold as run.json holds it: a number, or the string <c>"all"</c>.</summary>
        public static object Json(int fold) => fold == All ? AllText : fold;

        /// <summary>Reads run.json's <c>fold</c> (a number or <c>"all"</c>).</summary>
        /// <exception cref="JsonException">Neither.</exception>
        public static int FromJson(JsonElement value)
        {
            if (value.ValueKind == JsonValueKind.String && value.GetString() == AllText) return All;
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int fold) && fold >= 0) return fold;
            throw new JsonException($"'fold' is {value}; it is a fold number or \"{AllText}\"");
        }

        /// <summary>
        /// The training and validation cases of <paramref name="fold"/>: <c>all</c> trains on every case and validates its
        /// pseudo-Dice on them too; a fold number takes the split of <paramref name="splitsFile"/> (made and saved on first use).
        /// </summary>
        /// <exception cref="TrainingException">E2E5007 for a fold that does not exist, E2E5005 for a fold without training or validation cases.</exception>
        public static Fold Select(IReadOnlyList<string> cases, int folds, string splitsFile, long seed, int fold, string dataset)
        {
            if (fold == All)
            {
                if (cases.Count == 0) throw new TrainingException(TrainingErrors.DatasetMismatch, dataset, "the dataset has no training case");
                return new Fold(cases, cases);
            }
            IReadOnlyList<Fold> split = CrossValidation.Folds(cases, folds, splitsFile, seed);
            if (fold < 0 || fold >= split.Count)
            {
                throw new TrainingException(TrainingErrors.BadOption, null, $"--fold {Text(fold)} does not exist: training.folds is {folds}, so folds are 0..{split.Count - 1} (or all)");
            }
            Fold chosen = split[fold];
            if (chosen.Train.Count == 0 || chosen.Validation.Count == 0)
            {
                throw new TrainingException(TrainingErrors.DatasetMismatch, dataset,
                    $"fold {fold} has {chosen.Train.Count} training and {chosen.Validation.Count} validation cases; the dataset needs more cases (or set training.folds 1, or train --fold all)");
            }
            return chosen;
        }
    }
}
