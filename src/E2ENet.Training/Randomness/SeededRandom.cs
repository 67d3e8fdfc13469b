using System;

namespace E2ENet.Training.Randomness
{
    /// <summary>
    /// A small, fast, platform-independent pseudo-random generator (xoshiro256** seeded by SplitMix64) whose whole state is
    /// four integers, so that it is saved in checkpoints and a resumed run draws exactly what the uninterrupted run would.
    /// </summary>
    public sealed class SeededRandom
    {
        private ulong _s0, _s1, _s2, _s3;

        /// <summary>Seeds the generator.</summary>
        public SeededRandom(ulong seed)
        {
            ulong x = seed;
            _s0 = SplitMix(ref x);
            _s1 = SplitMix(ref x);
            _s2 = SplitMix(ref x);
            _s3 = SplitMix(ref x);
        }

        private SeededRandom(ulong[] state)
        {
            if (state.Length != 4) throw new ArgumentException("a SeededRandom state has 4 words", nameof(state));
            _s0 = state[0];
            _s1 = state[1];
            _s2 = state[2];
            _s3 = state[3];
        }

        /// <summary>The state, to save.</summary>
        public ulong[] State => new[] { _s0, _s1, _s2, _s3 };

        /// <summary>A generator that continues from a saved state.</summary>
        public static SeededRandom FromState(ulong[] state) => new SeededRandom(state);

        /// <summary>A generator for a named sub-stream (independent of the order in which streams are created).</summary>
        public static SeededRandom Derive(ulong seed, string stream)
        {
            ulong hash = 1469598103934665603UL;
            foreach (char c in stream)
            {
                hash ^= c;
                hash *= 1099511628211UL;
            }
            return new SeededRandom(seed ^ hash);
        }

        /// <summary>The next 64 random bits.</summary>
        public ulong NextUInt64()
        {
            ulong result = RotateLeft(_s1 * 5, 7) * 9;
            ulong t = _s1 << 17;
            _s2 ^= _s0;
            _s3 ^= _s1;
            _s1 ^= _s2;
            _s0 ^= _s3;
            _s2 ^= t;
            _s3 = RotateLeft(_s3, 45);
            return result;
        }

        /// <summary>A uniform double in [0, 1).</summary>
        public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

        /// <summary>A uniform integer in [0, <paramref name="bound"/>), without modulo bias.</summary>
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

        /// <summary>
        /// <paramref name="count"/> distinct items of <paramref name="items"/>, uniformly at random (a partial Fisher-Yates
        /// shuffle of a copy; the input is not changed).
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

        private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

        private static ulong SplitMix(ref ulong x)
        {
            ulong z = x += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
