using System;
using System.Collections.Generic;

namespace E2ENet.Compiler.Host
{
    /// <summary>One kind of problem with what the machine allows: a stable id (E2E7xxx), a title and the fix.</summary>
    public sealed record HostError(string Id, string Title, string Fix)
    {
        /// <inheritdoc />
        public override string ToString() => Id + " " + Title;
    }

    /// <summary>
    /// The catalogue of the problems every command shares, whatever library it runs in: work that cannot fit in memory,
    /// and a folder that another process is writing. Ids are stable; docs/reliability.md documents each one (a test checks that).
    /// </summary>
    public static class HostErrors
    {
        /// <summary>The estimate of what a command needs exceeds the memory available.</summary>
        public static readonly HostError NotEnoughMemory = new HostError("E2E7001", "Not enough memory",
            "or free memory, or run it where more is available");

        /// <summary>Another process holds the lock of the folder a command writes into.</summary>
        public static readonly HostError FolderInUse = new HostError("E2E7002", "Folder in use by another process",
            "wait until that process ends (or stop it), or write somewhere else");

        /// <summary>The memory budget given in the environment is not a size.</summary>
        public static readonly HostError InvalidBudget = new HostError("E2E7003", "Invalid memory budget",
            "set E2ENET_MAX_MEMORY to a size such as 8G, 512M or 1.5GiB, or unset it");

        /// <summary>Every error, in id order.</summary>
        public static IReadOnlyList<HostError> All { get; } = new[] { NotEnoughMemory, FolderInUse, InvalidBudget };
    }

    /// <summary>
    /// A host problem: <see cref="Exception.Message"/> reads <c>PATH: error E2E7xxx: what is wrong; fix: what to do</c>.
    /// </summary>
    public sealed class HostException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public HostException(HostError error, string? path, string detail, Exception? inner = null)
            : base((path != null ? path + ": " : string.Empty) + "error " + error.Id + ": " + detail + "; fix: " + error.Fix, inner)
        {
            Error = error;
            Path = path;
            Detail = detail;
        }

        /// <summary>The kind of problem.</summary>
        public HostError Error { get; }

        /// <summary>The stable id.</summary>
        public string Id => Error.Id;

        /// <summary>The file or folder concerned, or null.</summary>
        public string? Path { get; }

        /// <summary>What is wrong, without the path, id and fix.</summary>
        public string Detail { get; }
    }
}
