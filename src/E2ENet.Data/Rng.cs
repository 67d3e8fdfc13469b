using System;
using System.Collections.Generic;

namespace E2ENet.Data
{
    /// <summary>
    /// A small deterministic random generator (xoshiro256**, seeded through SplitMix64): the same seed gives the same
    /// numbers on every platform and runtime, which System.Random does not promise. Not thread-safe: one per worker.
    /// </summary>
    public sealed class Rng
    {
        private ulong _s0, _s1, _s2, _s3;
        private double? _spareNormal;

        /// <summary>Creates a generator from a seed.</summary>
        public Rng(ulong seed)
        {
            ulong x = seed;
            _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
        }

        /// <summary>A generator for stream <paramref name="a"/>, item <paramref name="b"/> of a seed: independent, reproducible streams.</summary>
        public static Rng For(long seed, long a, long b = 0)
        {
            ulong x = (ulong)seed;
            ulong h = SplitMix(ref x) ^ (ulong)a * 0x9E3779B97F4A7C15UL;
            h = SplitMix(ref h) ^ (ulong)b * 0xC2B2AE3D27D4EB4FUL;
            return new Rng(SplitMix(ref h));
        }

        private static ulong SplitMix(ref ulong x)
        {
            ulong z = x += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>The next 64 random bits.</summary>
        public ulong NextUInt64()
        {
            ulong result = RotateLeft(_s1 * 5, 7) * 9;
            ulong t = _s1 << 17;
            _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3; _s2 ^= t;
            _s3 = RotateLeft(_s3, 45);
            return result;
        }

        private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

        /// <summary>Uniform in [0, 1).</summary>
        public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

        /// <summary>Uniform in [low, high).</summary>
        public double Uniform(double low, double high) => low + (high - low) * NextDouble();

        /// <summary>Uniform integer in [0, count).</summary>
        public int Next(int count)
        {
            if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count));
            return (int)(NextDouble() * count);
        }

        /// <summary>Uniform integer in [low, high] (both included).</summary>
        public int NextInclusive(int low, int high) => low + Next(high - low + 1);

        /// <summary>True with probability <paramref name="p"/>.</summary>
        public bool Chance(double p) => p > 0 && NextDouble() < p;

        /// <summary>Shuffles <paramref name="items"/> in place (Fisher-Yates, from the last item down).</summary>
        public void Shuffle<T>(IList<T> items)
        {
            for (int i = items.Count - 1; i > 0; i--)
            {
                int j = Next(i + 1);
                (items[i], items[j]) = (items[j], items[i]);
            }
        }

        /// <summary>Standard normal (Box-Muller).</summary>
        public double Normal()
        {
            if (_spareNormal is double spare) { _spareNormal = null; return spare; }
            double u, v, s;
            do { u = 2 * NextDouble() - 1; v = 2 * NextDouble() - 1; s = u * u + v * v; } while (s >= 1 || s == 0);
            double f = Math.Sqrt(-2 * Math.Log(s) / s);
            _spareNormal = v * f;
            return u * f;
        }
    }
}
