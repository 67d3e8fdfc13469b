using System;
using System.Linq;

namespace E2ENet.Data.Tests
{
    /// <summary>
    /// The one seeded generator draws fixed numbers: runs, checkpoints and resumes of earlier versions depend on them (the
    /// expected values were drawn by the training library's former copy of this generator, before the two were merged).
    /// </summary>
    public class RngTests
    {
        [Fact]
        public void Named_streams_draw_the_numbers_they_always_drew()
        {
            Assert.Equal(new[] { 11, 18, 9, 4, 17, 7, 10, 19 }, Rng.Derive(7, "topology").Choose(Enumerable.Range(0, 20).ToArray(), 8));
            Assert.Equal(new[] { 83, 86, 16, 89, 44 }, new Rng(12345).Choose(Enumerable.Range(0, 100).ToArray(), 5));
            Rng evolve = Rng.Derive(3, "evolve/40");
            Assert.Equal(14257812635719812327UL, evolve.NextUInt64());
            Assert.Equal(382029L, evolve.NextInt64(1000003));
        }

        [Fact]
        public void Derived_streams_depend_on_the_name_and_the_seed_only()
        {
            Assert.Equal(Rng.Derive(5, "a").NextUInt64(), Rng.Derive(5, "a").NextUInt64());
            Assert.NotEqual(Rng.Derive(5, "a").NextUInt64(), Rng.Derive(5, "b").NextUInt64());
            Assert.NotEqual(Rng.Derive(5, "a").NextUInt64(), Rng.Derive(6, "a").NextUInt64());
        }

        [Fact]
        public void Choose_takes_distinct_items_and_leaves_the_input_alone()
        {
            int[] items = Enumerable.Range(100, 50).ToArray();
            int[] chosen = new Rng(1).Choose(items, 50);
            Assert.Equal(items.OrderBy(i => i), chosen.OrderBy(i => i));
            Assert.Equal(Enumerable.Range(100, 50), items);
            Assert.Empty(new Rng(1).Choose(items, 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => new Rng(1).Choose(items, 51));
            Assert.Throws<ArgumentOutOfRangeException>(() => new Rng(1).NextInt64(0));
        }

        [Fact]
        public void Bounded_integers_stay_in_range_and_cover_it()
        {
            var rng = new Rng(2);
            var seen = new bool[7];
            for (int i = 0; i < 500; i++)
            {
                long v = rng.NextInt64(7);
                Assert.InRange(v, 0, 6);
                seen[v] = true;
            }
            Assert.All(seen, Assert.True);
        }
    }
}
