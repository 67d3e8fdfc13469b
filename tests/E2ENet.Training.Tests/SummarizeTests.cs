using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using E2ENet.Cli;
using E2ENet.Data.Evaluation;
using E2ENet.Data.Postprocessing;
using E2ENet.Data.Preprocessing;

namespace E2ENet.Training.Tests
{
    /// <summary>
    /// <c>summarize</c>: the cross-validation table from each fold's final validation, the pooled means over every validation
    /// case, the best of several configurations, the postprocessing decision file (read back by <c>predict</c>), and refusals.
    /// </summary>
    [Collection(WorkflowCollection.Name)]
    public class SummarizeTests
    {
        private readonly WorkflowFixture _runs;

        public SummarizeTests(WorkflowFixture runs) => _runs = runs;

        private static (int Exit, string Output, string Error) Cli(params string[] args)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int exit = CliApp.Run(args, output, error);
            return (exit, output.ToString(), error.ToString());
        }

        [Fact]
        public void The_table_pools_every_folds_validation_cases_and_the_decision_is_written()
        {
            string decision = _runs.Folder("summary-decision.json");
            var (exit, output, error) = Cli("summarize", _runs.Fold0, _runs.Fold1, _runs.FoldAll, "--decision", decision);
            Assert.True(exit == 0, output + error);
            Assert.Contains("configuration Tiny: 2 validated fold(s), 5 validation case(s)", output);
            Assert.Contains("blob Dice", output);
            Assert.Contains("small_blob HD95", output);
            Assert.Contains("trained on every case (--fold all), nothing to validate: " + _runs.FoldAll, output);
            Assert.Contains("one configuration: Tiny", output);
            Assert.Contains("largest component of the foreground: ", output);
            Assert.Contains("written to " + decision, output);
            PostprocessingDecision read = PostprocessingFile.Read(decision);
            Assert.Equal(new[] { "background", "blob", "small_blob" }, read.Labels);

            (exit, output, error) = Cli("summarize", _runs.Fold0, _runs.Fold1, "--json", "--decision", decision);
            Assert.True(exit == 0, output + error);
            using JsonDocument json = JsonDocument.Parse(output);
            JsonElement configuration = json.RootElement.GetProperty("configurations")[0];
            Assert.Equal(2, configuration.GetProperty("folds").GetArrayLength());
            JsonElement pooled = configuration.GetProperty("pooled");
            Assert.Equal(5, pooled.GetProperty("cases").GetInt32());
            // The pooled Dice of a class is the mean over both folds' validation cases (nnU-Net evaluates the merged folds).
            var cases = new[] { _runs.Fold0, _runs.Fold1 }.SelectMany(r => DataJson.Read<EvaluationReport>(Path.Combine(r, "validation", "summary.json")).Cases).ToList();
            for (int c = 1; c <= 2; c++)
            {
                var dice = cases.Select(e => e.Classes.Single(m => m.Label == c).Dice).Where(d => !double.IsNaN(d)).ToList();
                JsonElement reported = pooled.GetProperty("classes")[c - 1].GetProperty("dice");
                if (dice.Count == 0) Assert.Equal(JsonValueKind.Null, reported.ValueKind);
                else Assert.Equal(dice.Average(), reported.GetDouble(), 9);
            }
            Assert.Equal(decision, json.RootElement.GetProperty("decisionFile").GetString());
            Assert.Equal("Tiny", json.RootElement.GetProperty("best").GetString());
        }

        [Fact]
        public void The_best_of_two_configurations_is_the_one_with_the_higher_pooled_foreground_Dice()
        {
            // A second configuration: the same runs under another model.e2e, whose validation predictions are perfect.
            string[] copies = new[] { _runs.Fold0, _runs.Fold1 }.Select(run =>
            {
                string copy = _runs.Folder("perfect-" + Path.GetFileName(run));
                CopyFolder(run, copy);
                File.AppendAllText(Path.Combine(copy, "model.e2e"), "\n// another configuration\n");
                string validation = Path.Combine(copy, "validation");
                foreach (string reference in Directory.GetFiles(Path.Combine(validation, "references")))
                    File.Copy(reference, Path.Combine(validation, "predictions", Path.GetFileName(reference)), overwrite: true);
                EvaluationReport report = FolderEvaluation.Run(Path.Combine(validation, "predictions"), Path.Combine(validation, "references"), 1.0, new[] { 1, 2 });
                File.WriteAllText(Path.Combine(validation, "summary.json"), DataJson.Serialize(report));
                return copy;
            }).ToArray();
            var (exit, output, error) = Cli("summarize", _runs.Fold0, _runs.Fold1, copies[0], copies[1], "--decision", _runs.Folder("two.json"));
            Assert.True(exit == 0, output + error);
            Assert.Contains("configuration Tiny: 2 validated", output);
            Assert.Contains("configuration Tiny (2): 2 validated", output);
            Assert.Contains("best configuration: Tiny (2) (mean foreground Dice 1 over 5 validation cases)", output);
            Assert.Contains("decision: none", output); // nothing improves perfect predictions
        }

        [Fact]
        public void Runs_that_cannot_be_summarized_together_are_refused()
        {
            var (exit, _, error) = Cli("summarize", _runs.Fold0, _runs.Fold0);
            Assert.Equal(1, exit);
            Assert.Contains("error E2E5011: is fold 0 of configuration Tiny again", error);

            (exit, _, error) = Cli("summarize", _runs.FoldAll);
            Assert.Equal(1, exit);
            Assert.Contains("error E2E5011: no run was validated", error);

            string other = _runs.Folder("other-labels-run");
            CopyFolder(_runs.Fold1, other);
            File.WriteAllText(Path.Combine(other, "plan.json"), File.ReadAllText(Path.Combine(other, "plan.json")).Replace("small_blob", "tumour"));
            (exit, _, error) = Cli("summarize", _runs.Fold0, other);
            Assert.Equal(1, exit);
            Assert.Contains(other + ": error E2E5011: predicts the labels [background, blob, tumour]", error);

            (exit, _, error) = Cli("summarize", _runs.Dataset);
            Assert.Equal(1, exit);
            Assert.Contains("error E2E5009", error);
            (exit, _, error) = Cli("summarize", _runs.Folder("nowhere"));
            Assert.Equal(2, exit);
        }

        private static void CopyFolder(string from, string to)
        {
            foreach (string directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
                Directory.CreateDirectory(directory.Replace(from, to, StringComparison.Ordinal));
            Directory.CreateDirectory(to);
            foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            {
                if (file.Contains(Path.DirectorySeparatorChar + "checkpoints" + Path.DirectorySeparatorChar, StringComparison.Ordinal)) continue;
                File.Copy(file, file.Replace(from, to, StringComparison.Ordinal), overwrite: true);
            }
        }
    }
}
