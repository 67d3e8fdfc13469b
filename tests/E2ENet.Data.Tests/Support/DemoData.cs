using System;
using System.IO;
using System.Threading;
using E2ENet.Data.Datasets;

namespace E2ENet.Data.Tests.Support
{
    /// <summary>One small demo dataset (3 training cases, 1 test case, 3 mm) built once per test run and copied where a test changes it.</summary>
    internal static class DemoData
    {
        private static readonly Lazy<string> Built = new Lazy<string>(() =>
        {
            string folder = Path.Combine(Path.GetTempPath(), "e2enet-data-tests", "demo-" + Environment.ProcessId);
            if (Directory.Exists(folder)) Directory.Delete(folder, true);
            DemoDataset.Make(folder, Options);
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try { Directory.Delete(folder, true); }
                catch (IOException) { }
            };
            return folder;
        }, LazyThreadSafetyMode.ExecutionAndPublication);

        public static DemoDatasetOptions Options { get; } = new DemoDatasetOptions { TrainingCases = 3, TestCases = 1, Spacing = 3.0, Seed = 5 };

        /// <summary>The shared, read-only copy.</summary>
        public static string Folder => Built.Value;

        /// <summary>A private copy under <paramref name="temp"/> that a test may change.</summary>
        public static string CopyTo(TempDirectory temp)
        {
            string target = temp.File("dataset");
            foreach (string file in Directory.GetFiles(Folder, "*", SearchOption.AllDirectories))
            {
                string destination = Path.Combine(target, Path.GetRelativePath(Folder, file));
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(file, destination);
            }
            return target;
        }
    }
}
