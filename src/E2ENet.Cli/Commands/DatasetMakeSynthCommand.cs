using System.CommandLine;
using System.Globalization;
using System.Linq;
using E2ENet.Cli.Reporting;
using E2ENet.Data;
using E2ENet.Data.Datasets.Synth;

namespace E2ENet.Cli.Commands
{
    /// <summary><c>e2enet dataset make-synth DIR [--cases N] [--test-cases N] [--seed S] [--spacing MM] [--t1-share P] [--force]</c>.</summary>
    public static class DatasetMakeSynthCommand
    {
        /// <summary>Builds the command.</summary>
        public static Command Create(CliContext context)
        {
            var defaults = new SynthDatasetOptions();
            var folder = new Argument<string>("folder") { Description = "Where to write the dataset (a new or empty folder)." };
            var cases = new Option<int>("--cases") { Description = $"Training subjects (default {defaults.TrainingCases}).", DefaultValueFactory = _ => defaults.TrainingCases };
            var test = new Option<int>("--test-cases") { Description = $"Test subjects, in imagesTs/ with labelsTs/ (default {defaults.TestCases}).", DefaultValueFactory = _ => defaults.TestCases };
            var seed = new Option<int>("--seed") { Description = $"Seed of every random choice; the same seed gives the same files (default {defaults.Seed}).", DefaultValueFactory = _ => defaults.Seed };
            var spacing = new Option<double>("--spacing") { Description = "Voxel size in mm, 1 to 6 (default 2: 60x76x76 voxels).", DefaultValueFactory = _ => defaults.Spacing };
            var t1Share = new Option<double>("--t1-share") { Description = "Share of subjects whose image is the deformed T1 rather than drawn from their labels, 0 to 1 (default 0.5).", DefaultValueFactory = _ => defaults.T1Share };
            var force = new Option<bool>("--force") { Description = "Write into a folder that is not empty (files of the same names are replaced)." };
            var command = new Command("make-synth", "Build a dataset of distinct synthetic subjects (MSD layout): random diffeomorphic deformations of the Colin27 T1 and AAL atlas of Debian's mricron-data, with the deformed T1 or a SynthSeg-style image drawn from the labels; 8 classes.")
            {
                folder, cases, test, seed, spacing, t1Share, force,
            };
            command.SetAction(parse =>
            {
                string target = parse.GetValue(folder)!;
                try
                {
                    var made = SynthDataset.Make(target, new SynthDatasetOptions
                    {
                        TrainingCases = parse.GetValue(cases),
                        TestCases = parse.GetValue(test),
                        Seed = parse.GetValue(seed),
                        Spacing = parse.GetValue(spacing),
                        Overwrite = parse.GetValue(force),
                        T1Share = parse.GetValue(t1Share),
                    }, new CliProgress(context));
                    int t1 = made.Count(c => c.Info.Kind == SynthImageKind.T1);
                    context.Output.WriteLine($"wrote {made.Count} subject(s) to {target} ({made.Count(c => !c.Test)} training, {made.Count(c => c.Test)} test; {t1} T1 image(s), {made.Count - t1} label-driven), what was drawn in synth.json");
                    var table = new TextTable("value", "class", ">mean voxels", ">mean ml", ">volume cv");
                    foreach (SynthClassSize size in SynthClassSize.Of(made.Select(c => c.Info).ToList()))
                        table.Add(size.Class.Value.ToString(CultureInfo.InvariantCulture), size.Class.Name, DatasetCommand.Number(size.MeanVoxels, 0),
                                  DatasetCommand.Number(size.MeanMl, 1), double.IsNaN(size.CoefficientOfVariation) ? "-" : DatasetCommand.Number(100 * size.CoefficientOfVariation, 1) + " %");
                    context.Output.Write(table.ToString("  "));
                    context.Output.WriteLine($"next: e2enet dataset check {target}");
                    return ExitCodes.Success;
                }
                catch (DataException e) { return DatasetCommand.Fail(context, e); }
            });
            return command;
        }
    }
}
