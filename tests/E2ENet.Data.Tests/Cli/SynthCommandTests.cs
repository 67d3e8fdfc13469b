using System;
using System.IO;
using E2ENet.Cli;
using E2ENet.Data.Tests.Support;

namespace E2ENet.Data.Tests.Cli
{
    /// <summary>e2enet dataset make-synth and dataset preview, run in-process as a user would.</summary>
    public class SynthCommandTests : IDisposable
    {
        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        private static (int Exit, string Out, string Err) Run(params string[] args)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int exit = CliApp.Run(args, output, error);
            return (exit, output.ToString(), error.ToString());
        }

        [Fact]
        public void Make_synth_writes_a_dataset_that_checks_clean_and_previews()
        {
            string folder = _temp.File("synth");
            var (exit, output, error) = Run("dataset", "make-synth", folder, "--cases", "2", "--test-cases", "1", "--spacing", "4", "--seed", "3", "--t1-share", "0.5");
            Assert.Equal(0, exit);
            Assert.Contains("wrote 3 subject(s)", output);
            Assert.Contains("(2 training, 1 test; 2 T1 image(s), 1 label-driven)", output); // round(0.5 x 2) + round(0.5 x 1)
            Assert.Contains("pallidum", output);
            Assert.Contains("volume cv", output);
            Assert.Contains("make-synth 3/3", error); // plain progress lines when not a terminal

            var (checkExit, checkOutput, _) = Run("dataset", "check", folder);
            Assert.Equal(0, checkExit);
            Assert.Contains("2 training case(s), 1 test case(s), 1 channel(s) (T1), 9 classes", checkOutput);

            string png = _temp.File("preview.png");
            var (previewExit, previewOutput, _) = Run("dataset", "preview", folder, "--out", png, "--cases", "2");
            Assert.Equal(0, previewExit);
            Assert.Contains("synth_001, synth_002", previewOutput);
            byte[] bytes = File.ReadAllBytes(png);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
            Assert.True(bytes.Length > 10_000, $"{bytes.Length} bytes");

            var (testExit, _, _) = Run("dataset", "preview", folder, "--test");
            Assert.Equal(0, testExit);
            Assert.True(File.Exists(Path.Combine(folder, "preview.png")));
        }

        [Fact]
        public void Make_synth_refuses_a_used_folder_and_bad_values()
        {
            File.WriteAllText(_temp.File("mine.txt"), "keep");
            var (exit, _, error) = Run("dataset", "make-synth", _temp.Path, "--cases", "1", "--test-cases", "0");
            Assert.Equal(1, exit);
            Assert.Contains("error E4205", error);
            Assert.Contains("fix: give a new or empty folder, or write into this one on purpose with --force", error);
            Assert.Equal("keep", File.ReadAllText(_temp.File("mine.txt")));

            var (spacingExit, _, spacingError) = Run("dataset", "make-synth", _temp.File("new"), "--spacing", "0.2");
            Assert.Equal(1, spacingExit);
            Assert.Contains("spacing 0.2 mm", spacingError);

            var (previewExit, _, previewError) = Run("dataset", "preview", _temp.File("nowhere"));
            Assert.Equal(1, previewExit);
            Assert.Contains("error E4101", previewError);
            var (usageExit, _, usageError) = Run("dataset", "preview", _temp.Path, "--cases", "0");
            Assert.Equal(2, usageExit);
            Assert.Contains("--cases must be 1 to 32", usageError);
        }
    }
}
