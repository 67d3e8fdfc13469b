using System.CommandLine;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using E2ENet.Cli.Reporting;
using E2ENet.Data.Datasets;

namespace E2ENet.Cli.Commands
{
    /// <summary><c>e2enet dataset check DIR [--json] [--workers N]</c>: every problem at once, or the dataset's summary.</summary>
    public static class DatasetCheckCommand
    {
        /// <summary>Builds the command.</summary>
        public static Command Create(CliContext context)
        {
            var folder = new Argument<string>("folder") { Description = "The dataset folder (dataset.json, imagesTr/, labelsTr/, imagesTs/)." };
            var json = new Option<bool>("--json") { Description = "Print the problems and the summary as JSON on standard output." };
            var workers = new Option<int>("--workers") { Description = "Cases read at once (default: one per core, fewer when large cases would not fit in memory together)." };
            var maxMemory = MaxMemoryOption.Create();
            var command = new Command("check", "Check a dataset: layout, every volume, grids, labels. Lists every problem (exit 1), or prints a summary (exit 0).")
            {
                folder, json, workers, maxMemory,
            };
            command.SetAction(parse => MaxMemoryOption.Run(context, "dataset check", parse.GetValue(maxMemory),
                () => CliErrors.Guard(context, () => Run(context, parse.GetValue(folder)!, parse.GetValue(json), parse.GetValue(workers)))));
            return command;
        }

        /// <summary>Runs the check.</summary>
        public static int Run(CliContext context, string folder, bool json, int workers)
        {
            if (workers < 0) return context.UsageError("dataset check", "--workers must be 0 (automatic) or more");
            DatasetCheckReport report = DatasetChecker.Check(folder, new CliProgress(context), workers);
            if (json)
            {
                context.Output.Write(Json(folder, report));
                return report.IsClean ? ExitCodes.Success : ExitCodes.Errors;
            }
            var output = context.Output;
            if (report.Dataset != null)
            {
                Dataset d = report.Dataset;
                output.WriteLine($"dataset {d.Json.Name} ({folder}): {d.Training.Count} training case(s), {d.Test.Count} test case(s), {d.Channels} channel(s) ({string.Join(", ", d.Json.Channels.Select(c => c.Name))}), {d.Classes} classes");
            }
            if (!report.IsClean)
            {
                foreach (DatasetProblem problem in report.Problems) output.WriteLine(problem);
                output.WriteLine($"{report.Problems.Count} problem(s) found; the ids are explained in docs/data.md.");
                return ExitCodes.Errors;
            }
            output.Write(Summary(report.Summary!));
            output.WriteLine("No problems found.");
            return ExitCodes.Success;
        }

        /// <summary>The human summary: shapes and spacings, channel intensities, class frequencies.</summary>
        internal static string Summary(DatasetSummary summary)
        {
            var text = new StringBuilder();
            var grid = new TextTable("axis", ">shape min", ">median", ">max", ">spacing min (mm)", ">median", ">max");
            string[] axes = { "i", "j", "k" };
            for (int a = 0; a < 3; a++)
                grid.Add(axes[a], N(summary.ShapeIjk[a].Min, 0), N(summary.ShapeIjk[a].Median, 1), N(summary.ShapeIjk[a].Max, 0),
                    N(summary.SpacingIjk[a].Min, 3), N(summary.SpacingIjk[a].Median, 3), N(summary.SpacingIjk[a].Max, 3));
            text.Append('\n').Append(grid.ToString("  "));
            var channels = new TextTable("channel", "name", "normalization", ">fg mean", ">fg sd", ">fg p0.5", ">fg p99.5", ">min", ">max");
            foreach (ChannelSummary c in summary.Channels)
                channels.Add(c.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Name, c.Normalization.ToString().ToLowerInvariant(),
                    N(c.Foreground.Mean, 2), N(c.Foreground.StandardDeviation, 2), N(c.Foreground.Percentile005, 2), N(c.Foreground.Percentile995, 2), N(c.Min, 2), N(c.Max, 2));
            text.Append('\n').Append(channels.ToString("  "));
            var classes = new TextTable(">label", "name", ">cases", ">voxel share", ">mean volume (ml)");
            foreach (ClassFrequency c in summary.Classes)
                classes.Add(c.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Name, $"{c.Cases}/{summary.TrainingCases}", N(100 * c.MeanVoxelShare, 2) + " %", N(c.MeanVolumeMl, 1));
            text.Append('\n').Append(classes.ToString("  ")).Append('\n');
            return text.ToString();
        }

        private static string N(double value, int decimals) => DatasetCommand.Number(value, decimals);

        private static string Json(string folder, DatasetCheckReport report)
        {
            using var stream = new MemoryStream();
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteString("folder", folder);
                json.WriteBoolean("clean", report.IsClean);
                json.WriteStartArray("problems");
                foreach (DatasetProblem p in report.Problems)
                {
                    json.WriteStartObject();
                    json.WriteString("id", p.Error.Id);
                    json.WriteString("title", p.Error.Title);
                    json.WriteString("file", p.File);
                    json.WriteString("message", p.Message);
                    json.WriteString("fix", p.Error.Fix);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WritePropertyName("summary");
                if (report.IsClean && report.Summary is DatasetSummary s)
                    JsonSerializer.Serialize(json, s, E2ENet.Data.Preprocessing.DataJson.Options);
                else json.WriteNullValue();
                json.WriteEndObject();
            }
            return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
        }
    }
}
