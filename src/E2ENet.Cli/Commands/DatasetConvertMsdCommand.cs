using System.CommandLine;
using E2ENet.Data;
using E2ENet.Data.Datasets;

namespace E2ENet.Cli.Commands
{
    /// <summary><c>e2enet dataset convert-msd TASK_DIR OUT_DIR [--force]</c>: a Medical Segmentation Decathlon task into our layout.</summary>
    public static class DatasetConvertMsdCommand
    {
        /// <summary>Builds the command.</summary>
        public static Command Create(CliContext context)
        {
            var source = new Argument<string>("task") { Description = "The Decathlon task folder as downloaded (TaskXX_Name, with dataset.json, imagesTr/, labelsTr/, imagesTs/)." };
            var target = new Argument<string>("folder") { Description = "Where to write the converted dataset (a new or empty folder)." };
            var force = new Option<bool>("--force") { Description = "Write into a folder that is not empty (files of the same names are replaced)." };
            var command = new Command("convert-msd", "Convert a Medical Segmentation Decathlon task (4D multi-modal images) into this layout: one NAME_XXXX.nii.gz file per channel, a v2 dataset.json.")
            {
                source, target, force,
            };
            command.SetAction(parse =>
            {
                string output = parse.GetValue(target)!;
                try
                {
                    MsdConversion result = MsdConverter.Convert(parse.GetValue(source)!, output, parse.GetValue(force), new CliProgress(context));
                    context.Output.WriteLine($"wrote {result.Name} to {output}: {result.Training.Count} training case(s), {result.Test.Count} test case(s), {result.Channels} channel(s) per case");
                    context.Output.WriteLine($"next: e2enet dataset check {output}");
                    return ExitCodes.Success;
                }
                catch (DataException e) { return DatasetCommand.Fail(context, e); }
            });
            return command;
        }
    }
}
