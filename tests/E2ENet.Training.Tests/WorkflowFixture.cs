using System;
using System.IO;
using E2ENet.Data.Volumes;
using E2ENet.Training.Runs;

namespace E2ENet.Training.Tests
{
    /// <summary>
    /// The runs the workflow tests share, trained once: on a synthetic dataset stored as MetaImage with detached headers
    /// (<c>.mhd</c> + raw), the narrow Tiny model for one epoch of two iterations: fold 0 (seed 1) and fold 1 (seed 2) with their
    /// final validation, and fold all (seed 3). Two test images are copied aside to predict.
    /// </summary>
    public sealed class WorkflowFixture : IDisposable
    {
        public WorkflowFixture()
        {
            Root = TrainingFixtures.TempFolder("workflow");
            Dataset = TrainingFixtures.SyntheticDataset(Path.Combine(Root, "data"), cases: 5, ending: ".mhd");
            Model = TrainingFixtures.Model(Root);
            Fold0 = Train("fold0", 0, 1);
            Fold1 = Train("fold1", 1, 2);
            FoldAll = Train("foldall", FoldSelection.All, 3);
            Images = Path.Combine(Root, "images");
            Directory.CreateDirectory(Images);
            foreach (string name in new[] { "blob_000_0000.mhd", "blob_003_0000.mhd" })
                foreach (string file in VolumeFiles.FilesOf(Path.Combine(Dataset, "imagesTr", name))) File.Copy(file, Path.Combine(Images, Path.GetFileName(file)));
        }

        public string Root { get; }

        public string Dataset { get; }

        public string Model { get; }

        public string Fold0 { get; }

        public string Fold1 { get; }

        public string FoldAll { get; }

        /// <summary>Two images to predict (.mhd + raw).</summary>
        public string Images { get; }

        public string Folder(string name) => Path.Combine(Root, name);

        private string Train(string name, int fold, long seed)
        {
            string run = Path.Combine(Root, name);
            new Trainer(new TrainerOptions
            {
                Dataset = Dataset,
                ModelFile = Model,
                Output = run,
                Fold = fold,
                Seed = seed,
                Epochs = 1,
                Iterations = 2,
                ValidationIterations = 1,
                Workers = 1,
                Preprocessed = Path.Combine(Root, "preprocessed"),
            }).Run();
            return run;
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Root, true);
            }
            catch (IOException)
            {
            }
        }
    }
}

namespace E2ENet.Training.Tests
{
    /// <summary>
    /// The test classes that share <see cref="WorkflowFixture"/> (trained once, run one after another, and not in parallel with
    /// any other class: the fixture's runs seed TorchSharp's process-wide generator, see <see cref="SeededTrainingCollection"/>).
    /// </summary>
    [Xunit.CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class WorkflowCollection : Xunit.ICollectionFixture<WorkflowFixture>
    {
        public const string Name = "workflow runs";
    }
}
