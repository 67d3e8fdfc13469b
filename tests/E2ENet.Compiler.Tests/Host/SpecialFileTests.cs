using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using E2ENet.Compiler.Host;

namespace E2ENet.Compiler.Tests.Host
{
    /// <summary>Issue 10 (6): sources are read only from regular files, with a hard byte limit, so a device or a FIFO is refused at once.</summary>
    public class SpecialFileTests
    {
        [Fact]
        public void Checking_dev_zero_is_refused_without_reading_it()
        {
            E2ECompilation compilation = E2ECompilation.FromFiles(new[] { "/dev/zero" });
            Diagnostics.Diagnostic error = Helpers.Single(compilation, "E2E0012");
            Assert.Contains("character device", error.Message);
            Assert.Contains("not a regular file", error.Message);
        }

        [Fact]
        public async Task Importing_a_device_or_a_fifo_is_refused_without_hanging()
        {
            string folder = Directory.CreateTempSubdirectory("e2e-special").FullName;
            try
            {
                string fifo = Path.Combine(folder, "pipe.e2e");
                using (Process mkfifo = Process.Start("mkfifo", fifo)) mkfifo.WaitForExit();
                Assert.True(File.Exists(fifo), "mkfifo did not make " + fifo);
                string main = Path.Combine(folder, "main.e2e");
                File.WriteAllText(main, "import \"/dev/zero\"\nimport \"pipe.e2e\"\nmodel M {\n  " + Helpers.Tiny + "}\n");

                // Opening a FIFO for reading blocks until a writer comes: a reader that opened it would never return.
                Task<E2ECompilation> compile = Task.Run(() => E2ECompilation.FromFiles(new[] { main }));
                Assert.True(await Task.WhenAny(compile, Task.Delay(60_000)) == compile, "compiling a file that imports a FIFO hung");
                var imports = (await compile).Diagnostics.Where(d => d.Id == "E2E0011").Select(d => d.Message).ToList();
                Assert.Equal(2, imports.Count);
                Assert.Contains(imports, m => m.Contains("/dev/zero") && m.Contains("character device"));
                Assert.Contains(imports, m => m.Contains("pipe.e2e") && m.Contains("named pipe (FIFO)"));
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        [Fact]
        public void Whole_file_reads_stop_at_the_limit_whatever_the_length_says()
        {
            string folder = Directory.CreateTempSubdirectory("e2e-limit").FullName;
            try
            {
                string file = Path.Combine(folder, "big.e2e");
                File.WriteAllBytes(file, new byte[5000]);
                var refused = Assert.Throws<FileRefusedException>(() => RegularFile.ReadAllBytes(file, 4096));
                Assert.Contains("more than the 4 KiB", refused.Message);
                Assert.Equal(5000, RegularFile.ReadAllBytes(file, 5000).Length);
                // A kernel file reports length 0 but has content: read up to the limit, not up to the length.
                Assert.Contains("MemTotal", RegularFile.ReadAllText("/proc/meminfo", 1 << 20));
                Assert.Throws<FileRefusedException>(() => RegularFile.ReadAllBytes("/dev/zero", 1 << 20));
                Assert.Throws<FileNotFoundException>(() => RegularFile.ReadAllBytes(Path.Combine(folder, "missing"), 10));
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        [Fact]
        public void Two_names_of_one_file_are_recognised()
        {
            string folder = Directory.CreateTempSubdirectory("e2e-identity").FullName;
            try
            {
                string a = Path.Combine(folder, "a"), link = Path.Combine(folder, "link");
                File.WriteAllText(a, "x");
                File.CreateSymbolicLink(link, a);
                File.WriteAllText(Path.Combine(folder, "b"), "x");
                Assert.True(UnixFiles.Stat(a).SameFileAs(UnixFiles.Stat(link)));
                Assert.False(UnixFiles.Stat(a).SameFileAs(UnixFiles.Stat(Path.Combine(folder, "b"))));
                Assert.Equal(FileKind.Missing, UnixFiles.Stat(Path.Combine(folder, "nothing")).Kind);
                Assert.Equal(FileKind.Directory, UnixFiles.Stat(folder).Kind);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
