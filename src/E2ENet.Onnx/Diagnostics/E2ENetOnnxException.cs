using System;

namespace E2ENet.Onnx.Diagnostics
{
    /// <summary>
    /// A problem with an export, a bundle or a run of one: a stable id from <see cref="OnnxErrors"/>, the file or folder it
    /// concerns, and a message that says what is wrong, where, and how to fix it. <see cref="Exception.Message"/> reads
    /// <c>FILE: error E2E6xxx: MESSAGE</c>, as the command-line tool prints it.
    /// </summary>
    public sealed class E2ENetOnnxException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public E2ENetOnnxException(OnnxError error, string? file, string detail, Exception? inner = null)
            : base((string.IsNullOrEmpty(file) ? string.Empty : file + ": ") + "error " + error.Id + ": " + detail, inner)
        {
            Error = error;
            File = file;
            Detail = detail;
        }

        /// <summary>The kind of error.</summary>
        public OnnxError Error { get; }

        /// <summary>The stable id, e.g. E2E6101.</summary>
        public string Id => Error.Id;

        /// <summary>The file or folder concerned, when there is one.</summary>
        public string? File { get; }

        /// <summary>The message without the file and id.</summary>
        public string Detail { get; }
    }
}
