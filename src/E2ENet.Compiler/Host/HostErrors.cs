using System;
using System.Collections.Generic;
using E2ENet.Compiler.Errors;

namespace E2ENet.Compiler.Host
{
    /// <summary>
    /// The catalogue of the problems every command shares, whatever library it runs in: work that cannot fit in memory,
    /// and a folder that another process is writing. Ids are stable; docs/reliability.md documents each one (a test checks that).
    /// </summary>
    public static class HostErrors
    {
        /// <summary>The estimate of what a command needs exceeds the memory available.</summary>
        public static readonly ErrorDescriptor NotEnoughMemory = new ErrorDescriptor("E2E7001", "Not enough memory",
            "or free memory, or run it where more is available");

        /// <summary>Another process holds the lock of the folder a command writes into.</summary>
        public static readonly ErrorDescriptor FolderInUse = new ErrorDescriptor("E2E7002", "Folder in use by another process",
            "wait until that process ends (or stop it), or write somewhere else");

        /// <summary>The memory budget given in the environment is not a size.</summary>
        public static readonly ErrorDescriptor InvalidBudget = new ErrorDescriptor("E2E7003", "Invalid memory budget",
            "set E2ENET_MAX_MEMORY to a size such as 8G, 512M or 1.5GiB, or unset it");

        /// <summary>Every error, in id order.</summary>
        public static IReadOnlyList<ErrorDescriptor> All { get; } = new[] { NotEnoughMemory, FolderInUse, InvalidBudget };
    }

    /// <summary>
    /// A host problem: <see cref="Exception.Message"/> reads <c>PATH: error E2E7xxx: what is wrong; fix: what to do</c>.
    /// </summary>
    public sealed class HostException : E2ENetException
    {
        /// <summary>Creates the exception.</summary>
        public HostException(ErrorDescriptor error, string? path, string detail, Exception? inner = null)
            : base(error, path, detail, inner)
        {
        }
    }
}
