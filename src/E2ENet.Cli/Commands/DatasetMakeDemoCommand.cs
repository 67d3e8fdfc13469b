using System.CommandLine;
using E2ENet.Data;
using E2ENet.Data.Datasets;

namespace E2ENet.Cli.Commands
{
    /// <summary><c>e2enet dataset make-demo DIR [--cases N] [--test-cases N] [--seed S] [--spacing MM] [--force]</c>.</summary>
    public static class DatasetMakeDemoCommand
    {
        /// <summary>Builds the command.</summary>
        public static Command Create(CliContext context)
        {
            var folder = new Argument<string>("folder") { Description = "Where to write the dataset (a new or empty folder)." };
            var cases = new Option<int>("--cases") { Description = "Training cases (default 8).", DefaultValueFactory = _ => 8 };
            var test = new Option<int>("--test-cases") { Description = "Test cases, in imagesTs/ with labelsTs/ (default 2).", DefaultValueFactory = _ => 2 };
            var seed = new Option<int>("--seed") { Description = "Seed of the random crops, spacings and intensities (default 27).", DefaultValueFactory = _ => 27 };
            var spacing = new Option<double>("--spacing") { Description = "Typical in-plane spacing in mm (default 2).", DefaultValueFactory = _ => 2.0 };
            var force = new Option<bool>("--force") { Description = "Write into a folder that is not empty (files of the same names are replaced)." };
            var command = new Command("make-demo", "Build a small real dataset (MSD layout) from the Colin27 T1 and the AAL atlas of Debian's mricron-data: cerebellum, thalamus, basal ganglia.")
            {
                folder, cases, test, seed, spacing, force,
            };
            command.SetAction(parse =>
            {
                string target = parse.GetValue(folder)!;
                try
                {
                    var names = DemoDataset.Make(target, new DemoDatasetOptions
                    {
                        TrainingCases = parse.GetValue(cases),
                        TestCases = parse.GetValue(test),
                        Seed = parse.GetValue(seed),
                        Spacing = parse.GetValue(spacing),
                        Overwrite = parse.GetValue(force),
                    }, new CliProgress(context));
                    context.Output.WriteLine($"wrote {names.Count} case(s) to {target}: {string.Join(", ", names)}");
                    context.Output.WriteLine($"next: e2enet dataset check {target}");
                    return ExitCodes.Success;
                }
                catch (DataException e) { return DatasetCommand.Fail(context, e); }
            });
            return command;
        }
    }
}
