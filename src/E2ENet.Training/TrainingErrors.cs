using System;

namespace E2ENet.Training
{
    /// <summary>
    /// The training errors (E2E5xxx), each with a stable id; documented in docs/training.md ("Errors").
    /// </summary>
    public static class TrainingErrors
    {
        /// <summary>The run folder already holds a training and --resume was not given.</summary>
        public const string RunExists = "E2E5001";

        /// <summary>--resume was given but the run folder has no checkpoint.</summary>
        public const string NothingToResume = "E2E5002";

        /// <summary>The model given on resume differs from the run's model.</summary>
        public const string ModelMismatch = "E2E5003";

        /// <summary>A checkpoint cannot be read or does not fit the run's model.</summary>
        public const string BadCheckpoint = "E2E5004";

        /// <summary>The dataset does not fit the model (channels, classes) or has too few cases.</summary>
        public const string DatasetMismatch = "E2E5005";

        /// <summary>The requested device is not available.</summary>
        public const string DeviceUnavailable = "E2E5006";

        /// <summary>A training option is out of range (fold, epochs, iterations).</summary>
        public const string BadOption = "E2E5007";

        /// <summary>The loss became NaN or infinite.</summary>
        public const string Diverged = "E2E5008";

        /// <summary>A run folder lacks what the command needs (model.e2e, weights).</summary>
        public const string BadRun = "E2E5009";

        /// <summary>The weights of --init-weights do not fit the model (missing, unexpected or mis-shaped keys).</summary>
        public const string InitWeightsMismatch = "E2E5010";

        /// <summary>Runs given to summarize that cannot be compared (other labels, a fold twice, no validation results).</summary>
        public const string SummaryMismatch = "E2E5011";

        /// <summary>The network given to the trainer (a generated class) does not have the layers of the model to train.</summary>
        public const string NetworkMismatch = "E2E5012";
    }

    /// <summary>A training problem the user can fix: an id, the file or folder concerned, and what to do.</summary>
    public sealed class TrainingException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public TrainingException(string id, string? path, string message, Exception? inner = null)
            : base(message, inner)
        {
            Id = id;
            Path = path;
        }

        /// <summary>The error id (E2E5xxx).</summary>
        public string Id { get; }

        /// <summary>The file or folder concerned, if any.</summary>
        public string? Path { get; }

        /// <summary><c>path: error E2E5xxx: message</c>.</summary>
        public override string ToString() => (Path != null ? Path + ": " : string.Empty) + "error " + Id + ": " + Message;
    }
}
