using System;
using System.Threading;

namespace E2ENet.Compiler.Host
{
    /// <summary>
    /// Lets parallel work start only while the estimates of what is running fit in a budget: <see cref="Enter"/> waits until the
    /// bytes asked for are free (one piece of work always runs, so a lone item larger than the budget is the caller's to refuse).
    /// Two large cases then run one after the other instead of together past the limit.
    /// </summary>
    public sealed class MemoryGate
    {
        private readonly object _lock = new object();
        private readonly long _budget;
        private long _inUse;
        private int _running;

        /// <summary>A gate over <paramref name="budget"/> bytes.</summary>
        public MemoryGate(long budget) => _budget = budget;

        /// <summary>Waits until <paramref name="bytes"/> fit beside what runs; dispose the result when the work is done.</summary>
        public IDisposable Enter(long bytes, CancellationToken cancellation = default)
        {
            lock (_lock)
            {
                while (_running > 0 && _inUse + bytes > _budget)
                {
                    cancellation.ThrowIfCancellationRequested();
                    Monitor.Wait(_lock, 200);
                }
                _inUse += bytes;
                _running++;
            }
            return new Ticket(this, bytes);
        }

        private void Leave(long bytes)
        {
            lock (_lock)
            {
                _inUse -= bytes;
                _running--;
                Monitor.PulseAll(_lock);
            }
        }

        private sealed class Ticket : IDisposable
        {
            private MemoryGate? _gate;
            private readonly long _bytes;

            public Ticket(MemoryGate gate, long bytes)
            {
                _gate = gate;
                _bytes = bytes;
            }

            public void Dispose()
            {
                _gate?.Leave(_bytes);
                _gate = null;
            }
        }
    }
}
