using System;
using System.Collections;
using System.Collections.Generic;

namespace E2ENet.Compiler
{
    /// <summary>
    /// An immutable array with value equality, so that records holding lists compare by content.
    /// (Source-generator pipelines cache on equality; plain arrays compare by reference.)
    /// </summary>
    public readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
    {
        private readonly T[]? _items;

        /// <summary>Wraps <paramref name="items"/>; the caller must not change the array afterwards.</summary>
        public EquatableArray(T[] items) => _items = items;

        /// <summary>An empty array.</summary>
        public static EquatableArray<T> Empty => new EquatableArray<T>(Array.Empty<T>());

        /// <summary>The number of items.</summary>
        public int Count => _items?.Length ?? 0;

        /// <summary>The item at <paramref name="index"/>.</summary>
        public T this[int index] => (_items ?? Array.Empty<T>())[index];

        /// <summary>A copy of the items.</summary>
        public T[] ToArray() => _items == null ? Array.Empty<T>() : (T[])_items.Clone();

        /// <inheritdoc />
        public bool Equals(EquatableArray<T> other)
        {
            T[] a = _items ?? Array.Empty<T>();
            T[] b = other._items ?? Array.Empty<T>();
            if (a.Length != b.Length) return false;
            EqualityComparer<T> comparer = EqualityComparer<T>.Default;
            for (int i = 0; i < a.Length; i++)
            {
                if (!comparer.Equals(a[i], b[i])) return false;
            }
            return true;
        }

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

        /// <inheritdoc />
        public override int GetHashCode()
        {
            unchecked
            {
                int hash = 17;
                if (_items == null) return hash;
                EqualityComparer<T> comparer = EqualityComparer<T>.Default;
                foreach (T item in _items) hash = hash * 31 + (item == null ? 0 : comparer.GetHashCode(item));
                return hash;
            }
        }

        /// <summary>Value equality.</summary>
        public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

        /// <summary>Value inequality.</summary>
        public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);

        /// <inheritdoc />
        public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(_items ?? Array.Empty<T>())).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        /// <summary>Items separated by ", ".</summary>
        public override string ToString() => string.Join(", ", _items ?? Array.Empty<T>());
    }

    /// <summary>Helpers to build <see cref="EquatableArray{T}"/>.</summary>
    public static class EquatableArray
    {
        /// <summary>Copies <paramref name="items"/> into an equatable array.</summary>
        public static EquatableArray<T> From<T>(IEnumerable<T> items) => new EquatableArray<T>(new List<T>(items).ToArray());

        /// <summary>An equatable array of the given items.</summary>
        public static EquatableArray<T> Of<T>(params T[] items) => new EquatableArray<T>((T[])items.Clone());
    }
}
