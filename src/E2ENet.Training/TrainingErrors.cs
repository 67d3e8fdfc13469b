using System;
using System.Collections.Generic;
using E2ENet.Compiler.Errors;

namespace E2ENet.Training
{
    /// <summary>
    /// The training errors (E2E5xxx), each with a stable id; documented in docs/training.md ("Errors"; a test checks that).
    /// Their messages say the fix themselves, so no descriptor carries one.
    /// </summary>
    public static class TrainingErrors
    {
        /// <summary>The run folder already holds a training and --resume was not given.</summary>
        public static readonly ErrorDescriptor RunExists = new ErrorDescriptor("E2E5001", "Run folder holds a training");

        /// <summary>--resume was given but the run folder has no checkpoint.</summary>
        public static readonly ErrorDescriptor NothingToResume = new ErrorDescriptor("E2E5002", "Nothing to resume");

        /// <summary>The model given on resume differs from the run's model.</summary>
        public static readonly ErrorDescriptor ModelMismatch = new ErrorDescriptor("E2E5003", "Resume with another model or recipe");

        /// <summary>A checkpoint cannot be read or does not fit the run's model.</summary>
        public static readonly ErrorDescriptor BadCheckpoint = new ErrorDescriptor("E2E5004", "Checkpoint not usable");

        /// <summary>The dataset does not fit the model (channels, classes) or has too few cases.</summary>
        public static readonly ErrorDescriptor DatasetMismatch = new ErrorDescriptor("E2E5005", "Dataset does not fit");

        /// <summary>The requested device is not available.</summary>
        public static readonly ErrorDescriptor DeviceUnavailable = new ErrorDescriptor("E2E5006", "Device not available");

        /// <summary>A training option is out of range (fold, epochs, iterations).</summary>
        public static readonly ErrorDescriptor BadOption = new ErrorDescriptor("E2E5007", "Option out of range");

        /// <summary>The loss became NaN or infinite.</summary>
        public static readonly ErrorDescriptor Diverged = new ErrorDescriptor("E2E5008", "Training diverged");

        /// <summary>A run folder lacks what the command needs (model.e2e, weights).</summary>
        public static readonly ErrorDescriptor BadRun = new ErrorDescriptor("E2E5009", "Not a run folder");

        /// <summary>The weights of --init-weights do not fit the model (missing, unexpected or mis-shaped keys).</summary>
        public static readonly ErrorDescriptor InitWeightsMismatch = new ErrorDescriptor("E2E5010", "Initial weights do not fit");

        /// <summary>Runs given to summarize that cannot be compared (other labels, a fold twice, no validation results).</summary>
        public static readonly ErrorDescriptor SummaryMismatch = new ErrorDescriptor("E2E5011", "Runs cannot be summarized together");

        /// <summary>The network given to the trainer (a generated class) does not have the layers of the model to train.</summary>
        public static readonly ErrorDescriptor NetworkMismatch = new ErrorDescriptor("E2E5012", "Network does not match the model");

        /// <summary>Every error, in id order.</summary>
        public static IReadOnlyList<ErrorDescriptor> All { get; } = new[]
        {
            RunExists, NothingToResume, ModelMismatch, BadCheckpoint, DatasetMismatch, DeviceUnavailable, BadOption, Diverged, BadRun,
            InitWeightsMismatch, SummaryMismatch, NetworkMismatch,
        };
    }

    /// <summary>
    /// A training problem the user can fix: an id, the file or folder concerned, and what to do.
    /// <see cref="Exception.Message"/> reads <c>PATH: error E2E5xxx: what is wrong and what to do</c>.
    /// </summary>
    public sealed class TrainingException : E2ENetException
    {
        /// <summary>Creates the exception.</summary>
        /// <param name="error">One of <see cref="TrainingErrors"/> (or the error of a lower layer the trainer passes on).</param>
        /// <param name="path">The file or folder concerned, if any.</param>
        /// <param name="detail">What is wrong and what to do.</param>
        /// <param name="inner">The underlying exception, if any.</param>
        public TrainingException(ErrorDescriptor error, string? path, string detail, Exception? inner = null)
            : base(error, path, detail, inner)
        {
        }
    }
}
