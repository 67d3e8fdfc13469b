using E2ENet.Data.Postprocessing;

namespace E2ENet.Data.Inference
{
    /// <summary>What <see cref="CasePredictor.PredictFiles(System.Collections.Generic.IReadOnlyList{string}, string, Preprocessing.PreprocessingPlan, System.Collections.Generic.IReadOnlyList{EnsembleMember}, SlidingWindowOptions, CaseOutputs?, System.IProgress{DataProgress}?)"/> does besides writing the label volume.</summary>
    public sealed record CaseOutputs
    {
        /// <summary>Where the class probabilities go (<see cref="ProbabilityFile"/>, a <c>.npz</c>), or null for none.</summary>
        public string? ProbabilitiesFile { get; init; }

        /// <summary>The postprocessing applied to the labels before they are written, or null for none.</summary>
        public PostprocessingDecision? Postprocessing { get; init; }
    }
}
