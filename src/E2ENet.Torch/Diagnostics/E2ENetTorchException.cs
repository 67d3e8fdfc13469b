using System;

namespace E2ENet.Torch.Diagnostics
{
    /// <summary>
    /// A problem with something the user gave (a weight file, a tensor file, a model, an input): a stable id from
    /// <see cref="TorchErrors"/>, the file it concerns, and a message that says what is wrong, where and how to fix it.
    /// <see cref="Exception.Message"/> reads <c>FILE: error E2E3xxx: MESSAGE</c>, as the command-line tool prints it.
    /// </summary>
    public sealed class E2ENetTorchException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public E2ENetTorchException(TorchError error, string? file, string detail, Exception? inner = null)
            : base(Format(error, file, detail), inner)
        {
            Error = error;
            File = file;
            Detail = detail;
        }

        /// <summary>The kind of error (its id and title).</summary>
        public TorchError Error { get; }

        /// <summary>The stable id, e.g. E2E3201.</summary>
        public string Id => Error.Id;

        /// <summary>The file concerned, when there is one.</summary>
        public string? File { get; }

        /// <summary>The message without the file and id.</summary>
        public string Detail { get; }

        private static string Format(TorchError error, string? file, string detail)
            => (string.IsNullOrEmpty(file) ? string.Empty : file + ": ") + "error " + error.Id + ": " + detail;
    }
}
