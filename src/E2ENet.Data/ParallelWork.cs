using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks;

namespace E2ENet.Data
{
    /// <summary>Parallel loops that surface the first <see cref="DataException"/> itself rather than an AggregateException.</summary>
    internal static class ParallelWork
    {
        public static void For(int count, ParallelOptions options, Action<int> body)
        {
            try { Parallel.For(0, count, options, body); }
            catch (AggregateException e) { Rethrow(e); throw; }
        }

        public static void ForEach<T>(IEnumerable<T> items, ParallelOptions options, Action<T> body)
        {
            try { Parallel.ForEach(items, options, body); }
            catch (AggregateException e) { Rethrow(e); throw; }
        }

        private static void Rethrow(AggregateException e)
        {
            Exception inner = e.Flatten().InnerExceptions.FirstOrDefault(x => x is DataException) ?? e.Flatten().InnerExceptions.First();
            ExceptionDispatchInfo.Capture(inner).Throw();
        }
    }
}
