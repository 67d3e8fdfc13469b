using System.CommandLine;
using System.IO;
using System.Linq;
using E2ENet.Data;
using E2ENet.Data.Datasets;
using E2ENet.Data.Volumes;
using E2ENet.Training.Reporting;

namespace E2ENet.Cli.Commands
{
    /// <summary><c>e2enet dataset preview DIR [--out FILE.png] [--cases N] [--test]</c>: a few cases side by side, image and labels.</summary>
    public static class DatasetPreviewCommand
    {
        /// <summary>Builds the command.</summary>
        public static Command Create(CliContext context)
        {
            var folder = new Argument<string>("folder") { Description = "The dataset folder." };
            var output = new Option<string?>("--out") { Description = "The PNG to write (default DIR/preview.png)." };
            var cases = new Option<int>("--cases") { Description = "How many cases, the first ones by name (default 4).", DefaultValueFactory = _ => 4 };
            var test = new Option<bool>("--test") { Description = "Show test cases (imagesTs/, labelsTs/) instead of training cases." };
            var command = new Command("preview", "Write a PNG of a few cases side by side: three slices through each, the image in grey with its labels coloured over it.")
            {
                folder, output, cases, test,
            };
            command.SetAction(parse =>
            {
                string root = parse.GetValue(folder)!;
                int count = parse.GetValue(cases);
                if (count < 1 || count > 32) return context.UsageError("dataset preview", "--cases must be 1 to 32");
                try
                {
                    Dataset dataset = Dataset.Open(root);
                    var chosen = (parse.GetValue(test) ? dataset.Test : dataset.Training).Take(count).ToList();
                    if (chosen.Count == 0) throw new DataException(DataErrors.NoCases, root, parse.GetValue(test) ? "no test case to preview" : "no training case to preview");
                    var previews = chosen.Select(c => new PreviewCase(c.Name, VolumeFiles.Read(c.Images[0]), c.Label == null ? null : VolumeFiles.Read(c.Label))).ToList();
                    string path = parse.GetValue(output) ?? Path.Combine(root, "preview.png");
                    foreach (PreviewCase preview in previews)
                        if (preview.Label is Volume label && !label.SameGrid(preview.Image))
                            throw new DataException(DataErrors.ShapeMismatch, chosen.First(c => c.Name == preview.Title).Label, "the label is not on its image's grid; run 'e2enet dataset check'");
                    DatasetPreview.Write(path, previews, dataset.Json.Labels.OrderBy(l => l.Value).Select(l => l.Name).ToList());
                    context.Output.WriteLine($"wrote {path} ({previews.Count} case(s): {string.Join(", ", previews.Select(p => p.Title))})");
                    return ExitCodes.Success;
                }
                catch (DataException e) { return DatasetCommand.Fail(context, e); }
            });
            return command;
        }
    }
}
