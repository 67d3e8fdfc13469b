using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace E2ENet.Training.Reporting
{
    /// <summary>What one epoch of training measured (one row of <c>metrics.csv</c>).</summary>
    public sealed record EpochMetrics
    {
        /// <summary>1-based epoch number.</summary>
        public int Epoch { get; init; }

        /// <summary>Optimizer steps done after this epoch.</summary>
        public long Iteration { get; init; }

        /// <summary>Mean training loss of the epoch.</summary>
        public double TrainLoss { get; init; }

        /// <summary>Mean validation loss (on validation patches).</summary>
        public double ValidationLoss { get; init; }

        /// <summary>Mean foreground pseudo-Dice on validation patches (global tp/fp/fn per class, as nnU-Net's online evaluation).</summary>
        public double PseudoDice { get; init; }

        /// <summary>Exponential moving average of the pseudo-Dice (0.9 old + 0.1 new), which selects the best checkpoint.</summary>
        public double PseudoDiceAverage { get; init; }

        /// <summary>Pseudo-Dice per foreground class.</summary>
        public IReadOnlyList<double> PseudoDicePerClass { get; init; } = new double[0];

        /// <summary>Learning rate of the epoch.</summary>
        public double LearningRate { get; init; }

        /// <summary>Active share of the sparse units at the end of the epoch.</summary>
        public double Density { get; init; }

        /// <summary>Evolution rounds done in the epoch.</summary>
        public int EvolutionRounds { get; init; }

        /// <summary>Active share of fusion units per source ("same", "up", "down").</summary>
        public IReadOnlyDictionary<string, double> SourceDensities { get; init; } = new Dictionary<string, double>();

        /// <summary>Seconds the epoch took.</summary>
        public double Seconds { get; init; }

        /// <summary>The CSV header for the given foreground class names.</summary>
        public static string CsvHeader(IReadOnlyList<string> foregroundClasses)
            => "epoch,iteration,train_loss,val_loss,pseudo_dice,pseudo_dice_ema," + string.Concat(foregroundClasses.Select(c => "dice_" + c + ","))
               + "lr,density,evolution_rounds,density_same,density_up,density_down,seconds";

        /// <summary>This epoch as a CSV row.</summary>
        public string ToCsv()
        {
            string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
            string S(string source) => SourceDensities.TryGetValue(source, out double v) ? F(v) : string.Empty;
            return string.Join(",", new[]
            {
                Epoch.ToString(CultureInfo.InvariantCulture), Iteration.ToString(CultureInfo.InvariantCulture), F(TrainLoss), F(ValidationLoss),
                F(PseudoDice), F(PseudoDiceAverage),
            }.Concat(PseudoDicePerClass.Select(F)).Concat(new[]
            {
                F(LearningRate), F(Density), EvolutionRounds.ToString(CultureInfo.InvariantCulture), S("same"), S("up"), S("down"), F(Seconds),
            }));
        }
    }
}
