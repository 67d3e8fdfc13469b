using System;
using E2ENet.Compiler.Errors;

namespace E2ENet.Data
{
    /// <summary>
    /// A problem with data: a file, a dataset or settings. <see cref="Exception.Message"/> reads
    /// <c>FILE: error E4xxx: what is wrong; fix: what to do</c>; the parts are also available one by one (<see cref="E2ENetException"/>).
    /// </summary>
    public sealed class DataException : E2ENetException
    {
        /// <summary>Creates the exception.</summary>
        /// <param name="error">The kind of problem (one of <see cref="DataErrors"/>, or a host error such as E2E7001).</param>
        /// <param name="file">The file or folder concerned (null when none).</param>
        /// <param name="detail">What is wrong, with the place (header field, byte offset, voxel index).</param>
        /// <param name="inner">The underlying exception, if any.</param>
        public DataException(ErrorDescriptor error, string? file, string detail, Exception? inner = null)
            : base(error, file, detail, inner)
        {
        }
    }
}
