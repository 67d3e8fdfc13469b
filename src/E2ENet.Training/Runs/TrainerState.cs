using System.Collections.Generic;
using E2ENet.Training.Reporting;

namespace E2ENet.Training.Runs
{
    /// <summary>The trainer's state saved with each checkpoint (state.json), so that a resumed run continues exactly.</summary>
    public sealed class TrainerState
    {
        /// <summary>Format version.</summary>
        public int Version { get; set; } = 1;

        /// <summary>The model's name.</summary>
        public string Model { get; set; } = "";

        /// <summary>Epochs completed.</summary>
        public int EpochsDone { get; set; }

        /// <summary>Optimizer steps done (also the index of the next training batch).</summary>
        public long Iteration { get; set; }

        /// <summary>The run's seed.</summary>
        public long Seed { get; set; }

        /// <summary>The fold.</summary>
        public int Fold { get; set; }

        /// <summary>Moving average of the validation pseudo-Dice (null before the first epoch).</summary>
        public double? PseudoDiceAverage { get; set; }

        /// <summary>Best moving average so far.</summary>
        public double? BestPseudoDiceAverage { get; set; }

        /// <summary>Epoch of the best moving average.</summary>
        public int BestEpoch { get; set; }

        /// <summary>Evolution rounds done.</summary>
        public int EvolutionRounds { get; set; }

        /// <summary>The precision the convolutions train in: <c>fp32</c> (older states), <c>bf16</c> or <c>fp16</c>; fixed for the run.</summary>
        public string Precision { get; set; } = "fp32";

        /// <summary>fp16: the loss scale (<see cref="Optimization.DynamicLossScaler"/>); null otherwise.</summary>
        public double? LossScale { get; set; }

        /// <summary>fp16: good steps since the loss scale last changed.</summary>
        public int LossScaleGoodSteps { get; set; }

        /// <summary>fp16: optimizer steps skipped because a gradient overflowed.</summary>
        public long SkippedSteps { get; set; }

        /// <summary>Every epoch's metrics so far.</summary>
        public List<EpochMetrics> Metrics { get; set; } = new List<EpochMetrics>();
    }
}
