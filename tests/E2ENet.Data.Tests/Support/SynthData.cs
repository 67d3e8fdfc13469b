using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using E2ENet.Data.Datasets.Synth;

namespace E2ENet.Data.Tests.Support
{
    /// <summary>One small synthetic dataset (10 training subjects, 2 test subjects, 3 mm) built once per test run, and the atlas, loaded once.</summary>
    internal static class SynthData
    {
        private static readonly Lazy<(string Folder, IReadOnlyList<SynthCase> Cases)> Built = new Lazy<(string, IReadOnlyList<SynthCase>)>(() =>
        {
            string folder = Path.Combine(Path.GetTempPath(), "e2enet-data-tests", "synth-" + Environment.ProcessId);
            if (Directory.Exists(folder)) Directory.Delete(folder, true);
            IReadOnlyList<SynthCase> cases = SynthDataset.Make(folder, Options);
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try { Directory.Delete(folder, true); }
                catch (IOException) { }
            };
            return (folder, cases);
        }, LazyThreadSafetyMode.ExecutionAndPublication);

        private static readonly Lazy<SynthAtlas> LoadedAtlas = new Lazy<SynthAtlas>(() => SynthAtlas.Load(RealData.Templates), LazyThreadSafetyMode.ExecutionAndPublication);

        public static SynthDatasetOptions Options { get; } = new SynthDatasetOptions { TrainingCases = 10, TestCases = 2, Spacing = 3.0, Seed = 7 };

        /// <summary>The shared, read-only dataset.</summary>
        public static string Folder => Built.Value.Folder;

        /// <summary>What Make returned for it.</summary>
        public static IReadOnlyList<SynthCase> Cases => Built.Value.Cases;

        /// <summary>The atlas from mricron-data.</summary>
        public static SynthAtlas Atlas => LoadedAtlas.Value;
    }
}
