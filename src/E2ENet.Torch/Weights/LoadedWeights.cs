using System;
using System.Collections.Generic;

namespace E2ENet.Torch.Weights
{
    /// <summary>What <see cref="StateDictLoader"/> loaded: where from, the sparse masks derived from the weights, and notes.</summary>
    public sealed class LoadedWeights : IDisposable
    {
        internal LoadedWeights(string path, string? container, IReadOnlyList<SparseMask> masks, IReadOnlyList<string> notes)
        {
            Path = path;
            Container = container;
            Masks = masks;
            Notes = notes;
        }

        /// <summary>The weight file.</summary>
        public string Path { get; }

        /// <summary><c>state_dict</c> when the weights came from that entry of a trainer's checkpoint.</summary>
        public string? Container { get; }

        /// <summary>
        /// The mask of every sparse weight, in state-dict order, taken from the weights' zero kernels (or channels):
        /// what the trainer keeps applying and the exporter removes. Empty for a dense model.
        /// </summary>
        public IReadOnlyList<SparseMask> Masks { get; }

        /// <summary>Things worth telling the user that are not errors (e.g. a layer with fewer active kernels than its mask keeps).</summary>
        public IReadOnlyList<string> Notes { get; }

        /// <inheritdoc />
        public void Dispose()
        {
            foreach (SparseMask mask in Masks) mask.Dispose();
        }
    }
}
