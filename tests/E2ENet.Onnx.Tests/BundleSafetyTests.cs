using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using E2ENet.Compiler.Host;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Bundle;
using E2ENet.Onnx.Diagnostics;
using E2ENet.Onnx.Export;
using E2ENet.Onnx.Runtime;

namespace E2ENet.Onnx.Tests
{
    /// <summary>
    /// Issue 10 (2, 3, 4, 8): <c>export --force</c> replaces only our own bundles, replaces them in one step, leaves nothing of a
    /// killed export behind once the next export or reader has run, one exporter per target; and a graph that disagrees with its
    /// manifest is refused by every reader.
    /// </summary>
    public class BundleSafetyTests : IClassFixture<GoldenBundle>
    {
        private readonly GoldenBundle _golden;

        public BundleSafetyTests(GoldenBundle golden) => _golden = golden;

        private static string[] Export(string target, params string[] more)
            => new[] { "export", "--model", Support.GoldenModelFile("tiny_s3_dense") + ":TinyS3Dense", "--weights", Support.GoldenWeights("tiny_s3_dense"),
                "--no-tune", "--verify-patch", "32,32,64", "--out", target }.Concat(more).ToArray();

        /// <summary>A full copy of the golden bundle (Triton repository included).</summary>
        private static void CopyTree(string from, string to)
        {
            Directory.CreateDirectory(to);
            foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            {
                string target = Path.Combine(to, Path.GetRelativePath(from, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }

        [Fact]
        public void Force_never_touches_a_folder_that_merely_holds_a_manifest()
        {
            using var temp = new TempFolder();
            // A project folder that happens to hold a manifest.json (even a real bundle's) beside its own files.
            string work = temp["w"];
            CopyTree(_golden.Path, work);
            Directory.CreateDirectory(Path.Combine(work, "src"));
            File.WriteAllText(Path.Combine(work, "src", "app.js"), "console.log('mine')");
            var (exit, _, error) = Support.Cli(Export(work, "--force"));
            Assert.Equal(2, exit);
            Assert.Contains("error E2E6003", error);
            Assert.Contains("src/, src/app.js, which no export writes", error);
            Assert.Equal("console.log('mine')", File.ReadAllText(Path.Combine(work, "src", "app.js")));
            Assert.True(File.Exists(Path.Combine(work, "manifest.json")));

            // Any other manifest.json (a web app's) is not ours either.
            string web = temp["web"];
            Directory.CreateDirectory(web);
            File.WriteAllText(Path.Combine(web, "manifest.json"), "{\"name\": \"my app\", \"start_url\": \"/\"}");
            (exit, _, error) = Support.Cli(Export(web, "--force"));
            Assert.Equal(2, exit);
            Assert.Contains("is not an e2enet bundle manifest", error);
            Assert.Single(Directory.GetFileSystemEntries(web));
            Assert.False(AtomicFolder.IsBundle(web));
            Assert.True(AtomicFolder.IsBundle(_golden.Path));
            Assert.Equal(new[] { "w", "web" }, Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName).OrderBy(n => n).ToArray());
        }

        [Fact]
        public void A_switch_killed_between_its_two_renames_is_finished_by_the_next_reader()
        {
            using var temp = new TempFolder();
            string bundle = temp["b"];
            // The fallback switch (no atomic exchange) killed after moving the old bundle aside: the new, finished one waits in
            // its temporary folder and there is no bundle at the target.
            CopyTree(_golden.Path, temp[".b.old-4242-0badc0de"]);
            CopyTree(_golden.Path, temp[".b.export-4243-0123abcd"]);
            File.WriteAllText(Path.Combine(temp[".b.export-4243-0123abcd"], "report.json"), "{\"new\": true}\n");
            E2ENetBundle opened = E2ENetBundle.Open(bundle);
            Assert.Equal("{\"new\": true}\n", File.ReadAllText(Path.Combine(opened.Folder, "report.json")));
            Assert.Equal(new[] { "b" }, Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName).ToArray());

            // Killed before the new bundle was finished (its temporary folder still marked): the old one goes back.
            string other = temp["c"];
            CopyTree(_golden.Path, temp[".c.old-4242-0badc0de"]);
            Directory.CreateDirectory(temp[".c.export-4244-89abcdef"]);
            File.WriteAllText(Path.Combine(temp[".c.export-4244-89abcdef"], AtomicFolder.UnfinishedMarker), "x");
            File.WriteAllBytes(Path.Combine(temp[".c.export-4244-89abcdef"], "model.onnx"), new byte[10]);
            Assert.Equal("TinyS3Dense", E2ENetBundle.Open(other).Manifest.Model);
            Assert.Equal(new[] { "b", "c" }, Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName).OrderBy(n => n).ToArray());
        }

        [Fact]
        public void Temporaries_of_killed_exports_are_cleaned_and_a_replacement_leaves_only_the_new_bundle()
        {
            using var temp = new TempFolder();
            string bundle = temp["b"];
            CopyTree(_golden.Path, bundle);
            // Two killed exports: an unfinished one, and one killed after it switched (holding the old bundle).
            string unfinished = temp[".b.export-111-aaaaaaaa"], afterSwitch = temp[".b.export-222-bbbbbbbb"];
            Directory.CreateDirectory(unfinished);
            File.WriteAllText(Path.Combine(unfinished, AtomicFolder.UnfinishedMarker), "x");
            File.WriteAllBytes(Path.Combine(unfinished, "model.onnx"), new byte[10]);
            CopyTree(_golden.Path, afterSwitch);
            // A folder of that name with something we never write is not ours: left as it is.
            string strange = temp[".b.export-333-cccccccc"];
            Directory.CreateDirectory(strange);
            File.WriteAllText(Path.Combine(strange, "thesis.tex"), "mine");
            // And a user's own backup is not an export's folder at all.
            CopyTree(_golden.Path, temp["b.old-backup"]);

            var (exit, _, error) = Support.Cli(Export(bundle, "--force", "--seed", "9"));
            Assert.True(exit == 0, error);
            Assert.Equal(9, E2ENetBundle.Open(bundle).Manifest.VerificationSeed);
            Assert.Equal(new[] { ".b.export-333-cccccccc", "b", "b.old-backup" }, Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray());
            Assert.Equal(new[] { "thesis.tex" }, Directory.GetFileSystemEntries(strange).Select(Path.GetFileName).ToArray());
            Assert.True(UnixFiles.TryExchange(temp["b"], temp["b.old-backup"]), "renameat2(RENAME_EXCHANGE) is expected to work on this Linux file system");
        }

        [Fact]
        public void One_exporter_per_target()
        {
            using var temp = new TempFolder();
            string bundle = temp["b"];
            using (AtomicFolder.Lock(bundle, "e2enet export"))
            {
                var (exit, _, error) = Support.Cli(Export(bundle));
                Assert.Equal(1, exit);
                Assert.Contains("error E2E7002", error);
                Assert.Contains("pid " + Environment.ProcessId + ": e2enet export", error);
            }
            Assert.False(Directory.Exists(bundle));
            Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
        }

        [Fact]
        public void A_graph_that_disagrees_with_its_manifest_is_refused_by_every_reader()
        {
            using var temp = new TempFolder();
            string three = temp["three"], four = temp["four"];
            foreach (var (folder, classes) in new[] { (three, 3), (four, 4) })
            {
                File.WriteAllText(temp["m.e2e"], "model M {\n  input channels 1, patch [16, 32, 32]\n  classes " + classes + "\n  widths base 4, max 8\n  pools [[2, 2, 2], [2, 2, 2], [1, 1, 1] x 3]\n}\n");
                ModelSpec spec = ModelSource.Compile(temp["m.e2e"], "M", Array.Empty<string>());
                using ModelSource source = ModelSource.Random(spec, seed: 3);
                OnnxExporter.Export(source, new ExportRequest { Out = folder, Tune = false });
            }
            // model.onnx of the 3-class export under the 4-class manifest, its hash updated so that only the graph tells.
            File.Copy(Path.Combine(three, "model.onnx"), Path.Combine(four, "model.onnx"), overwrite: true);
            string manifestPath = Path.Combine(four, "manifest.json");
            JsonNode manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
            manifest["onnx"]!["sha256"] = E2ENetBundle.Sha256File(Path.Combine(four, "model.onnx"));
            File.WriteAllText(manifestPath, manifest.ToJsonString());

            var e = Assert.Throws<E2ENetOnnxException>(() => E2ENetBundle.Open(four).OpenRunner(ExecutionDevice.Cpu).Dispose());
            Assert.Equal("E2E6203", e.Id);
            Assert.Contains("output 'logits' is float32 [?, 3, ?, ?, ?], but the manifest says (batch, 4, D, H, W)", e.Message);

            string input = temp["x.pt"];
            E2ENet.Torch.Serialization.TensorFileWriter.Write(input, new[] { new System.Collections.Generic.KeyValuePair<string, TorchSharp.torch.Tensor>(
                "input", TorchSharp.torch.zeros(new long[] { 1, 1, 16, 32, 32 })) });
            var (exit, _, error) = Support.Cli("forward", "--bundle", four, "--input", input, "--output", temp["y.pt"]);
            Assert.Equal(1, exit);
            Assert.Contains("error E2E6203", error);
            Assert.False(File.Exists(temp["y.pt"]));
            Assert.Equal(0, Support.Cli("forward", "--bundle", three, "--input", input, "--output", temp["y.pt"]).Exit);
        }
    }
}
