using System;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Inference;
using E2ENet.Data.Preprocessing;

namespace E2ENet.Cli.Commands
{
    /// <summary>One network of a <c>predict</c> (a run's TorchSharp network or a bundle in ONNX Runtime): its model, plan and tile function.</summary>
    internal sealed class PredictMember : IDisposable
    {
        private readonly IDisposable _owner;

        public PredictMember(string source, ModelSpec spec, string planPath, PatchPredictor predict, IDisposable owner, string description)
        {
            Source = source;
            Spec = spec;
            PlanPath = planPath;
            try
            {
                Plan = DataJson.Read<PreprocessingPlan>(planPath);
            }
            catch
            {
                owner.Dispose();
                throw;
            }
            Predict = predict;
            _owner = owner;
            Description = description;
        }

        /// <summary>The run or bundle folder it came from.</summary>
        public string Source { get; }

        public ModelSpec Spec { get; }

        public string PlanPath { get; }

        public PreprocessingPlan Plan { get; }

        public PatchPredictor Predict { get; }

        public string Description { get; }

        public void Dispose() => _owner.Dispose();
    }
}
