using System;

namespace E2ENet.Compiler.Errors
{
    /// <summary>
    /// The base of every exception that reports a problem the user can fix, whatever the library: a stable
    /// <see cref="ErrorDescriptor"/>, the file or folder concerned, and what is wrong there. <see cref="Exception.Message"/>
    /// is the line the command-line tool prints: <c>FILE: error ID: DETAIL</c>, followed by <c>; fix: FIX</c> when the
    /// descriptor has a fix. Each library derives a thin exception of its own (HostException, DataException,
    /// E2ENetTorchException, E2ENetOnnxException, TrainingException); a caller that only reports catches this one.
    /// </summary>
    public abstract class E2ENetException : Exception
    {
        /// <summary>Creates the exception.</summary>
        /// <param name="error">The kind of problem (its id is stable).</param>
        /// <param name="file">The file or folder concerned (null when none).</param>
        /// <param name="detail">What is wrong, with the place (header field, byte offset, tensor name, option).</param>
        /// <param name="inner">The underlying exception, if any.</param>
        protected E2ENetException(ErrorDescriptor error, string? file, string detail, Exception? inner)
            : base((error ?? throw new ArgumentNullException(nameof(error))).Format(file, detail), inner)
        {
            Error = error;
            File = file;
            Detail = detail;
        }

        /// <summary>The kind of problem.</summary>
        public ErrorDescriptor Error { get; }

        /// <summary>The stable id.</summary>
        public string Id => Error.Id;

        /// <summary>The file or folder concerned, or null.</summary>
        public string? File { get; }

        /// <summary>What is wrong, without the file, id and fix.</summary>
        public string Detail { get; }

        /// <summary>The message without the descriptor's fix: <c>FILE: error ID: DETAIL</c>.</summary>
        public string ShortMessage => Error.Format(File, Detail, withFix: false);
    }
}
