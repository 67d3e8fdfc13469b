using System.IO;
using E2ENet.Compiler.Host;

namespace E2ENet.Compiler.Tests.Host
{
    /// <summary>Issue 10 (4): a folder lock refuses a second writer with the holder's pid, and is free again once released.
    /// (The release on kill -9 of another process is tested with the CLI in E2ENet.Training.Tests.)</summary>
    public class FolderLockTests
    {
        [Fact]
        public void A_second_writer_is_refused_naming_the_holder_until_the_first_releases()
        {
            string folder = Path.Combine(Directory.CreateTempSubdirectory("e2e-lock").FullName, "run");
            using (FolderLock first = FolderLock.Acquire(folder, "e2enet train"))
            {
                var e = Assert.Throws<HostException>(() => FolderLock.Acquire(folder, "e2enet train"));
                Assert.Equal("E2E7002", e.Id);
                Assert.True(e.Message.Contains("pid " + System.Environment.ProcessId + ": e2enet train"), e.Message);
                Assert.StartsWith(folder + ": error E2E7002", e.Message);
                Assert.True(FolderLock.IsHeld(first.LockPath));
            }
            using (FolderLock again = FolderLock.Acquire(folder, "e2enet train --resume"))
            {
                Assert.Contains("e2enet train --resume", File.ReadAllText(again.LockPath + FolderLock.OwnerSuffix));
            }
            Assert.False(FolderLock.IsHeld(Path.Combine(folder, FolderLock.FileName)));
            Assert.Empty(Directory.GetFileSystemEntries(folder)); // released locks leave nothing behind
        }
    }
}
