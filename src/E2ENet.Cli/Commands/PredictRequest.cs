using System;
using System.Collections.Generic;

namespace E2ENet.Cli.Commands
{
    /// <summary>What <c>e2enet predict</c> was asked to do.</summary>
    public sealed record PredictRequest
    {
        /// <summary>Training run folders (TorchSharp); with <see cref="Bundles"/>, the members of the ensemble.</summary>
        public IReadOnlyList<string> Runs { get; init; } = Array.Empty<string>();

        /// <summary>Exported bundles (ONNX Runtime).</summary>
        public IReadOnlyList<string> Bundles { get; init; } = Array.Empty<string>();

        /// <summary>A folder of images or one image.</summary>
        public string Input { get; init; } = "";

        /// <summary>The folder the label volumes go into.</summary>
        public string Output { get; init; } = "";

        /// <summary>Which weights of a run: <c>final</c> or <c>best</c>.</summary>
        public string Checkpoint { get; init; } = "final";

        /// <summary>Whether <c>--checkpoint</c> was given on the command line (it concerns runs only).</summary>
        public bool CheckpointGiven { get; init; }

        /// <summary>A plan that replaces every member's own, or null.</summary>
        public string? Plan { get; init; }

        /// <summary><c>cpu</c>, <c>cuda</c> or <c>auto</c>.</summary>
        public string Device { get; init; } = "cpu";

        /// <summary>Skip test-time mirroring.</summary>
        public bool NoMirror { get; init; }

        /// <summary>Also write each case's probabilities (<c>CASE.npz</c>).</summary>
        public bool SaveProbabilities { get; init; }

        /// <summary><c>largest-component</c>, <c>largest-foreground</c>, a decision file, or null.</summary>
        public string? Postprocess { get; init; }
    }
}
