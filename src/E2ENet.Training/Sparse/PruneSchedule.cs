using System;
using E2ENet.Compiler.Semantics;

namespace E2ENet.Training.Sparse
{
    /// <summary>
    /// When DSFF evolves the topology and how much it prunes: every ΔT iterations (docs/method.md: ΔT = 1200 iterations), a rate
    /// decaying per iteration from <c>evolve.prune.from</c> to <c>evolve.prune.to</c> over the whole training (cosine by
    /// default: to + (from - to) * (1 + cos(pi * t / T)) / 2).
    /// </summary>
    public sealed class PruneSchedule
    {
        /// <summary>Creates the schedule of a model's evolution settings for a training of <paramref name="totalIterations"/>.</summary>
        public PruneSchedule(EvolveSpec evolve, int iterationsPerEpoch, long totalIterations, bool sparse)
        {
            Enabled = evolve.Enabled && sparse;
            From = evolve.PruneFrom;
            To = evolve.PruneTo;
            Decay = evolve.Decay;
            TotalIterations = Math.Max(1, totalIterations);
            double every = evolve.Unit == IntervalUnit.Epochs ? evolve.Every * iterationsPerEpoch : evolve.Every;
            Interval = Math.Max(1, (long)Math.Round(every));
        }

        /// <summary>Whether the topology evolves at all (sparse model and evolution on).</summary>
        public bool Enabled { get; }

        /// <summary>Rate at iteration 0.</summary>
        public double From { get; }

        /// <summary>Rate at the last iteration.</summary>
        public double To { get; }

        /// <summary>Cosine, linear or constant.</summary>
        public PruneDecay Decay { get; }

        /// <summary>Iterations between rounds (ΔT).</summary>
        public long Interval { get; }

        /// <summary>Iterations of the whole training (T).</summary>
        public long TotalIterations { get; }

        /// <summary>True when a round runs after optimizer step number <paramref name="iteration"/> (1-based count of steps done).</summary>
        public bool IsEvolutionStep(long iteration) => Enabled && iteration > 0 && iteration < TotalIterations && iteration % Interval == 0;

        /// <summary>The prune rate at iteration <paramref name="iteration"/>.</summary>
        public double Rate(long iteration)
        {
            double progress = Math.Min(1.0, Math.Max(0.0, (double)iteration / TotalIterations));
            return Decay switch
            {
                PruneDecay.Constant => From,
                PruneDecay.Linear => From + (To - From) * progress,
                _ => To + (From - To) * 0.5 * (1 + Math.Cos(Math.PI * progress)),
            };
        }
    }
}
