using System;
using E2ENet.Compiler.Errors;

namespace E2ENet.Torch.Diagnostics
{
    /// <summary>
    /// A problem with something the user gave (a weight file, a tensor file, a model, an input): a stable id from
    /// <see cref="TorchErrors"/>, the file it concerns, and a message that says what is wrong, where and how to fix it.
    /// <see cref="Exception.Message"/> reads <c>FILE: error E2E3xxx: MESSAGE</c>, as the command-line tool prints it.
    /// </summary>
    public sealed class E2ENetTorchException : E2ENetException
    {
        /// <summary>Creates the exception.</summary>
        public E2ENetTorchException(ErrorDescriptor error, string? file, string detail, Exception? inner = null)
            : base(error, file, detail, inner)
        {
        }
    }
}
