using System.Collections.Generic;
using System.Linq;

namespace E2ENet.Data.Inference
{
    /// <summary>
    /// One network of an ensemble (nnU-Net's ensembling: the softmax probabilities of every member are averaged): the
    /// function that predicts a batch of tiles and the test-time mirroring configured for it. Each tile's probabilities are
    /// the mean over members of each member's mean over its own mirrorings, accumulated tile by tile, so an ensemble needs
    /// the memory of one network's prediction (plus every member's weights), not one probability volume per member.
    /// </summary>
    public sealed class EnsembleMember
    {
        /// <summary>A member predicting with <paramref name="predict"/>, averaged over every mirroring of <paramref name="mirrorAxes"/>.</summary>
        public EnsembleMember(PatchPredictor predict, IEnumerable<int> mirrorAxes)
        {
            Predict = predict;
            MirrorAxes = mirrorAxes.ToArray();
        }

        /// <summary>The network: tiles (B, C, D, H, W) to logits (B, classes, D, H, W).</summary>
        public PatchPredictor Predict { get; }

        /// <summary>Its test-time mirroring axes (0 = D, 1 = H, 2 = W; empty: none).</summary>
        public IReadOnlyList<int> MirrorAxes { get; }
    }
}
