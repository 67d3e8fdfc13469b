using System;
using System.Collections.Generic;
using System.Linq;

namespace E2ENet.Compiler.Semantics
{
    /// <summary>"Did you mean ...?" for misspelt keys, choices and model names.</summary>
    public static class Suggestions
    {
        /// <summary>The closest candidate to <paramref name="word"/>, or null when none is close.</summary>
        public static string? Closest(string word, IEnumerable<string> candidates)
        {
            string? best = null;
            int bestDistance = int.MaxValue;
            int limit = Math.Max(1, Math.Min(3, word.Length / 3));
            foreach (string candidate in candidates.Distinct())
            {
                if (string.Equals(candidate, word, StringComparison.OrdinalIgnoreCase)) return candidate;
                // Long words cannot be close to short ones: skip the quadratic work.
                if (Math.Abs(candidate.Length - word.Length) > limit) continue;
                int distance = Distance(word.ToLowerInvariant(), candidate.ToLowerInvariant(), limit);
                if (distance <= limit && distance < bestDistance)
                {
                    best = candidate;
                    bestDistance = distance;
                }
            }
            return best;
        }

        /// <summary><c>"; did you mean 'x'?"</c>, or an empty string.</summary>
        public static string DidYouMean(string word, IEnumerable<string> candidates)
        {
            string? closest = Closest(word, candidates);
            return closest == null ? string.Empty : $"; did you mean '{closest}'?";
        }

        /// <summary>Optimal-string-alignment distance (edits, with transpositions), capped at <paramref name="limit"/> + 1.</summary>
        public static int Distance(string a, string b, int limit = int.MaxValue - 1)
        {
            if (a.Length > 256 || b.Length > 256) return a == b ? 0 : int.MaxValue;
            var d = new int[a.Length + 1, b.Length + 1];
            for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
            for (int j = 0; j <= b.Length; j++) d[0, j] = j;
            for (int i = 1; i <= a.Length; i++)
            {
                int rowMin = int.MaxValue;
                for (int j = 1; j <= b.Length; j++)
                {
                    int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    int value = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                    if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) value = Math.Min(value, d[i - 2, j - 2] + 1);
                    d[i, j] = value;
                    rowMin = Math.Min(rowMin, value);
                }
                if (rowMin > limit) return limit + 1;
            }
            return d[a.Length, b.Length];
        }
    }
}
