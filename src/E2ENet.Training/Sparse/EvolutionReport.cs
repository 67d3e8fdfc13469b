using System.Collections.Generic;
using System.Linq;

namespace E2ENet.Training.Sparse
{
    /// <summary>What one evolution round did to one layer.</summary>
    public sealed record LayerEvolution(string Layer, int Active, int Pruned, int Regrown, int RegrownJustPruned);

    /// <summary>What one evolution round did: per layer, units pruned, regrown, and regrown among the just-pruned.</summary>
    public sealed record EvolutionReport(long Iteration, double Rate, IReadOnlyList<LayerEvolution> Layers)
    {
        /// <summary>Units pruned in all layers.</summary>
        public int Pruned => Layers.Sum(l => l.Pruned);

        /// <summary>Units regrown in all layers.</summary>
        public int Regrown => Layers.Sum(l => l.Regrown);

        /// <summary>Regrown units that had just been pruned.</summary>
        public int RegrownJustPruned => Layers.Sum(l => l.RegrownJustPruned);
    }

    /// <summary>Active units of the fusion convolutions by the source their input channels come from.</summary>
    public sealed record SourceShare(string Source, long Active, long Units)
    {
        /// <summary>Active share of the units reading this source.</summary>
        public double Density => Units == 0 ? 0 : (double)Active / Units;
    }
}
