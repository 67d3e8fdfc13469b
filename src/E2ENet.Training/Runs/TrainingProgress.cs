using System;
using System.Globalization;
using System.IO;

namespace E2ENet.Training.Runs
{
    /// <summary>
    /// The progress line of the iterations (epoch, iteration, mean loss, learning rate, seconds per iteration, share spent
    /// waiting for data, ETA): updated in place on a terminal; on a file or pipe plain lines, about ten per epoch and at most one
    /// every two seconds (plus each epoch's last).
    /// </summary>
    internal sealed class TrainingProgress
    {
        private readonly TextWriter _log;
        private readonly bool _interactive;
        private DateTime _lastProgress = DateTime.MinValue;

        public TrainingProgress(TextWriter log, bool interactive)
        {
            _log = log;
            _interactive = interactive;
        }

        /// <summary>Reports iteration <paramref name="iteration"/> (1-based) of epoch <paramref name="epoch"/> (0-based).</summary>
        public void Report(int epoch, int epochs, int iteration, int iterations, double meanLoss, double lr, double seconds, double waitingForData)
        {
            double perIteration = seconds / iteration;
            double remaining = perIteration * ((long)(epochs - epoch - 1) * iterations + (iterations - iteration));
            string line = string.Format(CultureInfo.InvariantCulture, "epoch {0}/{1} iteration {2}/{3}: loss {4:0.0000}, lr {5:0.000000}, {6:0.000} s/it ({7:0}% waiting for data), ETA {8}",
                epoch + 1, epochs, iteration, iterations, meanLoss, lr, perIteration, 100 * waitingForData / Math.Max(1e-9, seconds),
                TimeSpan.FromSeconds(Math.Round(remaining)).ToString("c", CultureInfo.InvariantCulture));
            if (_interactive)
            {
                _log.Write("\r" + line.PadRight(100));
                if (iteration == iterations) _log.Write("\r" + new string(' ', 100) + "\r");
                return;
            }
            // Plain lines: about ten per epoch, at most one every two seconds.
            int every = Math.Max(1, iterations / 10);
            if ((iteration % every == 0 || iteration == iterations) && (DateTime.UtcNow - _lastProgress).TotalSeconds >= 2 || iteration == iterations)
            {
                _lastProgress = DateTime.UtcNow;
                _log.WriteLine(line);
            }
        }
    }
}
