using System;
using System.Runtime;

namespace E2ENet.Data.Inference
{
    /// <summary>
    /// Gives memory back while a case streams through prediction. Every tile and plane leaves arrays of megabytes behind (the
    /// network's input and output, finished planes), and the stages of a case drop whole volumes; .NET collects such large
    /// objects only in full collections, which it runs by its own budget, so dead arrays could outweigh the live image several
    /// times over. A full collection is cheap here: the heap holds few objects, and arrays of numbers are not scanned.
    /// </summary>
    internal static class LargeArrays
    {
        /// <summary>Bytes allocated between collections while streaming.</summary>
        private const long Churn = 128L << 20;

        private static long _lastCollection;

        /// <summary>
        /// A full collection now, compacting the large-object heap so that the space of dead arrays goes back to the system
        /// (between the stages of a case: read and preprocessed, predicted).
        /// </summary>
        public static void Reclaim()
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            Collect(compacting: true);
        }

        /// <summary>A full collection when more than <see cref="Churn"/> bytes were allocated since the last one.</summary>
        public static void ReclaimIfChurned()
        {
            if (GC.GetTotalAllocatedBytes() - _lastCollection > Churn) Collect(compacting: false);
        }

        private static void Collect(bool compacting)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting);
            _lastCollection = GC.GetTotalAllocatedBytes();
        }
    }
}
