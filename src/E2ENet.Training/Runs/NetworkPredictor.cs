using System;
using System.Collections.Generic;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Inference;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Volumes;
using E2ENet.Torch;
using static TorchSharp.torch;

namespace E2ENet.Training.Runs
{
    /// <summary>
    /// Segmentation with a TorchSharp network, generated (<c>new SpleenNet()</c>) or built at run time: the sliding window of
    /// <see cref="CasePredictor"/> (nnU-Net's: the plan's preprocessing, Gaussian-weighted tiles, mirroring) around the
    /// network's <c>forward</c>. The final validation of a training and the quickstart predict this way.
    /// </summary>
    public static class NetworkPredictor
    {
        /// <summary>
        /// The patch predictor of <paramref name="network"/>: the logits of its full-resolution head, without gradients. The
        /// network is switched to evaluation mode; tiles come on the device of the window's options (the network's).
        /// </summary>
        public static PatchPredictor Patches(IE2ENetNetwork network)
        {
            if (network is null) throw new ArgumentNullException(nameof(network));
            network.Module.eval();
            return input =>
            {
                using (no_grad()) return network.forward(input);
            };
        }

        /// <summary>
        /// Segments one case (one file per channel) into <paramref name="outputFile"/> (atomically, on the first image's grid)
        /// and returns the label volume.
        /// </summary>
        /// <param name="network">The network, on <paramref name="device"/>.</param>
        /// <param name="images">The case's channel files, in the model's channel order.</param>
        /// <param name="outputFile">The label file to write (.nii.gz, .mhd, .nrrd ...).</param>
        /// <param name="plan">The preprocessing plan the network was trained with (a run's plan.json).</param>
        /// <param name="spec">The model whose inference settings (step, mirroring) apply; null: the network's own.</param>
        /// <param name="device">Where the tiles are computed (null: the CPU).</param>
        public static Volume PredictCase(IE2ENetNetwork network, IReadOnlyList<string> images, string outputFile, PreprocessingPlan plan, ModelSpec? spec = null, Device? device = null)
        {
            if (network is null) throw new ArgumentNullException(nameof(network));
            return CasePredictor.PredictFiles(images, outputFile, plan, Patches(network), SlidingWindowOptions.FromModel(spec ?? network.Network.Spec, device));
        }
    }
}
