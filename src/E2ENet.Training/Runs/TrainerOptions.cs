using System.Collections.Generic;
using System.IO;
using E2ENet.Torch;

namespace E2ENet.Training.Runs
{
    /// <summary>What <c>e2enet train</c> was asked to do.</summary>
    public sealed record TrainerOptions
    {
        /// <summary>The dataset folder (MSD / nnU-Net layout).</summary>
        public string Dataset { get; init; } = "";

        /// <summary>The .e2e file (null on resume: the run's own model.e2e; null with <see cref="Network"/>).</summary>
        public string? ModelFile { get; init; }

        /// <summary>
        /// The network to train instead of the run-time network of <see cref="ModelFile"/>: a generated class,
        /// <c>new NetworkFactory(SpleenNet.E2ENetwork, () =&gt; new SpleenNet())</c>. Its model (the class's <c>E2ESource</c>, with
        /// <see cref="Overrides"/>, <see cref="Epochs"/> and <see cref="Iterations"/> applied) is what is trained and written
        /// to the run's model.e2e; overrides may change the recipe, the patch, the sparsity and the inference settings, not the
        /// layers (E2E5012). On resume, give it again with the same settings (E2E5003 otherwise). Null: the run-time network.
        /// </summary>
        public NetworkFactory? Network { get; init; }

        /// <summary>The model's name in the file (null: the file's only model).</summary>
        public string? ModelName { get; init; }

        /// <summary><c>--set path=value</c> overrides.</summary>
        public IReadOnlyList<string> Overrides { get; init; } = new string[0];

        /// <summary>The run folder.</summary>
        public string Output { get; init; } = "";

        /// <summary>Epochs (overrides training.epochs).</summary>
        public int? Epochs { get; init; }

        /// <summary>Iterations per epoch (overrides training.iterations).</summary>
        public int? Iterations { get; init; }

        /// <summary>Validation iterations per epoch (default: a fifth of the training iterations, at most 50, at least 1).</summary>
        public int? ValidationIterations { get; init; }

        /// <summary>Cross-validation fold (0-based; the model's training.folds folds), or <see cref="FoldSelection.All"/> to train on every case.</summary>
        public int Fold { get; init; }

        /// <summary>Weights to start from (fine-tuning): a state dict of this model, loaded strictly (see <see cref="InitialWeights"/>); null: random initialisation.</summary>
        public string? InitWeights { get; init; }

        /// <summary>With <see cref="InitWeights"/>: keep the segmentation heads' random initialisation and ignore the file's heads (another label set).</summary>
        public bool InitWeightsSkipHeads { get; init; }

        /// <summary>Continue the run from its latest checkpoint.</summary>
        public bool Resume { get; init; }

        /// <summary><c>cpu</c> or <c>cuda</c>.</summary>
        public string Device { get; init; } = "cpu";

        /// <summary>
        /// The precision convolutions train in (<c>--precision</c>); null: fp16 on CUDA when the recipe's mixed_precision is on,
        /// fp32 otherwise. A resumed run keeps its own.
        /// </summary>
        public E2ENet.Torch.Precision.ComputePrecision? Precision { get; init; }

        /// <summary>Seed of every random choice (initialisation, topology, sampling, augmentation, evolution).</summary>
        public long Seed { get; init; } = 12345;

        /// <summary>Where the preprocessed dataset goes (default: the run's preprocessed/).</summary>
        public string? Preprocessed { get; init; }

        /// <summary>Background workers building batches.</summary>
        public int Workers { get; init; } = 2;

        /// <summary>Predict and evaluate the validation cases at the end (sliding window at full resolution).</summary>
        public bool FinalValidation { get; init; } = true;

        /// <summary>Stop after this many epochs of this invocation (the run stays resumable); for tests and time-boxed runs.</summary>
        public int? StopAfterEpochs { get; init; }

        /// <summary>Progress and log lines (standard error in the CLI).</summary>
        public TextWriter Log { get; init; } = TextWriter.Null;

        /// <summary>Whether <see cref="Log"/> is a terminal (progress updates in place) or a file/pipe (plain lines).</summary>
        public bool Interactive { get; init; }
    }
}
