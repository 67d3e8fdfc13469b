using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using E2ENet.Data.Tests.Support;

namespace E2ENet.Data.Tests.Cli
{
    /// <summary>e2enet dataset check|make-demo|preprocess and e2enet evaluate, run in-process as a user would.</summary>
    public class DataCommandTests : IDisposable
    {
        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();


        [Fact]
        public void Check_a_clean_dataset_prints_the_summary()
        {
            var (exit, output, error) = CliCommand.Run("dataset", "check", DemoData.Folder);
            Assert.Equal(0, exit);
            Assert.Contains("3 training case(s), 1 test case(s), 1 channel(s) (T1), 4 classes", output);
            Assert.Contains("fg p99.5", output);
            Assert.Contains("basal_ganglia", output);
            Assert.EndsWith("No problems found.\n", output.Replace("\r\n", "\n"));
            Assert.Contains("check 4/4", error); // plain progress lines when not a terminal
        }

        [Fact]
        public void Check_lists_every_problem_and_exits_1()
        {
            string root = DemoData.CopyTo(_temp);
            string image = Directory.GetFiles(Path.Combine(root, "imagesTr")).First();
            File.Delete(image);
            File.WriteAllText(Path.Combine(root, "labelsTr", "readme.txt"), "notes");
            var (exit, output, _) = CliCommand.Run("dataset", "check", root);
            Assert.Equal(1, exit);
            Assert.Contains("error E4105", output);
            Assert.Contains("error E4107", output);
            Assert.Contains(image, output);
            Assert.Contains("2 problem(s) found", output);

            var (jsonExit, json, _) = CliCommand.Run("dataset", "check", root, "--json");
            Assert.Equal(1, jsonExit);
            using JsonDocument document = JsonDocument.Parse(json);
            Assert.False(document.RootElement.GetProperty("clean").GetBoolean());
            Assert.Equal(new[] { "E4105", "E4107" }, document.RootElement.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("id").GetString()).OrderBy(s => s));
        }

        [Fact]
        public void Check_json_of_a_clean_dataset_has_the_summary()
        {
            var (exit, json, _) = CliCommand.Run("dataset", "check", DemoData.Folder, "--json");
            Assert.Equal(0, exit);
            using JsonDocument document = JsonDocument.Parse(json);
            Assert.Equal(3, document.RootElement.GetProperty("summary").GetProperty("trainingCases").GetInt32());
        }

        [Fact]
        public void Check_of_a_missing_folder_names_it()
        {
            var (exit, output, _) = CliCommand.Run("dataset", "check", _temp.File("nowhere"));
            Assert.Equal(1, exit);
            Assert.Contains("error E4101", output);
        }

        [Fact]
        public void Make_demo_refuses_a_folder_with_content_and_keeps_it()
        {
            File.WriteAllText(_temp.File("mine.txt"), "keep");
            var (exit, _, error) = CliCommand.Run("dataset", "make-demo", _temp.Path, "--cases", "2");
            Assert.Equal(1, exit);
            Assert.Contains("E4205", error);
            Assert.Equal("keep", File.ReadAllText(_temp.File("mine.txt")));
            Assert.Equal(1, CliCommand.Run("dataset", "make-demo", _temp.File("x"), "--cases", "0").Exit);
        }

        [Fact]
        public void Preprocess_then_reuse_the_cache()
        {
            string output = _temp.File("pre");
            var (exit, text, _) = CliCommand.Run("dataset", "preprocess", DemoData.Folder, "--out", output, "--workers", "2");
            Assert.Equal(0, exit);
            Assert.Contains("3 case(s) computed, 0 reused", text);
            Assert.Contains("target spacing (D, H, W)", text);
            var (again, second, _) = CliCommand.Run("dataset", "preprocess", DemoData.Folder, "--out", output);
            Assert.Equal(0, again);
            Assert.Contains("0 case(s) computed, 3 reused from the cache, fingerprint reused", second);
        }

        [Fact]
        public void Preprocess_with_a_model_that_does_not_fit()
        {
            var (exit, _, error) = CliCommand.Run("dataset", "preprocess", DemoData.Folder, "--out", _temp.File("pre"), "--model", E2ENet.Tests.TestPaths.Repo("models", "brats.e2e") + ":Brats");
            Assert.Equal(1, exit);
            Assert.Contains("E4116", error);
            Assert.Equal(2, CliCommand.Run("dataset", "preprocess", DemoData.Folder, "--model", _temp.File("none.e2e")).Exit);
        }

        [Fact]
        public void Evaluate_prints_a_table_and_json_with_undefined_values_as_null()
        {
            string labels = Path.Combine(DemoData.Folder, "labelsTr");
            var (exit, output, _) = CliCommand.Run("evaluate", "--pred", labels, "--ref", labels, "--tolerance", "2");
            Assert.Equal(0, exit);
            Assert.Contains("surface Dice @2 mm", output);
            Assert.Contains("mean", output);

            var (jsonExit, json, _) = CliCommand.Run("evaluate", "--pred", labels, "--ref", labels, "--json", "--labels", "1,9");
            Assert.Equal(0, jsonExit);
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement nine = document.RootElement.GetProperty("perClass")[1];
            Assert.Equal(9, nine.GetProperty("label").GetInt32());
            Assert.Equal(JsonValueKind.Null, nine.GetProperty("dice").ValueKind); // empty in prediction and reference
            Assert.Equal(0, nine.GetProperty("diceCases").GetInt32());
            Assert.Equal(1.0, document.RootElement.GetProperty("meanDice").GetDouble());
        }

        [Fact]
        public void Evaluate_errors_and_usage()
        {
            string labels = Path.Combine(DemoData.Folder, "labelsTr");
            var (exit, _, error) = CliCommand.Run("evaluate", "--pred", Path.Combine(DemoData.Folder, "labelsTs"), "--ref", labels);
            Assert.Equal(1, exit);
            Assert.Contains("E4402", error);
            Assert.Equal(2, CliCommand.Run("evaluate", "--pred", labels, "--ref", labels, "--labels", "0,x").Exit);
            Assert.Equal(2, CliCommand.Run("evaluate", "--ref", labels).Exit);
            Assert.Equal(2, CliCommand.Run("evaluate", "--pred", labels, "--ref", labels, "--tolerance", "-1").Exit);
        }
    }
}
