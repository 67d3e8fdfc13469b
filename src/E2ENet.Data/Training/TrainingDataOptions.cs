using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Preprocessing;

namespace E2ENet.Data.Training
{
    /// <summary>
    /// Everything the batch loader needs: patch, batch, oversampling, augmentations, deep-supervision sizes, seed and
    /// workers. <see cref="FromModel"/> takes them from a model's spec and network IR (the training section and the
    /// heads), so a model file switches each augmentation on or off.
    /// </summary>
    public sealed class TrainingDataOptions
    {
        /// <summary>Patch (D, H, W).</summary>
        public Int3 Patch { get; init; }

        /// <summary>Patches per batch.</summary>
        public int Batch { get; init; } = 2;

        /// <summary>Share of each batch forced to contain foreground (nnU-Net: the last round(B x share) samples).</summary>
        public double Oversample { get; init; } = 0.33;

        /// <summary>The augmentations and their probabilities (a model's <c>training.augment</c>).</summary>
        public AugmentSpec Augment { get; init; } = Defaults;

        /// <summary>Rotate only around the depth axis (nnU-Net's "dummy 2D" augmentation for anisotropic data); null: from the plan.</summary>
        public bool? InPlaneRotationOnly { get; init; }

        /// <summary>Sizes of the deep-supervision targets, full resolution first (a network's head sizes); empty: only the full-resolution label.</summary>
        public IReadOnlyList<Int3> TargetSizes { get; init; } = Array.Empty<Int3>();

        /// <summary>Seed: the same seed gives the same batches in the same order, whatever the number of workers.</summary>
        public long Seed { get; init; } = 12345;

        /// <summary>Background workers building batches (default 2: the machine's cores while the network computes).</summary>
        public int Workers { get; init; } = 2;

        /// <summary>Batches prepared ahead at most (a bounded queue).</summary>
        public int Prefetch { get; init; } = 4;

        /// <summary>nnU-Net's default augmentation (the language's defaults).</summary>
        public static AugmentSpec Defaults { get; } = new AugmentSpec(
            new AugmentationSpec(0.2, new RealRange(-30, 30)), new AugmentationSpec(0.2, new RealRange(0.7, 1.4)),
            new AugmentationSpec(0.1, new RealRange(0, 0.1)), new AugmentationSpec(0.2, new RealRange(0.5, 1)),
            new AugmentationSpec(0.15, new RealRange(0.75, 1.25)), new AugmentationSpec(0.15, new RealRange(0.75, 1.25)),
            new AugmentationSpec(0.25, new RealRange(0.5, 1)), new AugmentationSpec(0.3, new RealRange(0.7, 1.5)),
            0.5, new EquatableArray<int>(new[] { 0, 1, 2 }));

        /// <summary>No augmentation at all.</summary>
        public static AugmentSpec None { get; } = new AugmentSpec(
            Off(Defaults.Rotation), Off(Defaults.Scaling), Off(Defaults.Noise), Off(Defaults.Blur), Off(Defaults.Brightness), Off(Defaults.Contrast),
            Off(Defaults.LowResolution), Off(Defaults.Gamma), 0, new EquatableArray<int>(Array.Empty<int>()));

        private static AugmentationSpec Off(AugmentationSpec spec) => spec with { Probability = 0 };

        /// <summary>The options a model implies: patch, batch, oversampling, augmentations, and its heads' sizes as deep-supervision targets.</summary>
        public static TrainingDataOptions FromModel(ModelSpec spec, NetworkIr network, long seed = 12345, int workers = 2) => new TrainingDataOptions
        {
            Patch = spec.Input.Patch,
            Batch = spec.Training.Batch,
            Oversample = spec.Training.Oversample,
            Augment = spec.Training.Augment,
            TargetSizes = network.Heads.OrderBy(h => h.Index).Select(h => h.Size).ToList(),
            Seed = seed,
            Workers = workers,
        };

        /// <summary>
        /// An estimate of what the loader holds at once, in bytes, for images of <paramref name="channels"/> channels: the batches
        /// queued and being built (image, label and one target per deep-supervision size, float32) and each worker's
        /// augmentation scratch (the sampled region before the spatial transform, up to twice the patch per axis).
        /// </summary>
        public long MemoryBytes(int channels)
        {
            double patch = Patch.Volume;
            double batches = Prefetch + 2.0 * Workers + 1;
            double perBatch = Batch * patch * (4.0 * channels + 2 + 4.0 * Math.Max(1, TargetSizes.Count));
            double scratch = Workers * 8.0 * patch * 4.0 * (channels + 1);
            double total = batches * perBatch + scratch;
            return total >= long.MaxValue ? long.MaxValue : (long)total;
        }

        internal void Validate()
        {
            if (Patch.D < 1 || Patch.H < 1 || Patch.W < 1) throw new DataException(DataErrors.InvalidSettings, null, "the patch must be positive on every axis: " + Patch);
            if (Batch < 1) throw new DataException(DataErrors.InvalidSettings, null, "the batch must hold at least one patch");
            if (!(Oversample >= 0 && Oversample <= 1)) throw new DataException(DataErrors.InvalidSettings, null, "oversample is a share in [0, 1]");
            if (Workers < 1 || Prefetch < 1) throw new DataException(DataErrors.InvalidSettings, null, "workers and prefetch must be at least 1");
            foreach (Int3 size in TargetSizes)
                if (size.D < 1 || size.H < 1 || size.W < 1 || size.D > Patch.D || size.H > Patch.H || size.W > Patch.W)
                    throw new DataException(DataErrors.InvalidSettings, null, $"deep-supervision size {size} must be positive and at most the patch {Patch}");
        }
    }
}
