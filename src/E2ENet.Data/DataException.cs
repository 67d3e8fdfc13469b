using System;

namespace E2ENet.Data
{
    /// <summary>
    /// A problem with data: a file, a dataset or settings. <see cref="Exception.Message"/> reads
    /// <c>FILE: error E4xxx: what is wrong; fix: what to do</c>; the parts are also available one by one.
    /// </summary>
    public sealed class DataException : Exception
    {
        /// <summary>Creates the exception.</summary>
        /// <param name="error">The kind of problem (its id is stable).</param>
        /// <param name="file">The file or folder concerned (null when none).</param>
        /// <param name="detail">What is wrong, with the place (header field, byte offset, voxel index).</param>
        /// <param name="inner">The underlying exception, if any.</param>
        public DataException(DataError error, string? file, string detail, Exception? inner = null)
            : base(Format(error, file, detail), inner)
        {
            Error = error;
            File = file;
            Detail = detail;
        }

        /// <summary>The kind of problem.</summary>
        public DataError Error { get; }

        /// <summary>The stable id, E4xxx.</summary>
        public string Id => Error.Id;

        /// <summary>The file or folder concerned, or null.</summary>
        public string? File { get; }

        /// <summary>What is wrong, without the file and id.</summary>
        public string Detail { get; }

        /// <summary>The message without the fix: <c>FILE: error E4xxx: detail</c>.</summary>
        public string ShortMessage => (File != null ? File + ": " : "") + "error " + Error.Id + ": " + Detail;

        private static string Format(DataError error, string? file, string detail)
            => (file != null ? file + ": " : "") + "error " + error.Id + ": " + detail + "; fix: " + error.Fix;
    }
}
