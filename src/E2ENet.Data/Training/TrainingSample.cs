using System;
using E2ENet.Compiler.Semantics;

namespace E2ENet.Data.Training
{
    /// <summary>
    /// One training patch while it is being augmented: image (C, D, H, W) float32 and label (D, H, W) int16, C order.
    /// Labels are 0..K-1, and -1 for "outside" (beyond the volume or its non-zero region) until the end of the
    /// pipeline, where -1 becomes background 0 as in nnU-Net.
    /// </summary>
    public sealed class TrainingSample
    {
        /// <summary>Creates a sample.</summary>
        public TrainingSample(string caseName, int channels, Int3 patch, float[] image, short[] label)
        {
            CaseName = caseName;
            Channels = channels;
            Patch = patch;
            Image = image;
            Label = label;
        }

        /// <summary>The case it was cut from.</summary>
        public string CaseName { get; }

        /// <summary>Input channels.</summary>
        public int Channels { get; }

        /// <summary>(D, H, W).</summary>
        public Int3 Patch { get; }

        /// <summary>Image values, (C, D, H, W).</summary>
        public float[] Image { get; set; }

        /// <summary>Labels, (D, H, W).</summary>
        public short[] Label { get; set; }

        /// <summary>Voxels per channel.</summary>
        public int Voxels => (int)Patch.Volume;

        /// <summary>Channel <paramref name="c"/> as a span.</summary>
        public Span<float> Channel(int c) => Image.AsSpan(c * Voxels, Voxels);
    }
}
