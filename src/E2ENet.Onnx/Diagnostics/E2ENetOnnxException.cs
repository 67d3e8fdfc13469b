using System;
using E2ENet.Compiler.Errors;

namespace E2ENet.Onnx.Diagnostics
{
    /// <summary>
    /// A problem with an export, a bundle or a run of one: a stable id from <see cref="OnnxErrors"/>, the file or folder it
    /// concerns, and a message that says what is wrong, where, and how to fix it. <see cref="Exception.Message"/> reads
    /// <c>FILE: error E2E6xxx: MESSAGE</c>, as the command-line tool prints it.
    /// </summary>
    public sealed class E2ENetOnnxException : E2ENetException
    {
        /// <summary>Creates the exception.</summary>
        public E2ENetOnnxException(ErrorDescriptor error, string? file, string detail, Exception? inner = null)
            : base(error, file, detail, inner)
        {
        }
    }
}
