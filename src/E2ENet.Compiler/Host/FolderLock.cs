using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;

namespace E2ENet.Compiler.Host
{
    /// <summary>
    /// An operating-system lock on a folder a command writes into (a training run, a bundle's target, a prediction folder):
    /// <c>.e2enet.lock</c> opened without sharing, which on Linux is an advisory <c>flock</c> that the kernel releases when the
    /// process ends in any way, <c>kill -9</c> included (on Windows, a share lock with the same lifetime). A second writer is
    /// refused at once with E2E7002 naming the holder's process id and command, which the holder writes beside the lock
    /// (<c>.e2enet.lock.owner</c>: the lock file itself cannot be read by another process while it is held). Dispose deletes
    /// both files and releases the lock; after a kill the files stay until the next writer takes and releases the lock.
    /// </summary>
    public sealed class FolderLock : IDisposable
    {
        /// <summary>The lock file's name inside a locked folder.</summary>
        public const string FileName = ".e2enet.lock";

        /// <summary>The owner file's suffix (<c>LOCK.owner</c>).</summary>
        public const string OwnerSuffix = ".owner";

        private FileStream? _stream;

        private FolderLock(string path, FileStream stream)
        {
            LockPath = path;
            _stream = stream;
        }

        /// <summary>The lock file.</summary>
        public string LockPath { get; }

        /// <summary>Locks <paramref name="folder"/> (created when missing) through <c>FOLDER/.e2enet.lock</c>.</summary>
        /// <param name="folder">The folder.</param>
        /// <param name="purpose">What holds it, for the message another process gets: "e2enet train".</param>
        /// <exception cref="HostException">E2E7002 when another process holds it.</exception>
        /// <exception cref="IOException">The folder cannot be created or the lock file not written.</exception>
        public static FolderLock Acquire(string folder, string purpose)
        {
            Directory.CreateDirectory(folder);
            return AcquireFile(Path.Combine(folder, FileName), folder, purpose);
        }

        /// <summary>
        /// Locks through an explicit lock file (for a target that is replaced by renaming, whose lock must live beside it:
        /// <c>PARENT/.NAME.e2enet.lock</c>). <paramref name="what"/> is the folder named in the message.
        /// </summary>
        public static FolderLock AcquireFile(string lockFile, string what, string purpose)
        {
            FileStream? stream = null;
            // The holder deletes the lock file before it lets go (folders stay clean), so a process that opened the file just
            // before it was deleted can win the lock of a file no longer there: it then sees another file (or none) under the
            // name, and tries again.
            for (int attempt = 0; stream == null; attempt++)
            {
                FileStream candidate;
                try
                {
                    candidate = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                }
                catch (IOException e) when (!(e is FileNotFoundException || e is DirectoryNotFoundException || e is PathTooLongException))
                {
                    throw new HostException(HostErrors.FolderInUse, what, "another process is writing here (" + Owner(lockFile) + "; it holds "
                        + lockFile + "); two processes writing one folder would corrupt each other's files, so this one stopped before writing anything", e);
                }
                FileStatus opened = UnixFiles.Stat(candidate.SafeFileHandle);
                if (opened.Kind == FileKind.Unknown || opened.SameFileAs(UnixFiles.Stat(lockFile)) || attempt >= 100) stream = candidate;
                else candidate.Dispose();
            }
            try
            {
                string owner = string.Format(CultureInfo.InvariantCulture, "pid {0}: {1}, since {2:yyyy-MM-dd HH:mm:ss}", CurrentProcessId(), purpose, DateTime.Now);
                byte[] bytes = new UTF8Encoding(false).GetBytes(owner + "\n");
                stream.SetLength(0);
                stream.Write(bytes, 0, bytes.Length);
                stream.Flush();
                string ownerFile = lockFile + OwnerSuffix;
                string temporary = ownerFile + "." + CurrentProcessId().ToString(CultureInfo.InvariantCulture) + ".tmp";
                File.WriteAllBytes(temporary, bytes);
                if (File.Exists(ownerFile)) File.Delete(ownerFile);
                File.Move(temporary, ownerFile);
            }
            catch
            {
                stream.Dispose();
                throw;
            }
            return new FolderLock(lockFile, stream);
        }

        /// <summary>True when some process holds the lock of <paramref name="lockFile"/> (probing takes and drops it).</summary>
        public static bool IsHeld(string lockFile)
        {
            if (!File.Exists(lockFile)) return false;
            try
            {
                using (new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                {
                    return false;
                }
            }
            catch (IOException e) when (!(e is FileNotFoundException || e is DirectoryNotFoundException))
            {
                return true;
            }
        }

        /// <summary>The holder as its owner file says ("pid 1234: e2enet train, since ..."), or what is known.</summary>
        public static string Owner(string lockFile)
        {
            try
            {
                string text = File.ReadAllText(lockFile + OwnerSuffix).Trim();
                if (text.StartsWith("pid ", StringComparison.Ordinal)) return text;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
            }
            return "pid not recorded yet";
        }

        /// <summary>Deletes the lock and owner files, then releases the lock (in that order: see <see cref="AcquireFile"/>).</summary>
        public void Dispose()
        {
            if (_stream == null) return;
            foreach (string file in new[] { LockPath + OwnerSuffix, LockPath })
            {
                try
                {
                    File.Delete(file);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    // A lock file left behind is harmless: the next writer opens and locks it.
                }
            }
            _stream.Dispose();
            _stream = null;
        }

        private static int CurrentProcessId()
        {
            using Process self = Process.GetCurrentProcess();
            return self.Id;
        }
    }
}
