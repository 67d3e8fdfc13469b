using System;
using System.CommandLine;
using System.IO;
using System.Threading;
using E2ENet.Training.Runs;

namespace E2ENet.Cli.Commands
{
    /// <summary>
    /// <c>e2enet train DATASET --model FILE.e2e[:Model] --out RUN [--set ...] [--epochs E] [--iterations I] [--fold k]
    /// [--resume] [--device cpu|cuda] [--seed s] [--init-weights W [--init-weights-skip-heads]]</c> (k a fold number or <c>all</c>): trains an E2ENet with dynamic sparse feature fusion.
    /// </summary>
    public static class TrainCommand
    {
        /// <summary>Builds the command.</summary>
        public static Command Create(CliContext context)
        {
            var dataset = new Argument<string>("dataset") { Description = "The dataset folder (MSD / nnU-Net layout: dataset.json, imagesTr/, labelsTr/)." };
            var model = new Option<string?>("--model") { Description = "The model: FILE.e2e, or FILE.e2e:Model when the file has several (not needed with --resume)." };
            var output = new Option<string>("--out") { Description = "The run folder (created; holds checkpoints, logs, metrics, plots, weights).", Required = true };
            var set = new Option<string[]>("--set") { Description = "Override a key of the model: --set fusion.sparsity=0.9 (repeatable).", AllowMultipleArgumentsPerToken = false };
            var epochs = new Option<int?>("--epochs") { Description = "Epochs (overrides training.epochs)." };
            var iterations = new Option<int?>("--iterations") { Description = "Iterations per epoch (overrides training.iterations)." };
            var validation = new Option<int?>("--validation-iterations") { Description = "Validation batches per epoch (default: iterations / 5, 1 to 50)." };
            var fold = new Option<string>("--fold") { Description = "Cross-validation fold (0-based), or 'all' to train on every case with nothing held out.", DefaultValueFactory = _ => "0" };
            var resume = new Option<bool>("--resume") { Description = "Continue the run from its latest checkpoint (same masks, optimizer state, schedule and sampler position)." };
            var device = new Option<string>("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" };
            var seed = new Option<long>("--seed") { Description = "Seed of every random choice.", DefaultValueFactory = _ => 12345 };
            var preprocessed = new Option<string?>("--preprocessed") { Description = "Where to put (or find) the preprocessed dataset (default: RUN/preprocessed)." };
            var workers = new Option<int>("--workers") { Description = "Background workers building batches.", DefaultValueFactory = _ => 2 };
            var stop = new Option<int?>("--stop-after") { Description = "Stop after this many epochs of this invocation (resumable later)." };
            var noValidation = new Option<bool>("--no-final-validation") { Description = "Skip predicting and evaluating the validation cases at the end." };
            var initWeights = new Option<string?>("--init-weights") { Description = "Start from these weights (fine-tuning): a state dict of this model (torch.save or safetensors), loaded strictly." };
            var skipHeads = new Option<bool>("--init-weights-skip-heads") { Description = "With --init-weights: ignore the file's segmentation heads and start the model's afresh (another label set)." };
            var maxMemory = MaxMemoryOption.Create();
            var precision = PrecisionOption.Create("default fp16 on cuda when training.mixed_precision is on, fp32 otherwise; a resumed run keeps its own.");
            var command = new Command("train", "Train an E2ENet with dynamic sparse feature fusion on a dataset; resumable after any crash.")
            {
                dataset, model, output, set, epochs, iterations, validation, fold, resume, device, seed, preprocessed, workers, stop, noValidation, initWeights, skipHeads, maxMemory, precision,
            };
            command.SetAction(parse => MaxMemoryOption.Run(context, "train", parse.GetValue(maxMemory), () =>
            {
                string? modelArgument = parse.GetValue(model);
                (string? file, string? name) = modelArgument == null ? (null, null) : ForwardModelArgument.Parse(modelArgument);
                string foldText = parse.GetValue(fold)!;
                if (FoldSelection.Parse(foldText) is not int foldNumber) return context.UsageError("train", $"--fold '{foldText}' is not a fold number (0, 1, ...) or 'all'");
                if (!PrecisionOption.TryParse(context, "train", parse.GetValue(precision), out var chosen, out int exit)) return exit;
                var options = new TrainerOptions
                {
                    Dataset = parse.GetValue(dataset)!,
                    ModelFile = file,
                    ModelName = name,
                    Output = parse.GetValue(output)!,
                    Overrides = parse.GetValue(set) ?? Array.Empty<string>(),
                    Epochs = parse.GetValue(epochs),
                    Iterations = parse.GetValue(iterations),
                    ValidationIterations = parse.GetValue(validation),
                    Fold = foldNumber,
                    InitWeights = parse.GetValue(initWeights),
                    InitWeightsSkipHeads = parse.GetValue(skipHeads),
                    Resume = parse.GetValue(resume),
                    Device = parse.GetValue(device)!,
                    Seed = parse.GetValue(seed),
                    Preprocessed = parse.GetValue(preprocessed),
                    Workers = parse.GetValue(workers),
                    StopAfterEpochs = parse.GetValue(stop),
                    FinalValidation = !parse.GetValue(noValidation),
                    Precision = chosen,
                };
                return Run(context, options);
            }));
            return command;
        }

        /// <summary>Runs the training; exit 0 done (or stopped as asked), 1 errors in the input, 2 usage errors.</summary>
        public static int Run(CliContext context, TrainerOptions options)
        {
            string? unknown = CliApp.UnknownOption(new[] { options.Dataset, options.ModelFile ?? "", options.Output, options.InitWeights ?? "" });
            if (unknown != null) return context.UsageError("train", $"unknown option '{unknown}'");
            if (!Directory.Exists(options.Dataset)) return context.UsageError("train", $"the dataset folder '{options.Dataset}' does not exist");
            if (options.ModelFile != null && !File.Exists(options.ModelFile)) return context.UsageError("train", $"cannot read the model file '{options.ModelFile}': no such file");
            if (options.ModelFile == null && !options.Resume) return context.UsageError("train", "give the model to train: --model FILE.e2e[:Model]");
            if (options.InitWeights != null && !File.Exists(options.InitWeights)) return context.UsageError("train", $"cannot read --init-weights '{options.InitWeights}': no such file");

            using var cancellation = new CancellationTokenSource();
            ConsoleCancelEventHandler handler = (_, e) =>
            {
                e.Cancel = true;
                cancellation.Cancel();
                context.Error.WriteLine("stopping at the end of this iteration; the last checkpoint is kept (continue with --resume)");
            };
            Console.CancelKeyPress += handler;
            try
            {
                return CliErrors.Guard(context, () =>
                {
                    var trainer = new Trainer(options with
                    {
                        Log = context.Error,
                        Interactive = ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected,
                    });
                    TrainingResult result = trainer.Run(cancellation.Token);
                    context.Output.WriteLine(result.Finished
                        ? $"trained {result.EpochsDone} epochs: {Path.Combine(result.RunFolder, "weights.pt")}"
                        : $"stopped after epoch {result.EpochsDone}: resume with --resume");
                    return ExitCodes.Success;
                });
            }
            finally
            {
                Console.CancelKeyPress -= handler;
            }
        }
    }
}
