using System;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Preprocessing;

namespace E2ENet.Data.Training.Augmentations
{
    /// <summary>Additive Gaussian noise (batchgenerators' GaussianNoiseTransform: the value drawn from the range is used as the standard deviation, as there).</summary>
    public static class GaussianNoise
    {
        /// <summary>Applies it with the spec's probability (per sample, all channels).</summary>
        public static bool Apply(TrainingSample sample, AugmentationSpec spec, Rng rng)
        {
            if (!rng.Chance(spec.Probability)) return false;
            double sd = rng.Uniform(spec.Range.Min, spec.Range.Max);
            for (int n = 0; n < sample.Image.Length; n++) sample.Image[n] += (float)(sd * rng.Normal());
            return true;
        }
    }

    /// <summary>Gaussian blur (nnU-Net v1: per sample with p, then per channel with p 0.5, a sigma per channel from the range; scipy's gaussian_filter, reflect borders, truncated at 4 sigma).</summary>
    public static class GaussianBlur
    {
        /// <summary>Applies it.</summary>
        public static bool Apply(TrainingSample sample, AugmentationSpec spec, Rng rng)
        {
            if (!rng.Chance(spec.Probability)) return false;
            for (int c = 0; c < sample.Channels; c++)
            {
                if (!rng.Chance(0.5)) continue;
                double sigma = rng.Uniform(spec.Range.Min, spec.Range.Max);
                Filter(sample.Channel(c), sample.Patch, sigma);
            }
            return true;
        }

        /// <summary>Blurs one channel in place with a Gaussian of <paramref name="sigma"/> voxels on every axis.</summary>
        public static void Filter(Span<float> data, Int3 shape, double sigma) => Filter(data, shape, sigma, sigma, sigma);

        /// <summary>Blurs one channel in place with a Gaussian of its own sigma (voxels) per axis; an axis with sigma 0 is left alone.</summary>
        public static void Filter(Span<float> data, Int3 shape, double sigmaD, double sigmaH, double sigmaW)
        {
            for (int axis = 0; axis < 3; axis++)
            {
                double sigma = axis == 0 ? sigmaD : axis == 1 ? sigmaH : sigmaW;
                if (!(sigma > 0)) continue;
                int radius = (int)(4 * sigma + 0.5);
                var kernel = new double[2 * radius + 1];
                double sum = 0;
                for (int i = -radius; i <= radius; i++) sum += kernel[i + radius] = Math.Exp(-0.5 * i * i / (sigma * sigma));
                for (int i = 0; i < kernel.Length; i++) kernel[i] /= sum;
                int length = shape[axis];
                long stride = axis == 0 ? (long)shape.H * shape.W : axis == 1 ? shape.W : 1;
                var line = new float[length];
                for (long start = 0; start < data.Length; start++)
                {
                    long along = axis == 0 ? start / stride : axis == 1 ? start / shape.W % shape.H : start % shape.W;
                    if (along != 0) continue;
                    for (int i = 0; i < length; i++) line[i] = data[(int)(start + i * stride)];
                    for (int i = 0; i < length; i++)
                    {
                        double value = 0;
                        for (int k = -radius; k <= radius; k++) value += kernel[k + radius] * line[Reflect(i + k, length)];
                        data[(int)(start + i * stride)] = (float)value;
                    }
                }
            }
        }

        /// <summary>scipy's 'reflect' mode: d c b a | a b c d | d c b a.</summary>
        private static int Reflect(int i, int n)
        {
            if (n == 1) return 0;
            int period = 2 * n;
            i %= period;
            if (i < 0) i += period;
            return i < n ? i : period - 1 - i;
        }
    }

    /// <summary>Multiplicative brightness (per channel, a factor from the range).</summary>
    public static class Brightness
    {
        /// <summary>Applies it.</summary>
        public static bool Apply(TrainingSample sample, AugmentationSpec spec, Rng rng)
        {
            if (!rng.Chance(spec.Probability)) return false;
            for (int c = 0; c < sample.Channels; c++)
            {
                float factor = (float)rng.Uniform(spec.Range.Min, spec.Range.Max);
                Span<float> channel = sample.Channel(c);
                for (int n = 0; n < channel.Length; n++) channel[n] *= factor;
            }
            return true;
        }
    }

    /// <summary>Contrast (per channel: (x - mean) x factor + mean, clipped to the channel's former range; the factor drawn below 1 half the time).</summary>
    public static class Contrast
    {
        /// <summary>Applies it.</summary>
        public static bool Apply(TrainingSample sample, AugmentationSpec spec, Rng rng)
        {
            if (!rng.Chance(spec.Probability)) return false;
            for (int c = 0; c < sample.Channels; c++)
            {
                double factor = rng.NextDouble() < 0.5 && spec.Range.Min < 1 ? rng.Uniform(spec.Range.Min, 1) : rng.Uniform(Math.Max(spec.Range.Min, 1), spec.Range.Max);
                Span<float> channel = sample.Channel(c);
                double mean = 0;
                float min = float.MaxValue, max = float.MinValue;
                foreach (float v in channel) { mean += v; if (v < min) min = v; if (v > max) max = v; }
                mean /= channel.Length;
                for (int n = 0; n < channel.Length; n++) channel[n] = Math.Clamp((float)((channel[n] - mean) * factor + mean), min, max);
            }
            return true;
        }
    }

    /// <summary>
    /// Low-resolution simulation (per sample with p, per channel with p 0.5, a zoom from the range per channel):
    /// downsample with nearest neighbour to round(shape x zoom), upsample back with cubic splines. The depth axis is
    /// left alone for anisotropic data (nnU-Net's ignore_axes).
    /// </summary>
    public static class LowResolution
    {
        /// <summary>Applies it.</summary>
        public static bool Apply(TrainingSample sample, AugmentationSpec spec, bool keepDepth, Rng rng)
        {
            if (!rng.Chance(spec.Probability)) return false;
            Int3 patch = sample.Patch;
            for (int c = 0; c < sample.Channels; c++)
            {
                if (!rng.Chance(0.5)) continue;
                double zoom = rng.Uniform(spec.Range.Min, spec.Range.Max);
                var low = new Int3(keepDepth ? patch.D : Math.Max(1, (int)Math.Round(patch.D * zoom)), Math.Max(1, (int)Math.Round(patch.H * zoom)), Math.Max(1, (int)Math.Round(patch.W * zoom)));
                float[] channel = sample.Channel(c).ToArray();
                float[] down = Resampler.Resize(channel, patch, low, Interpolation.Nearest);
                float[] up = Resampler.Resize(down, low, patch, Interpolation.Cubic);
                up.CopyTo(sample.Channel(c));
            }
            return true;
        }
    }

    /// <summary>
    /// Gamma (nnU-Net v1's second gamma transform: not inverted, one gamma for the whole sample, statistics retained):
    /// x = ((x - min) / (range + 1e-7))^gamma x range + min, then the former mean and standard deviation restored.
    /// The gamma is drawn below 1 half the time.
    /// </summary>
    public static class Gamma
    {
        /// <summary>Applies it.</summary>
        public static bool Apply(TrainingSample sample, AugmentationSpec spec, Rng rng)
        {
            if (!rng.Chance(spec.Probability)) return false;
            double gamma = rng.NextDouble() < 0.5 && spec.Range.Min < 1 ? rng.Uniform(spec.Range.Min, 1) : rng.Uniform(Math.Max(spec.Range.Min, 1), spec.Range.Max);
            float[] x = sample.Image;
            double mean = 0, min = double.MaxValue, max = double.MinValue;
            foreach (float v in x) { mean += v; if (v < min) min = v; if (v > max) max = v; }
            mean /= x.Length;
            double sd = 0;
            foreach (float v in x) sd += (v - mean) * (v - mean);
            sd = Math.Sqrt(sd / x.Length);
            double range = max - min;
            for (int n = 0; n < x.Length; n++) x[n] = (float)(Math.Pow((x[n] - min) / (range + 1e-7), gamma) * range + min);
            double newMean = 0, newSd = 0;
            foreach (float v in x) newMean += v;
            newMean /= x.Length;
            foreach (float v in x) newSd += (v - newMean) * (v - newMean);
            newSd = Math.Sqrt(newSd / x.Length);
            for (int n = 0; n < x.Length; n++) x[n] = (float)((x[n] - newMean) / (newSd + 1e-8) * sd + mean);
            return true;
        }
    }

    /// <summary>Mirroring: each allowed axis flipped with the spec's probability, image and label together.</summary>
    public static class Mirror
    {
        /// <summary>Applies it; returns the axes flipped.</summary>
        public static bool Apply(TrainingSample sample, double probability, System.Collections.Generic.IReadOnlyList<int> axes, Rng rng)
        {
            bool any = false;
            foreach (int axis in axes)
            {
                if (!rng.Chance(probability)) continue;
                any = true;
                for (int c = 0; c < sample.Channels; c++) Flip(sample.Channel(c), sample.Patch, axis);
                Flip<short>(sample.Label, sample.Patch, axis);
            }
            return any;
        }

        /// <summary>Flips a C-order 3D array along <paramref name="axis"/> in place.</summary>
        public static void Flip<T>(Span<T> data, Int3 shape, int axis)
        {
            long stride = axis == 0 ? (long)shape.H * shape.W : axis == 1 ? shape.W : 1;
            int length = shape[axis];
            for (int n = 0; n < data.Length; n++)
            {
                long along = axis == 0 ? n / stride : axis == 1 ? n / shape.W % shape.H : n % shape.W;
                if (along >= length / 2) continue;
                int other = (int)(n + (length - 1 - 2 * along) * stride);
                (data[n], data[other]) = (data[other], data[n]);
            }
        }
    }
}
