// The training sample: a class generated at build time (E2ENet.Models.Colin27Demo, from models/demo/colin27.e2e) trained
// with dynamic sparse feature fusion, stopped and resumed, used to segment the held-out cases, and exported to a verified
// ONNX bundle, all through the library API. Usage (README.md, "Generated modules"):
//   dotnet run --project samples/E2ENet.TrainingSample -- [DATASET] [--out DIR] [--epochs E] [--iterations I]
// Without DATASET it builds the quickstart's Colin27 demo dataset (Debian's mricron-data) into DIR/dataset.
using System;
using System.Globalization;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Host;
using E2ENet.Data;
using E2ENet.Data.Datasets;
using E2ENet.Data.Evaluation;
using E2ENet.Data.Preprocessing;
using E2ENet.Models;
using E2ENet.Onnx.Diagnostics;
using E2ENet.Onnx.Export;
using E2ENet.Torch;
using E2ENet.Torch.Diagnostics;
using E2ENet.Torch.Weights;
using E2ENet.Training;
using E2ENet.Training.Runs;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

try
{
    string? datasetArgument = null;
    string output = "e2enet-training-sample";
    int epochs = 2, iterations = 10;
    for (int i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException(args[i] + " needs a value");
        int Count(string option) => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n : throw new ArgumentException(option + " " + args[i] + ": give a whole number from 1");
        switch (args[i])
        {
            case "--out": output = Value(); break;
            case "--epochs": epochs = Count("--epochs"); break;
            case "--iterations": iterations = Count("--iterations"); break;
            default: datasetArgument = args[i]; break;
        }
    }
    output = Path.GetFullPath(output);
    string dataset = datasetArgument ?? Path.Combine(output, "dataset");
    if (datasetArgument == null && !File.Exists(Path.Combine(dataset, "dataset.json")))
    {
        Console.WriteLine($"building the Colin27 demo dataset in {dataset}");
        DemoDataset.Make(dataset);
    }

    // The generated class: its IR (static, known before anything is allocated) and its constructor.
    var network = new NetworkFactory(Colin27Demo.E2ENetwork, () => new Colin27Demo());
    Console.WriteLine($"{Colin27Demo.E2EModelName}: {Colin27Demo.DenseParameters:N0} parameters, {Colin27Demo.ActiveParameters:N0} active at sparsity {Colin27Demo.Sparsity}");

    // Train it: one epoch, then resume for the rest (a stopped run resumes exactly; Network is given again).
    string runFolder = Path.Combine(output, "run");
    var run = new TrainingRun(runFolder);
    var options = new TrainerOptions
    {
        Dataset = dataset,
        Output = runFolder,
        Network = network,
        Epochs = epochs,
        Iterations = iterations,
        Log = Console.Error,
    };
    if (!File.Exists(run.FinalWeights))
    {
        if (!run.HasTraining && epochs > 1) new Trainer(options with { StopAfterEpochs = 1 }).Run();
        TrainingResult result = new Trainer(options with { Resume = run.HasTraining }).Run();
        Console.WriteLine($"trained {result.EpochsDone} epochs in {runFolder}; validation mean Dice {Mean(result.Validation):0.000}");
    }

    // The trained class: a new instance with the run's weights (strictly checked against the class's IR).
    using var trained = new Colin27Demo();
    using (StateDictLoader.Load(trained, run.FinalWeights))
    {
    }

    // Segment the held-out cases with it (nnU-Net's sliding window, the run's preprocessing plan) and evaluate them.
    Dataset data = Dataset.Open(dataset);
    if (data.Test.Count > 0)
    {
        PreprocessingPlan plan = DataJson.Read<PreprocessingPlan>(run.PlanFile);
        string predictions = Path.Combine(output, "predictions");
        Directory.CreateDirectory(predictions);
        foreach (DatasetCase item in data.Test)
        {
            NetworkPredictor.PredictCase(trained, item.Images, Path.Combine(predictions, item.Name + data.Json.FileEnding), plan);
        }
        string references = Path.Combine(dataset, "labelsTs");
        if (Directory.Exists(references))
        {
            EvaluationReport report = FolderEvaluation.Run(predictions, references, FinalValidation.Tolerance, FinalValidation.ForegroundClasses(Colin27Demo.E2ENetwork.Spec));
            Console.WriteLine($"held-out cases: mean Dice {Mean(report):0.000} ({predictions})");
        }
    }

    // Export it: the graph from its IR and weights, checked in ONNX Runtime against the class itself.
    using ModelSource source = ModelSource.FromNetwork(trained, run.FinalWeights);
    ExportResult export = OnnxExporter.Export(source, new ExportRequest { Out = Path.Combine(output, "bundle"), Plan = run.PlanFile, Force = true },
        line => Console.Error.WriteLine("  " + line));
    Console.WriteLine($"bundle {export.Bundle}: {export.Report.TotalParameters.Executed:N0} parameters executed of {export.Report.TotalParameters.Dense:N0}");
    return 0;
}
catch (TrainingException e)
{
    Console.Error.WriteLine(e.ToString());
}
catch (Exception e) when (e is DataException or E2ENetTorchException or E2ENetOnnxException or HostException or ArgumentException)
{
    Console.Error.WriteLine(e.Message);
}
return 1;

static double Mean(EvaluationReport? report)
    => report == null ? double.NaN : report.PerClass.Select(c => c.Dice).Where(d => !double.IsNaN(d)).DefaultIfEmpty(0).Average();
