using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using E2ENet.Compiler;
using E2ENet.Compiler.Host;
using E2ENet.Compiler.Semantics;
using E2ENet.Compiler.Text;
using E2ENet.Onnx.Diagnostics;
using E2ENet.Onnx.Runtime;

namespace E2ENet.Onnx.Bundle
{
    /// <summary>
    /// A bundle opened for use: its validated manifest, the model it describes (compiled again from the canonical source the
    /// manifest carries, so the bundle needs neither the .e2e file nor the weights), and its ONNX model, whose hash is checked
    /// when it is read.
    /// <code>
    /// var bundle = E2ENetBundle.Open("out/amos");
    /// using OnnxRunner runner = bundle.OpenRunner(ExecutionDevice.Cpu);   // the graph checked against the manifest
    /// </code>
    /// </summary>
    public sealed class E2ENetBundle
    {
        private E2ENetBundle(string folder, BundleManifest manifest, ModelSpec spec)
        {
            Folder = folder;
            Manifest = manifest;
            Spec = spec;
        }

        /// <summary>The bundle folder.</summary>
        public string Folder { get; }

        /// <summary>The manifest.</summary>
        public BundleManifest Manifest { get; }

        /// <summary>The model, compiled from the manifest's source.</summary>
        public ModelSpec Spec { get; }

        /// <summary>The preprocessing plan file in the bundle, or null when the export was given none.</summary>
        public string? PlanPath => Manifest.Plan != null ? Path.Combine(Folder, Manifest.Plan) : null;

        /// <summary>The ONNX model file.</summary>
        public string ModelPath => Path.Combine(Folder, Manifest.OnnxFile);

        /// <summary>Opens a bundle folder (or its manifest.json).</summary>
        /// <exception cref="E2ENetOnnxException">E2E6201 (no such folder), E2E6202 (manifest), E2E6203 (model file missing), E2E6205 (version).</exception>
        public static E2ENetBundle Open(string path)
        {
            string folder = File.Exists(path) && Path.GetFileName(path) == BundleManifest.FileName ? Path.GetDirectoryName(Path.GetFullPath(path))! : path;
            // An export killed between the two renames of a replacement (where the file system has no atomic exchange) left the
            // bundle beside its place: finish the switch instead of reporting it missing.
            if (!Directory.Exists(folder) && !File.Exists(folder)) AtomicFolder.RecoverForReading(folder);
            if (!Directory.Exists(folder))
            {
                throw new E2ENetOnnxException(OnnxErrors.BundleNotFound, path, File.Exists(path)
                    ? "is a file; give the bundle folder that e2enet export wrote (it holds manifest.json and model.onnx)"
                    : "no such folder; give a folder written by e2enet export --out");
            }
            string manifestPath = Path.Combine(folder, BundleManifest.FileName);
            if (!File.Exists(manifestPath))
            {
                throw new E2ENetOnnxException(OnnxErrors.ManifestInvalid, folder, "has no " + BundleManifest.FileName
                    + ": it is not an e2enet bundle, or the export that was writing it did not finish; export it again");
            }
            BundleManifest manifest = ManifestJson.Read(manifestPath);
            if (manifest.OnnxFile.IndexOfAny(new[] { '/', '\\' }) >= 0 || manifest.OnnxFile == ".." || manifest.OnnxFile == ".")
            {
                throw new E2ENetOnnxException(OnnxErrors.ManifestInvalid, manifestPath, "field 'onnx.file' must name a file inside the bundle, not '" + manifest.OnnxFile + "'");
            }
            if (manifest.Plan != null && (manifest.Plan.IndexOfAny(new[] { '/', '\\' }) >= 0 || !File.Exists(Path.Combine(folder, manifest.Plan))))
            {
                throw new E2ENetOnnxException(OnnxErrors.BundleCorrupt, folder, "the manifest names the preprocessing plan " + manifest.Plan + ", which is not in the bundle; export it again");
            }
            if (manifest.Plan != null && manifest.PlanSha256 != null && Sha256File(Path.Combine(folder, manifest.Plan)) != manifest.PlanSha256)
            {
                throw new E2ENetOnnxException(OnnxErrors.BundleCorrupt, Path.Combine(folder, manifest.Plan), "does not match the manifest's hash: the file is damaged or was replaced; export the bundle again");
            }
            if (!File.Exists(Path.Combine(folder, manifest.OnnxFile)))
            {
                throw new E2ENetOnnxException(OnnxErrors.BundleCorrupt, folder, "the manifest names " + manifest.OnnxFile + ", which is not in the bundle; export it again");
            }
            if (Sha256(Encoding.UTF8.GetBytes(manifest.Source)) != manifest.SourceSha256)
            {
                throw new E2ENetOnnxException(OnnxErrors.ManifestInvalid, manifestPath, "the model source does not match its hash 'source.sha256': the manifest was edited or damaged; export the bundle again");
            }
            ModelSpec spec = Compile(manifest, manifestPath);
            if (spec.Classes != manifest.Classes || spec.Input.Channels != manifest.InputChannels)
            {
                throw new E2ENetOnnxException(OnnxErrors.ManifestInvalid, manifestPath, string.Format(CultureInfo.InvariantCulture,
                    "says {0} input channel(s) and {1} classes, but its model source declares {2} and {3}: the manifest was edited; export the bundle again",
                    manifest.InputChannels, manifest.Classes, spec.Input.Channels, spec.Classes));
            }
            return new E2ENetBundle(folder, manifest, spec);
        }

        /// <summary>
        /// Reads the model (hash checked), opens it in ONNX Runtime, and checks the graph against the manifest: one float32 input
        /// (batch, channels, D, H, W) and one float32 output (batch, classes, D, H, W) with the manifest's channels and classes.
        /// Every reader of a bundle opens it through this, so a graph that disagrees with its manifest is refused before it runs.
        /// </summary>
        /// <exception cref="E2ENetOnnxException">E2E6203 when the graph disagrees; E2E6301/E2E6303 from ONNX Runtime.</exception>
        public OnnxRunner OpenRunner(ExecutionDevice device, Action<string>? note = null)
        {
            OnnxRunner runner = OnnxRunner.Create(ReadModel(), device, ModelPath, note);
            try
            {
                CheckSignature("input", runner.Input, Manifest.InputChannels, "input channel(s)");
                CheckSignature("output", runner.Output, Manifest.Classes, "classes");
                return runner;
            }
            catch
            {
                runner.Dispose();
                throw;
            }
        }

        private void CheckSignature(string which, (string Name, Type Element, int[] Dimensions) graph, int expected, string what)
        {
            int[] dims = graph.Dimensions;
            string shape = "[" + string.Join(", ", dims.Select(d => d < 0 ? "?" : d.ToString(CultureInfo.InvariantCulture))) + "]";
            if (graph.Element != typeof(float) || dims.Length != 5 || dims[1] != expected)
            {
                throw new E2ENetOnnxException(OnnxErrors.BundleCorrupt, ModelPath, string.Format(CultureInfo.InvariantCulture,
                    "the graph's {0} '{1}' is {2} {3}, but the manifest says (batch, {4}, D, H, W) float32 with {4} {5}: model.onnx and manifest.json do not belong together; export the bundle again",
                    which, graph.Name, graph.Element == typeof(float) ? "float32" : graph.Element.Name, shape, expected, what));
            }
        }

        /// <summary>Reads <c>model.onnx</c> and checks it against the manifest's hash.</summary>
        /// <exception cref="E2ENetOnnxException">E2E6203 when it cannot be read or does not match.</exception>
        public byte[] ReadModel()
        {
            byte[] bytes;
            try
            {
                bytes = RegularFile.ReadAllBytes(ModelPath, Array.MaxLength);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new E2ENetOnnxException(OnnxErrors.BundleCorrupt, ModelPath, "cannot be read: " + e.Message, e);
            }
            string hash = Sha256(bytes);
            if (hash != Manifest.OnnxSha256)
            {
                throw new E2ENetOnnxException(OnnxErrors.BundleCorrupt, ModelPath, "does not match the manifest (sha256 " + hash.Substring(0, 12) + "..., the manifest says "
                    + Manifest.OnnxSha256.Substring(0, Math.Min(12, Manifest.OnnxSha256.Length)) + "...): the file is damaged or was replaced; export the bundle again");
            }
            return bytes;
        }

        /// <summary>Lower-case hex SHA-256.</summary>
        public static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

        /// <summary>Lower-case hex SHA-256 of a file.</summary>
        public static string Sha256File(string path)
        {
            using FileStream stream = File.OpenRead(path);
            return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
        }

        private static ModelSpec Compile(BundleManifest manifest, string manifestPath)
        {
            E2ECompilation compilation = E2ECompilation.Create(new[] { new SourceFile(manifestPath + "#source.e2e", manifest.Source) });
            CompiledModel? model = compilation.Find(manifest.Model);
            if (model?.Spec == null || model.HasErrors)
            {
                string errors = string.Join(Environment.NewLine, compilation.Diagnostics.Where(d => d.IsError).Take(5).Select(d => "  " + d));
                throw new E2ENetOnnxException(OnnxErrors.ManifestInvalid, manifestPath, "its model source does not declare a valid model '" + manifest.Model
                    + "' (written by another version of e2enet?); export the bundle again" + (errors.Length > 0 ? ":" + Environment.NewLine + errors : string.Empty));
            }
            return model.Spec;
        }
    }
}
