using System.IO;
using System.Linq;
using System.Text.Json;
using E2ENet.Tests;
using static E2ENet.Cli.Tests.CliRunner;

namespace E2ENet.Cli.Tests
{
    public class CheckCommandTests
    {
        private static string Amos => TestPaths.Repo("models", "amos-ct.e2e");

        [Fact]
        public void Json_reports_the_reference_numbers_of_the_headline_model()
        {
            var (exit, output, _) = Run("check", Amos, "--json");
            Assert.Equal(0, exit);
            using JsonDocument json = JsonDocument.Parse(output);
            JsonElement model = json.RootElement.EnumerateArray().First(m => m.GetProperty("model").GetString() == "AmosCt");
            Assert.Equal(23_899_088, model.GetProperty("parameters").GetProperty("dense").GetInt64());
            Assert.Equal(9_445_351, model.GetProperty("parameters").GetProperty("active").GetInt64());
            Assert.Equal(790_903_603_200, model.GetProperty("macs").GetProperty("dense").GetInt64());
            Assert.Equal(222_310_323_200, model.GetProperty("macs").GetProperty("active").GetInt64());
            Assert.Equal(new[] { 64, 160, 160 }, model.GetProperty("patch").EnumerateArray().Select(e => e.GetInt32()));
            Assert.Equal(JsonValueKind.Array, model.GetProperty("diagnostics").ValueKind);
            Assert.Equal(6, model.GetProperty("levels").GetArrayLength());
            Assert.Equal(35, model.GetProperty("sparseLayers").GetArrayLength());
            Assert.Equal(5, json.RootElement.GetArrayLength()); // the five models of the file

            // AmosCtFast: the output-group unit with 8 groups; constant fan-in keeps the active count near the paper's.
            JsonElement fast = json.RootElement.EnumerateArray().First(m => m.GetProperty("model").GetString() == "AmosCtFast");
            Assert.Equal("group", fast.GetProperty("fusion").GetProperty("unit").GetString());
            Assert.Equal(8, fast.GetProperty("fusion").GetProperty("groups").GetInt32());
            Assert.Equal(9_440_288, fast.GetProperty("parameters").GetProperty("active").GetInt64());
            Assert.False(model.GetProperty("fusion").TryGetProperty("groups", out _));
        }

        [Fact]
        public void Overrides_change_the_report_and_the_128_cubed_macs_match_the_method_notes()
        {
            var (exit, output, _) = Run("check", Amos, "--model", "AmosCt", "--set", "input.patch=[128,128,128]", "--json");
            Assert.Equal(0, exit);
            using JsonDocument json = JsonDocument.Parse(output);
            JsonElement model = json.RootElement[0];
            Assert.Equal(1_012_356_612_096, model.GetProperty("macs").GetProperty("dense").GetInt64());
            Assert.Equal(284_557_213_696, model.GetProperty("macs").GetProperty("active").GetInt64());
        }

        [Fact]
        public void Nested_list_overrides_work_from_the_command_line()
        {
            var (exit, output, err) = Run("check", Amos, "--model", "AmosCt", "--set", "pools=[[1,2,2],[2,2,2],[2,2,2],[2,2,2],[1,2,2]]", "--set", "input.patch=[16,128,128]", "--json");
            Assert.True(exit == 0, output + err);
            using JsonDocument json = JsonDocument.Parse(output);
            Assert.Equal(new[] { 1, 2, 2 }, json.RootElement[0].GetProperty("pools")[0].EnumerateArray().Select(e => e.GetInt32()));
        }

        [Fact]
        public void Human_output_has_the_level_table_totals_memory_and_no_diagnostics_when_clean()
        {
            var (exit, output, _) = Run("check", Amos, "--model", "AmosCt");
            Assert.Equal(0, exit);
            Assert.Contains("level  width  size", output);
            Assert.Contains("23,899,088", output);
            Assert.Contains("9,445,351", output);
            Assert.Contains("training step memory (estimate, fp32, batch 2)", output);
            Assert.Contains("1 model(s) checked: 0 error(s), 0 warning(s).", output);
        }

        [Fact]
        public void Errors_print_file_line_column_and_id_and_exit_1()
        {
            string dir = Directory.CreateTempSubdirectory("e2e-cli").FullName;
            string file = Path.Combine(dir, "bad.e2e");
            File.WriteAllText(file, "model Bad {\n  input patch [30, 64, 64]\n  classes 3\n  fusion sparsty 0.5\n}\n");
            var (exit, output, _) = Run("check", file);
            Assert.Equal(1, exit);
            Assert.Contains(file + "(4,10): error E2E0201: unknown key 'fusion.sparsty'; did you mean 'sparsity'?", output);
            var (jsonExit, json, _) = Run("check", file, "--json");
            Assert.Equal(1, jsonExit);
            using JsonDocument doc = JsonDocument.Parse(json);
            JsonElement diagnostic = doc.RootElement[0].GetProperty("diagnostics").EnumerateArray().Single(d => d.GetProperty("id").GetString() == "E2E0201");
            Assert.Contains(doc.RootElement[0].GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("id").GetString() == "E2E0301");
            Assert.Equal("E2E0201", diagnostic.GetProperty("id").GetString());
            Assert.Equal("error", diagnostic.GetProperty("severity").GetString());
            Assert.Equal(file, diagnostic.GetProperty("file").GetString());
            Assert.Equal(4, diagnostic.GetProperty("line").GetInt32());
            Assert.Equal(10, diagnostic.GetProperty("column").GetInt32());
            Assert.False(doc.RootElement[0].GetProperty("valid").GetBoolean());
        }

        [Fact]
        public void A_bad_override_is_an_error_located_in_the_override()
        {
            var (exit, output, _) = Run("check", Amos, "--set", "fusion.sparsity=1.5");
            Assert.Equal(1, exit);
            Assert.Contains("--set(1,17): error E2E0204: 'fusion.sparsity' is 1.5, but it must be a number in [0, 1)", output);
        }

        [Theory]
        [InlineData("check")]
        [InlineData("check", "nope.e2e")]
        [InlineData("check", "--bogus", "x.e2e")]
        [InlineData("frobnicate")]
        [InlineData()]
        public void Usage_errors_exit_2_with_a_message(params string[] args)
        {
            var (exit, _, err) = Run(args);
            Assert.Equal(2, exit);
            Assert.Contains("error", err);
        }

        [Fact]
        public void An_unknown_model_is_a_usage_error_with_a_suggestion()
        {
            var (exit, _, err) = Run("check", Amos, "--model", "AmosCT");
            Assert.Equal(2, exit);
            Assert.Contains("E2E0104", err);
            Assert.Contains("did you mean 'AmosCt'?", err);
        }

        [Fact]
        public void The_real_executable_runs_quickstart_from_any_directory()
        {
            var (exit, output, err) = RunProcess(Path.GetTempPath(), "quickstart", "--check-only");
            Assert.True(exit == 0, output + err);
            Assert.Contains("All 23 models are valid", output); // 20 E2ENet models and 3 nnU-Net U-Nets
            Assert.Contains("AmosCtS9", output);
            Assert.Contains("TinyS5SparseAniso", output);
        }

        [Fact]
        public void The_real_executable_reports_errors_with_exit_code_1()
        {
            string dir = Directory.CreateTempSubdirectory("e2e-cli").FullName;
            File.WriteAllText(Path.Combine(dir, "b.e2e"), "model B : Missing { }\n");
            var (exit, output, _) = RunProcess(dir, "check", "b.e2e");
            Assert.Equal(1, exit);
            Assert.Contains("b.e2e(1,11): error E2E0102", output);
        }
    }
}
