using System;
using System.Linq;
using E2ENet.Compiler.Semantics;
using TorchSharp;

namespace E2ENet.Data.Inference
{
    /// <summary>Settings of sliding-window inference (nnU-Net's defaults; <see cref="FromModel"/> reads a model's inference section).</summary>
    public sealed class SlidingWindowOptions
    {
        /// <summary>The patch (tile) size (D, H, W): the network's training patch.</summary>
        public Int3 Patch { get; init; }

        /// <summary>Step between tiles as a fraction of the patch (0.5: tiles overlap by half).</summary>
        public double Step { get; init; } = 0.5;

        /// <summary>Gaussian importance sigma as a fraction of the patch (1/8).</summary>
        public double SigmaScale { get; init; } = 0.125;

        /// <summary>Test-time mirroring axes (0 = D, 1 = H, 2 = W): every subset is predicted and the softmaxes averaged (8 passes for 3 axes).</summary>
        public int[] MirrorAxes { get; init; } = { 0, 1, 2 };

        /// <summary>Weigh tiles by the Gaussian importance map (nnU-Net: yes); false: a plain average.</summary>
        public bool UseGaussian { get; init; } = true;

        /// <summary>Where tiles are sent and results accumulated (CPU when null).</summary>
        public torch.Device? Device { get; init; }

        /// <summary>The options a model's spec implies: its patch, <c>inference.step</c>, <c>inference.sigma</c>, <c>inference.mirror</c>.</summary>
        public static SlidingWindowOptions FromModel(ModelSpec spec, torch.Device? device = null) => new SlidingWindowOptions
        {
            Patch = spec.Input.Patch,
            Step = spec.Inference.Step,
            SigmaScale = spec.Inference.Sigma,
            MirrorAxes = spec.Inference.MirrorAxes.ToArray(),
            Device = device,
        };

        internal void Validate()
        {
            if (Patch.D < 1 || Patch.H < 1 || Patch.W < 1) throw new DataException(DataErrors.InvalidSettings, null, "the patch must be positive on every axis: " + Patch);
            if (!(Step > 0 && Step <= 1)) throw new DataException(DataErrors.InvalidSettings, null, $"the step is {Step}; it must be in (0, 1] (a fraction of the patch)");
            if (!(SigmaScale > 0)) throw new DataException(DataErrors.InvalidSettings, null, $"the Gaussian sigma scale is {SigmaScale}; it must be positive");
            if (MirrorAxes.Any(a => a < 0 || a > 2) || MirrorAxes.Distinct().Count() != MirrorAxes.Length)
                throw new DataException(DataErrors.InvalidSettings, null, "mirror axes must be distinct values among 0, 1, 2");
        }
    }
}
