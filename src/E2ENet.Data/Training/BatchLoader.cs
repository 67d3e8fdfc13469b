using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Preprocessing;

namespace E2ENet.Data.Training
{
    /// <summary>
    /// Builds training batches in background threads while the network computes: worker w builds batches w, w + W,
    /// w + 2W, ... into its own bounded queue, and <see cref="Next"/> takes them in order. Every batch is made from
    /// random streams seeded by (seed, batch index, sample), so the sequence is the same whatever the number of
    /// workers or their timing. A failure in a worker stops the loader and is raised by <see cref="Next"/> (E4203, with
    /// the original error inside); <see cref="Dispose"/> stops the workers and waits for them.
    /// </summary>
    public sealed class BatchLoader : IDisposable
    {
        private readonly PreprocessedDataset _data;
        private readonly IReadOnlyList<string> _cases;
        private readonly TrainingDataOptions _options;
        private readonly BlockingCollection<object>[] _queues;
        private readonly Thread[] _threads;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private long _next;
        private Exception? _failure;
        private bool _disposed;

        /// <summary>Starts the workers.</summary>
        /// <param name="data">The preprocessed dataset.</param>
        /// <param name="cases">The training cases (a fold's training split).</param>
        /// <param name="options">Patch, batch, augmentation, seed, workers.</param>
        /// <param name="startBatch">The first batch index (to resume a training run where it stopped).</param>
        public BatchLoader(PreprocessedDataset data, IReadOnlyList<string> cases, TrainingDataOptions options, long startBatch = 0)
        {
            options.Validate();
            if (cases.Count == 0) throw new DataException(DataErrors.InvalidSettings, data.Folder, "no training case to sample from");
            foreach (string name in cases) data.Case(name); // fails now, on this thread, for a missing or damaged case
            if (data.Plan.Channels < 1) throw new DataException(DataErrors.PreprocessedInvalid, data.Folder, "the plan has no channel");
            _data = data;
            _cases = cases.ToList();
            _options = options;
            _next = startBatch;
            int workers = options.Workers;
            int capacity = Math.Max(1, (options.Prefetch + workers - 1) / workers);
            _queues = Enumerable.Range(0, workers).Select(_ => new BlockingCollection<object>(capacity)).ToArray();
            _threads = Enumerable.Range(0, workers).Select(w => new Thread(() => Work(w, startBatch)) { IsBackground = true, Name = "e2enet-batches-" + w }).ToArray();
            foreach (Thread thread in _threads) thread.Start();
        }

        /// <summary>The index of the batch <see cref="Next"/> returns next.</summary>
        public long NextIndex => Interlocked.Read(ref _next);

        /// <summary>The next batch, in order. Blocks until it is ready.</summary>
        /// <exception cref="DataException">E4203 when a worker failed (the inner exception is its error).</exception>
        /// <exception cref="ObjectDisposedException">After <see cref="Dispose"/>.</exception>
        public TrainingBatch Next(CancellationToken cancellation = default)
        {
            if (_disposed) throw new ObjectDisposedException(nameof(BatchLoader));
            if (_failure != null) throw Failed(_failure);
            long index = _next;
            object item;
            try { item = _queues[index % _queues.Length].Take(cancellation); }
            catch (InvalidOperationException) { throw _failure != null ? Failed(_failure) : new ObjectDisposedException(nameof(BatchLoader)); }
            if (item is Exception error)
            {
                _failure = error;
                _stop.Cancel();
                throw Failed(error);
            }
            _next = index + 1;
            return (TrainingBatch)item;
        }

        /// <summary>Builds batch <paramref name="index"/> (what the workers run; deterministic, callable directly).</summary>
        public static TrainingBatch Build(PreprocessedDataset data, IReadOnlyList<string> cases, TrainingDataOptions options, long index)
        {
            Int3 patch = options.Patch;
            int channels = data.Plan.Channels;
            var images = new float[options.Batch * channels * patch.Volume];
            IReadOnlyList<Int3> sizes = options.TargetSizes.Count > 0 ? options.TargetSizes : new[] { patch };
            var targets = sizes.Select(s => new short[options.Batch * s.Volume]).ToArray();
            var choices = new PatchChoice[options.Batch];
            for (int b = 0; b < options.Batch; b++)
            {
                var rng = Rng.For(options.Seed, index, b);
                choices[b] = PatchSampler.Choose(data, cases, patch, PatchSampler.ForceForeground(b, options.Batch, options.Oversample), rng);
                TrainingSample sample = AugmentationPipeline.Run(data, choices[b], options, rng);
                Array.Copy(sample.Image, 0, images, b * channels * patch.Volume, sample.Image.Length);
                IReadOnlyList<short[]> levels = DeepSupervision.Targets(sample.Label, patch, sizes);
                for (int k = 0; k < sizes.Count; k++) Array.Copy(levels[k], 0, targets[k], b * sizes[k].Volume, levels[k].Length);
            }
            return new TrainingBatch(index, channels, patch, images, sizes, targets, choices);
        }

        private void Work(int worker, long start)
        {
            BlockingCollection<object> queue = _queues[worker];
            long index = start + ((worker - start % _queues.Length) % _queues.Length + _queues.Length) % _queues.Length;
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    TrainingBatch batch;
                    try { batch = Build(_data, _cases, _options, index); }
                    catch (Exception e)
                    {
                        queue.Add(e, _stop.Token);
                        return;
                    }
                    queue.Add(batch, _stop.Token);
                    index += _queues.Length;
                }
            }
            catch (OperationCanceledException) { }
            catch (InvalidOperationException) { } // the queue was completed during shutdown
        }

        private static DataException Failed(Exception error)
            => error is DataException d && d.Error == DataErrors.WorkerFailed ? d : new DataException(DataErrors.WorkerFailed, (error as DataException)?.File, "building a batch failed: " + (error is DataException de ? de.ShortMessage : error.GetType().Name + ": " + error.Message), error);

        /// <inheritdoc />
        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _stop.Cancel();
            foreach (var queue in _queues) queue.CompleteAdding();
            foreach (Thread thread in _threads) thread.Join();
            foreach (var queue in _queues) queue.Dispose();
            _stop.Dispose();
        }
    }
}
