using System;
using System.Collections.Generic;

namespace E2ENet.Data
{
    /// <summary>
    /// The one deterministic random generator of E2ENet (xoshiro256**, seeded through SplitMix64): the same seed gives the
    /// same numbers on every platform and runtime, which System.Random does not promise. Data augmentation, patch sampling and
    /// synthetic data use it, and so does training (sparse topologies, their evolution), where a resumed run must draw exactly
    /// what the uninterrupted run drew: each draw there comes from a stream derived from the seed and a name
    /// (<see cref="Derive"/>), so nothing but the seed needs saving. Not thread-safe: one per worker.
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

        /// <summary>
        /// A generator for the named stream <paramref name="stream"/> of <paramref name="seed"/> (the seed xor the stream's
        /// FNV-1a hash): independent of the order in which streams are created, so a resumed run derives the same ones.
        /// </summary>
        public static Rng Derive(ulong seed, string stream)
        {
            ulong hash = 1469598103934665603UL;
            foreach (char c in stream)
            {
                hash ^= c;
                hash *= 1099511628211UL;
            }
            return new Rng(seed ^ hash);
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

        /// <summary>Uniform integer in [0, <paramref name="bound"/>), without modulo bias (rejection sampling).</summary>
        public long NextInt64(long bound)
        {
            if (bound <= 0) throw new ArgumentOutOfRangeException(nameof(bound));
            ulong limit = (ulong)bound;
            ulong threshold = (0UL - limit) % limit;
            while (true)
            {
                ulong r = NextUInt64();
                if (r >= threshold) return (long)(r % limit);
            }
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

        /// <summary>
        /// <paramref name="count"/> distinct items of <paramref name="items"/>, uniformly at random (a partial Fisher-Yates
        /// shuffle of a copy, drawing with <see cref="NextInt64"/>; the input is not changed).
        /// </summary>
        public int[] Choose(int[] items, int count)
        {
            if (count < 0 || count > items.Length) throw new ArgumentOutOfRangeException(nameof(count));
            int[] pool = (int[])items.Clone();
            for (int i = 0; i < count; i++)
            {
                int j = i + (int)NextInt64(pool.Length - i);
                (pool[i], pool[j]) = (pool[j], pool[i]);
            }
            var chosen = new int[count];
            Array.Copy(pool, chosen, count);
            return chosen;
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
