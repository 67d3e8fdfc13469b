using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using E2ENet.Onnx.Bundle;
using E2ENet.Onnx.Diagnostics;
using E2ENet.Onnx.Export;
using E2ENet.Onnx.Runtime;

namespace E2ENet.Onnx.Tests
{
    /// <summary>A golden model's bundle, exported once for the bundle tests.</summary>
    public sealed class GoldenBundle : IDisposable
    {
        public GoldenBundle()
        {
            Folder = new TempFolder();
            Path = Folder["bundle"];
            var (exit, _, error) = Support.Cli("export", "--model", Support.GoldenModelFile("tiny_s3_dense") + ":TinyS3Dense", "--weights", Support.GoldenWeights("tiny_s3_dense"),
                "--out", Path, "--no-tune", "--triton", "--verify-patch", "32,32,64");
            Assert.True(exit == 0, error);
        }

        internal TempFolder Folder { get; }

        public string Path { get; }

        /// <summary>A copy of the bundle to damage.</summary>
        public string Copy(string name)
        {
            string target = Folder[name];
            Directory.CreateDirectory(target);
            foreach (string file in Directory.GetFiles(Path)) File.Copy(file, System.IO.Path.Combine(target, System.IO.Path.GetFileName(file)));
            return target;
        }

        public void Dispose() => Folder.Dispose();
    }

    /// <summary>The bundle: what it carries, the Triton repository, atomic writing, and clear errors for damaged bundles.</summary>
    public class BundleTests : IClassFixture<GoldenBundle>
    {
        private readonly GoldenBundle _golden;

        public BundleTests(GoldenBundle golden) => _golden = golden;

        [Fact]
        public void The_manifest_and_the_model_metadata_describe_the_model()
        {
            E2ENetBundle bundle = E2ENetBundle.Open(_golden.Path);
            BundleManifest m = bundle.Manifest;
            Assert.Equal("TinyS3Dense", m.Model);
            Assert.Equal(3, m.Classes);
            Assert.Equal(3, m.Labels.Count);
            Assert.Equal(new Compiler.Semantics.Int3(64, 32, 64), m.Patch);
            Assert.Equal(new Compiler.Semantics.Int3(32, 32, 32), m.DivisibleBy);
            Assert.Equal(new Compiler.Semantics.Int3(32, 32, 64), m.VerificationPatch);
            Assert.Equal(17, m.Opset);
            Assert.Equal(8, m.IrVersion);
            Assert.Equal(new[] { "batch", "1", "depth", "height", "width" }, m.Input.Shape);
            Assert.Equal(new[] { "batch", "3", "depth", "height", "width" }, m.Output.Shape);
            Assert.Equal(E2ENetBundle.Sha256File(Support.GoldenWeights("tiny_s3_dense")), m.WeightsSha256);
            Assert.Equal(E2ENetBundle.Sha256File(bundle.ModelPath), m.OnnxSha256);
            Assert.Contains(m.Checks, c => c.Name == "onnxruntime-fp32" && c.Against == "torchsharp" && c.RelativeError < 1e-4);
            Assert.Contains(m.Checks, c => c.Name == "pruned-fp32" && c.Against == "dense-fp32" && c.RelativeError < 1e-5);
            Assert.Equal("TinyS3Dense", bundle.Spec.Name);
            Assert.Contains("model TinyS3Dense", m.Source);

            using OnnxRunner runner = OnnxRunner.Create(bundle.ReadModel(), ExecutionDevice.Cpu);
            Assert.Equal("TinyS3Dense", runner.Metadata["e2enet.model"]);
            Assert.Equal(m.Source, runner.Metadata["e2enet.source"]);
            Assert.Equal(m.SourceSha256, runner.Metadata["e2enet.source_sha256"]);
            Assert.Equal(E2ENetBundle.Sha256(Encoding.UTF8.GetBytes(m.Source)), runner.Metadata["e2enet.source_sha256"]);
            Assert.Equal("3", runner.Metadata["e2enet.classes"]);
            Assert.Equal(JsonSerializer.Serialize(m.Labels), runner.Metadata["e2enet.labels"]);
            Assert.Equal("[64,32,64]", runner.Metadata["e2enet.patch"]);
            Assert.Equal("[32,32,32]", runner.Metadata["e2enet.divisible_by"]);
            Assert.Equal("[0,1,2]", runner.Metadata["e2enet.mirror_axes"]);
            Assert.Equal(ExportTool.Version, runner.Metadata["e2enet.tool_version"]);
            foreach (string key in new[] { "e2enet.spacing", "e2enet.normalization", "e2enet.input_channels", "e2enet.step", "e2enet.sigma", "e2enet.precision", "e2enet.pruned" })
            {
                Assert.True(runner.Metadata.ContainsKey(key), key);
            }

            using JsonDocument report = JsonDocument.Parse(File.ReadAllText(Path.Combine(_golden.Path, "report.json")));
            Assert.Equal(218880, report.RootElement.GetProperty("totals").GetProperty("parameters").GetProperty("dense").GetInt64());
            using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(_golden.Path, "manifest.json")));
            JsonElement fromReport = report.RootElement.GetProperty("totals"), fromManifest = manifest.RootElement.GetProperty("report").GetProperty("totals");
            foreach (string counts in new[] { "parameters", "macs" })
            {
                foreach (string kind in new[] { "dense", "active", "executed" })
                {
                    Assert.Equal(fromReport.GetProperty(counts).GetProperty(kind).GetInt64(), fromManifest.GetProperty(counts).GetProperty(kind).GetInt64());
                }
            }
        }

        [Fact]
        public void The_triton_repository_has_variable_spatial_dims_and_the_same_model()
        {
            string folder = Path.Combine(_golden.Path, "triton", "TinyS3Dense");
            string config = File.ReadAllText(Path.Combine(folder, "config.pbtxt"));
            Assert.Contains("name: \"TinyS3Dense\"", config);
            Assert.Contains("platform: \"onnxruntime_onnx\"", config);
            Assert.Contains("max_batch_size: 4", config);
            Assert.Contains("dims: [ 1, -1, -1, -1 ]", config);
            Assert.Contains("dims: [ 3, -1, -1, -1 ]", config);
            Assert.Contains("name: \"input\"", config);
            Assert.Contains("name: \"logits\"", config);
            Assert.Equal(File.ReadAllBytes(Path.Combine(_golden.Path, "model.onnx")), File.ReadAllBytes(Path.Combine(folder, "1", "model.onnx")));
            Assert.Equal("triton/TinyS3Dense", E2ENetBundle.Open(_golden.Path).Manifest.Triton);
        }

        [Fact]
        public void An_existing_target_is_never_overwritten_by_accident()
        {
            using var temp = new TempFolder();
            string other = temp["other"];
            Directory.CreateDirectory(other);
            File.WriteAllText(Path.Combine(other, "notes.txt"), "mine");
            string[] args = { "export", "--model", Support.GoldenModelFile("tiny_s3_dense") + ":TinyS3Dense", "--weights", Support.GoldenWeights("tiny_s3_dense"), "--no-tune", "--verify-patch", "32,32,64", "--out" };
            var (exit, _, error) = Support.Cli(args.Append(other).ToArray());
            Assert.Equal(2, exit);
            Assert.Contains("error E2E6003", error);
            Assert.Contains("is not an e2enet bundle", error);
            Assert.Equal("mine", File.ReadAllText(Path.Combine(other, "notes.txt")));

            string bundle = temp["bundle"];
            Assert.Equal(0, Support.Cli(args.Append(bundle).ToArray()).Exit);
            (exit, _, error) = Support.Cli(args.Append(bundle).ToArray());
            Assert.Equal(2, exit);
            Assert.Contains("pass --force", error);
            (exit, _, error) = Support.Cli(args.Append(bundle).Append("--force").Append("--seed").Append("7").ToArray());
            Assert.True(exit == 0, error);
            Assert.Equal(7, E2ENetBundle.Open(bundle).Manifest.VerificationSeed);
            Assert.Equal(new[] { "bundle", "other" }, Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName).OrderBy(n => n).ToArray());
        }

        [Fact]
        public void An_export_that_fails_its_check_leaves_nothing_that_looks_done()
        {
            using var temp = new TempFolder();
            using ModelSource source = ModelSource.Load(Support.GoldenModelFile("tiny_s3_dense"), "TinyS3Dense", Array.Empty<string>(), Support.GoldenWeights("tiny_s3_dense"));
            var request = new ExportRequest { Out = temp["bundle"], Tune = false, VerifyPatch = new Compiler.Semantics.Int3(32, 32, 64), Tolerances = new ExportTolerances(1e-12, 1e-5, 2e-2) };
            var error = Assert.Throws<E2ENetOnnxException>(() => OnnxExporter.Export(source, request));
            Assert.Equal("E2E6101", error.Id);
            Assert.Contains("nothing was written", error.Message);
            Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
        }

        [Fact]
        public void Damaged_bundles_are_clear_errors()
        {
            Assert.Equal("E2E6201", Assert.Throws<E2ENetOnnxException>(() => E2ENetBundle.Open(_golden.Folder["missing"])).Id);

            string noManifest = _golden.Copy("no-manifest");
            File.Delete(Path.Combine(noManifest, "manifest.json"));
            var e = Assert.Throws<E2ENetOnnxException>(() => E2ENetBundle.Open(noManifest));
            Assert.Equal("E2E6202", e.Id);
            Assert.Contains("has no manifest.json", e.Message);

            string notJson = _golden.Copy("not-json");
            File.WriteAllText(Path.Combine(notJson, "manifest.json"), "{ \"format\": ");
            Assert.Contains("is not valid JSON", Assert.Throws<E2ENetOnnxException>(() => E2ENetBundle.Open(notJson)).Message);

            string noHash = _golden.Copy("no-hash");
            Edit(noHash, text => text.Replace("\"sha256\": \"" + E2ENetBundle.Open(_golden.Path).Manifest.OnnxSha256 + "\"", "\"hash\": \"x\""));
            e = Assert.Throws<E2ENetOnnxException>(() => E2ENetBundle.Open(noHash));
            Assert.Equal("E2E6202", e.Id);
            Assert.Contains("field 'onnx.sha256' is missing", e.Message);

            string newer = _golden.Copy("newer");
            Edit(newer, text => text.Replace("\"formatVersion\": 1", "\"formatVersion\": 99"));
            Assert.Equal("E2E6205", Assert.Throws<E2ENetOnnxException>(() => E2ENetBundle.Open(newer)).Id);

            string edited = _golden.Copy("edited-source");
            Edit(edited, text => text.Replace("classes 3", "classes 4"));
            Assert.Contains("does not match its hash", Assert.Throws<E2ENetOnnxException>(() => E2ENetBundle.Open(edited)).Message);

            string tampered = _golden.Copy("tampered");
            byte[] bytes = File.ReadAllBytes(Path.Combine(tampered, "model.onnx"));
            bytes[bytes.Length / 2] ^= 0x5a;
            File.WriteAllBytes(Path.Combine(tampered, "model.onnx"), bytes);
            E2ENetBundle opened = E2ENetBundle.Open(tampered);
            e = Assert.Throws<E2ENetOnnxException>(() => opened.ReadModel());
            Assert.Equal("E2E6203", e.Id);
            Assert.Contains("does not match the manifest", e.Message);
        }

        private static void Edit(string bundle, Func<string, string> change)
        {
            string path = Path.Combine(bundle, "manifest.json");
            string text = File.ReadAllText(path);
            string changed = change(text);
            Assert.NotEqual(text, changed);
            File.WriteAllText(path, changed);
        }
    }
}
