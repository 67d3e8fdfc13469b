using System;
using System.Runtime.InteropServices;

namespace E2ENet.Compiler.Host
{
    /// <summary>What a path is, as the kernel says (statx's file type bits).</summary>
    public enum FileKind
    {
        /// <summary>Not known (not Linux, or the call is not available): treat as a regular file and rely on byte limits.</summary>
        Unknown,

        /// <summary>No such path.</summary>
        Missing,

        /// <summary>A regular file.</summary>
        Regular,

        /// <summary>A directory.</summary>
        Directory,

        /// <summary>A named pipe: opening it blocks until a writer appears.</summary>
        Fifo,

        /// <summary>A character device (<c>/dev/zero</c>, a terminal): endless or interactive.</summary>
        CharacterDevice,

        /// <summary>A block device (a disk).</summary>
        BlockDevice,

        /// <summary>A Unix socket.</summary>
        Socket,
    }

    /// <summary>The identity and kind of a path: device and inode tell two names of one file apart from two files.</summary>
    public readonly record struct FileStatus(FileKind Kind, ulong Device, ulong Inode, long Size)
    {
        /// <summary>True when both name the same file (same device and inode; both known).</summary>
        public bool SameFileAs(FileStatus other) => Kind != FileKind.Unknown && Kind != FileKind.Missing && Device == other.Device && Inode == other.Inode;
    }

    /// <summary>
    /// The few Linux system calls the managed file API does not offer: <c>statx</c> (the type of a file before opening it, so a
    /// FIFO is never opened and a device never read; device and inode to compare files) and <c>renameat2(RENAME_EXCHANGE)</c>
    /// (swapping two folders in one atomic step). Elsewhere, or where the C library lacks them, they report "unknown" and
    /// callers fall back to portable behaviour.
    /// </summary>
    public static class UnixFiles
    {
        private const int AtFdCwd = -100, AtEmptyPath = 0x1000;
        private const uint StatxType = 0x1, StatxIno = 0x100, StatxSize = 0x200;
        private const uint RenameExchange = 2;
        private static bool _statxMissing, _renameMissing;

        /// <summary>The kind and identity of <paramref name="path"/> (following symbolic links).</summary>
        public static FileStatus Stat(string path) => Stat(AtFdCwd, path, 0);

        /// <summary>The kind and identity of an open file (what a name pointed to when it was opened).</summary>
        public static FileStatus Stat(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
        {
            bool added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                return Stat(handle.DangerousGetHandle().ToInt32(), string.Empty, AtEmptyPath);
            }
            finally
            {
                if (added) handle.DangerousRelease();
            }
        }

        private static FileStatus Stat(int directory, string path, int flags)
        {
            if (_statxMissing || !RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return new FileStatus(FileKind.Unknown, 0, 0, -1);
            var buffer = new byte[256];
            int result;
            try
            {
                result = Native.statx(directory, path, flags, StatxType | StatxIno | StatxSize, buffer);
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
                _statxMissing = true;
                return new FileStatus(FileKind.Unknown, 0, 0, -1);
            }
            if (result != 0)
            {
                int errno = Marshal.GetLastWin32Error();
                return errno == 2 || errno == 20 ? new FileStatus(FileKind.Missing, 0, 0, -1) : new FileStatus(FileKind.Unknown, 0, 0, -1); // ENOENT, ENOTDIR
            }
            int mode = BitConverter.ToUInt16(buffer, 28) & 0xF000;
            FileKind kind = mode switch
            {
                0x8000 => FileKind.Regular,
                0x4000 => FileKind.Directory,
                0x1000 => FileKind.Fifo,
                0x2000 => FileKind.CharacterDevice,
                0x6000 => FileKind.BlockDevice,
                0xC000 => FileKind.Socket,
                _ => FileKind.Unknown,
            };
            ulong device = ((ulong)BitConverter.ToUInt32(buffer, 136) << 32) | BitConverter.ToUInt32(buffer, 140);
            return new FileStatus(kind, device, BitConverter.ToUInt64(buffer, 32), (long)BitConverter.ToUInt64(buffer, 40));
        }

        /// <summary>
        /// Swaps two existing paths in one atomic step (<c>renameat2(RENAME_EXCHANGE)</c>): afterwards each name holds what the
        /// other held, and no moment exists at which either name is missing. False when the system cannot (not Linux, an old
        /// kernel or C library, a file system without the flag); the caller then falls back to two renames.
        /// </summary>
        public static bool TryExchange(string a, string b)
        {
            if (_renameMissing || !RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return false;
            try
            {
                return Native.renameat2(AtFdCwd, a, AtFdCwd, b, RenameExchange) == 0;
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
                _renameMissing = true;
                return false;
            }
        }

        /// <summary>A description of a kind for messages: "a named pipe (FIFO)".</summary>
        public static string Describe(FileKind kind) => kind switch
        {
            FileKind.Missing => "does not exist",
            FileKind.Regular => "a regular file",
            FileKind.Directory => "a folder",
            FileKind.Fifo => "a named pipe (FIFO)",
            FileKind.CharacterDevice => "a character device",
            FileKind.BlockDevice => "a block device",
            FileKind.Socket => "a socket",
            _ => "of an unknown kind",
        };

        private static class Native
        {
            [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
            public static extern int statx(int dirfd, string path, int flags, uint mask, byte[] buffer);

            [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
            public static extern int renameat2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);
        }
    }
}
