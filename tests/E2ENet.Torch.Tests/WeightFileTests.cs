using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using E2ENet.Torch.Diagnostics;
using E2ENet.Torch.Network;
using E2ENet.Torch.Serialization;
using E2ENet.Torch.Tests.Crafted;
using E2ENet.Torch.Weights;
using static TorchSharp.torch;

namespace E2ENet.Torch.Tests
{
    /// <summary>Weight files: strict loading, trainer checkpoints, saving, and untrusted (truncated or hostile) files.</summary>
    public sealed class WeightFileTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "e2enet-weights-" + Guid.NewGuid().ToString("N"));

        public WeightFileTests() => Directory.CreateDirectory(_folder);

        public void Dispose() => Directory.Delete(_folder, true);

        private string Temp(string name) => Path.Combine(_folder, name);

        [Fact]
        public void Saved_state_dicts_load_back_with_the_same_weights_and_masks_even_over_a_larger_file()
        {
            const string name = "tiny_s5_sparse_aniso";
            using E2ENetNetwork source = Golden.Network(name);
            using LoadedWeights original = StateDictLoader.Load(source, Golden.Weights(name));
            string path = Temp("saved.pt");
            File.WriteAllBytes(path, new byte[8 * 1024 * 1024]); // a larger file already there (PyBridge does not truncate)
            StateDictSaver.Save(source, path);
            Assert.Empty(Directory.GetFiles(_folder, ".*")); // no temporary file left

            using E2ENetNetwork copy = Golden.Network(name);
            using LoadedWeights reloaded = StateDictLoader.Load(copy, path);
            var expected = source.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (key, parameter) in copy.named_parameters()) Assert.True(parameter.allclose(expected[key], 0, 0), key);
            Assert.Equal(original.Masks.Select(m => (m.Name, m.Active)), reloaded.Masks.Select(m => (m.Name, m.Active)));
            Assert.All(reloaded.Masks.Zip(original.Masks), pair => Assert.True(pair.First.Units.equal(pair.Second.Units).all().item<bool>()));
        }

        [Fact]
        public void A_trainer_checkpoint_loads_from_its_state_dict_entry_and_reproduces_the_golden_output()
        {
            const string name = "tiny_s3_dense";
            // The authors' (nnU-Net v1) trainer: {'epoch', 'state_dict', 'optimizer_state_dict', 'amp_grad_scaler', 'plot_stuff', 'best_stuff'}.
            var storages = new Dictionary<string, byte[]>();
            var pickle = new CraftedPickle().EmptyDict().Mark();
            pickle.Str("epoch").Int(1000);
            pickle.Str("state_dict").Global("collections", "OrderedDict").Op(')').Reduce().Mark();
            using (TensorFile weights = TensorFile.Open(Golden.Weights(name)))
            {
                foreach (TensorInfo info in weights.Tensors)
                {
                    string key = storages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    using Tensor value = weights.Read(info.Name);
                    storages[key] = CraftedArchive.Floats(value.data<float>().ToArray());
                    pickle.Str(info.Name).Tensor(key, info.Shape, CraftedPickle.Contiguous(info.Shape));
                }
            }
            pickle.SetItems();
            // Optimizer state: momentum buffers (tensors that are not read) and param groups.
            storages["momentum"] = CraftedArchive.Floats(1, 2, 3, 4);
            pickle.Str("optimizer_state_dict").EmptyDict().Mark()
                .Str("state").EmptyDict().Int(0).EmptyDict().Str("momentum_buffer").Tensor("momentum", new long[] { 4 }, new long[] { 1 }).SetItem().SetItem()
                .Str("param_groups").EmptyList().EmptyDict().Mark().Str("lr").Float(0.01).Str("momentum").Float(0.99).Str("nesterov").Byte(0x88)
                .Str("params").EmptyList().Mark().Int(0).Int(1).Op('e').SetItems().Op('a')
                .SetItems();
            pickle.Str("amp_grad_scaler").EmptyDict().Str("scale").Float(65536.0).SetItem();
            // Plot data with numpy scalars, as nnU-Net v1 stores its validation metrics: kept inert, never built.
            pickle.Str("plot_stuff").Mark().EmptyList().Mark().Float(1.5).Float(1.2).Op('e')
                .EmptyList().Global("numpy.core.multiarray", "scalar").Global("numpy", "dtype").Mark().Str("f8").Byte(0x89).Byte(0x88).Tuple().Reduce()
                .Mark().Int(3).Str("<").Op('N').Op('N').Op('N').Int(-1).Int(-1).Int(0).Tuple().Op('b')
                .Op('C').Byte(8).Raw(new byte[8]).Byte(0x86).Reduce().Op('a').Tuple();
            pickle.Str("best_stuff").Op('N');
            pickle.SetItems().Stop();
            string path = Temp("model_final_checkpoint.model");
            CraftedArchive.Write(path, pickle.ToArray(), storages);

            using E2ENetNetwork network = Golden.Network(name);
            using LoadedWeights loaded = StateDictLoader.Load(network, path);
            Assert.Equal("state_dict", loaded.Container);
            using var scope = NewDisposeScope();
            Dictionary<string, Tensor> io = TensorFile.ReadAll(Golden.Io(name));
            network.eval();
            using (no_grad()) Assert.InRange(Golden.RelativeError(network.forward(io["input"]), io["eval"]), 0, 1e-4);

            using TensorFile file = TensorFile.Open(path);
            Assert.Equal(new[] { "'epoch'", "'optimizer_state_dict'", "'amp_grad_scaler'", "'plot_stuff'", "'best_stuff'" }, file.OtherEntries);
        }

        [Fact]
        public void Missing_unexpected_and_misshaped_keys_are_one_error_listing_them_all()
        {
            const string name = "tiny_s3_dense";
            var tensors = TensorFile.ReadAll(Golden.Weights(name));
            try
            {
                tensors.Remove("up0.4.weight", out Tensor? removed);
                removed!.Dispose();
                tensors["decoder.extra.weight"] = zeros(3);
                tensors["seg_outputs.0.weight"].Dispose();
                tensors["seg_outputs.0.weight"] = zeros(new long[] { 5, 4, 1, 1, 1 });
                string path = Temp("wrong.pt");
                TensorFileWriter.Write(path, tensors);

                using E2ENetNetwork network = Golden.Network(name);
                Dictionary<string, float> before = network.named_parameters().ToDictionary(p => p.name, p => p.parameter.sum().item<float>());
                var error = Assert.Throws<E2ENetTorchException>(() => StateDictLoader.Load(network, path));
                Assert.Equal("E2E3201", error.Id);
                Assert.Contains("1 missing, 1 unexpected, 1 mis-shaped", error.Message);
                Assert.Contains("up0.4.weight [8, 4, 2, 2, 2]", error.Message);
                Assert.Contains("decoder.extra.weight [3]", error.Message);
                Assert.Contains("seg_outputs.0.weight: file [5, 4, 1, 1, 1], model [3, 4, 1, 1, 1]", error.Message);
                Assert.Contains("Fix:", error.Message);
                Assert.StartsWith(path + ": error E2E3201", error.Message);
                // Nothing was copied.
                Assert.Equal(before, network.named_parameters().ToDictionary(p => p.name, p => p.parameter.sum().item<float>()));
            }
            finally
            {
                foreach (Tensor t in tensors.Values) t.Dispose();
            }
        }

        [Fact]
        public void Weights_of_another_dtype_or_denser_than_the_mask_are_refused_with_the_fix()
        {
            var tensors = TensorFile.ReadAll(Golden.Weights("tiny_s5_sparse_aniso"));
            try
            {
                // Dense weights into the sparse model: every kernel is non-zero.
                string dense = Temp("dense.pt");
                TensorFileWriter.Write(dense, tensors.Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Key.StartsWith("up", StringComparison.Ordinal) ? p.Value + 1 : p.Value)));
                using E2ENetNetwork network = Golden.Network("tiny_s5_sparse_aniso");
                var tooDense = Assert.Throws<E2ENetTorchException>(() => StateDictLoader.Load(network, dense));
                Assert.Equal("E2E3202", tooDense.Id);
                Assert.Contains("up0.0.weight: 2304 active kernels, the model keeps 691 of 2304", tooDense.Message);
                Assert.Contains("--set fusion.sparsity=0", tooDense.Message);

                string doubles = Temp("double.pt");
                TensorFileWriter.Write(doubles, tensors.Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Value.to_type(ScalarType.Float64))));
                var dtype = Assert.Throws<E2ENetTorchException>(() => StateDictLoader.Load(network, doubles));
                Assert.Equal("E2E3201", dtype.Id);
                Assert.Contains("not float32", dtype.Message);
                Assert.Contains("model.float()", dtype.Message);
            }
            finally
            {
                foreach (Tensor t in tensors.Values) t.Dispose();
            }
        }

        public static IEnumerable<object[]> HostileFiles()
        {
            byte[] weight = CraftedArchive.Floats(1, 2, 3, 4, 5, 6);
            CraftedPickle Dict() => new CraftedPickle().Global("collections", "OrderedDict").Op(')').Reduce().Mark();
            yield return Case("os.system is refused, not run", "E2E3107", "os.system",
                new CraftedPickle().Global("os", "system").Mark().Str("touch /tmp/e2enet-pwned").Tuple().Reduce().Stop());
            yield return Case("builtins.eval inside a state dict", "E2E3107", "builtins.eval",
                Dict().Str("w").Global("builtins", "eval").Mark().Str("1+1").Tuple().Reduce().SetItems().Stop());
            yield return Case("INST opcode", "E2E3106", "0x69",
                new CraftedPickle().Mark().Raw(Encoding.ASCII.GetBytes("ios\nsystem\n")).Stop());
            yield return Case("unknown opcode byte", "E2E3106", "0xff", new CraftedPickle().Byte(0xff).Stop());
            yield return Case("truncated pickle", "E2E3105", "truncated", Dict().Str("w").Byte((byte)'X').Raw(BitConverter.GetBytes(1000)));
            yield return Case("string longer than the pickle", "E2E3105", "truncated", new CraftedPickle().Byte((byte)'X').Raw(BitConverter.GetBytes(int.MaxValue)).Stop());
            yield return Case("memo read before write", "E2E3105", "memo", new CraftedPickle().Byte((byte)'h').Byte(7).Stop());
            yield return Case("stack underflow", "E2E3105", "stack", new CraftedPickle().SetItem().Stop());
            yield return Case("absurd shape", "E2E3108", "absurd",
                Dict().Str("w").Tensor("0", new long[] { 1L << 45, 1L << 45 }, new long[] { 1L << 45, 1 }).SetItems().Stop(), weight);
            yield return Case("shape that overflows", "E2E3108", "overflow",
                Dict().Str("w").Tensor("0", new long[] { 1L << 40, 1L << 40, 1L << 40 }, new long[] { 1, 1, 1 }, storageElements: 6).SetItems().Stop(), weight);
            yield return Case("storage shorter than its shape claims", "E2E3108", "shorter",
                Dict().Str("w").Tensor("0", new long[] { 4, 4 }, new long[] { 4, 1 }, storageElements: 6).SetItems().Stop(), weight);
            yield return Case("record shorter than the storage", "E2E3108", "storage is shorter",
                Dict().Str("w").Tensor("0", new long[] { 2, 6 }, new long[] { 6, 1 }).SetItems().Stop(), weight);
            yield return Case("negative stride", "E2E3108", "stride",
                Dict().Str("w").Tensor("0", new long[] { 6 }, new long[] { -1 }, offset: 5).SetItems().Stop(), weight);
            yield return Case("missing storage record", "E2E3103", "data/7",
                Dict().Str("w").Tensor("7", new long[] { 6 }, new long[] { 1 }).SetItems().Stop(), weight);
            yield return Case("huge storage claim", "E2E3104", "bytes",
                Dict().Str("w").Tensor("0", new long[] { 1L << 38 }, new long[] { 1 }).SetItems().Stop(), weight);
            yield return Case("complex storage: an unsupported dtype (docs/weights.md)", "E2E3109", "torch.ComplexFloatStorage",
                Dict().Str("w").Tensor("0", new long[] { 6 }, new long[] { 1 }, storageType: "ComplexFloatStorage").SetItems().Stop(), weight);
            yield return Case("storage key with a path", "E2E3105", "storage key",
                Dict().Str("w").Tensor("../../etc/passwd", new long[] { 6 }, new long[] { 1 }).SetItems().Stop(), weight);
            yield return Case("a list, not a dict", "E2E3110", "instead of a dict", new CraftedPickle().EmptyList().Stop());
            yield return Case("a dict without tensors", "E2E3110", "holds no tensors", new CraftedPickle().EmptyDict().Str("epoch").Int(3).SetItem().Stop());
        }

        private static object[] Case(string title, string id, string text, CraftedPickle pickle, byte[]? storage = null)
            => new object[] { title, id, text, pickle.ToArray(), storage ?? Array.Empty<byte>() };

        [Theory]
        [MemberData(nameof(HostileFiles))]
        public void Hostile_pickles_are_refused_with_an_error_naming_the_file_and_problem(string title, string id, string text, byte[] pickle, byte[] storage)
        {
            string path = Temp("hostile.pt");
            CraftedArchive.Write(path, pickle, storage.Length > 0 ? new Dictionary<string, byte[]> { ["0"] = storage } : null);
            var error = Assert.Throws<E2ENetTorchException>(() =>
            {
                using TensorFile file = TensorFile.Open(path);
                foreach (TensorInfo tensor in file.Tensors) file.Read(tensor.Name).Dispose();
            });
            Assert.True(error.Id == id, title + ": " + error.Message);
            Assert.Contains(text, error.Message);
            Assert.StartsWith(path + ": error " + id + ": ", error.Message);
            Assert.False(File.Exists("/tmp/e2enet-pwned"));
        }

        [Fact]
        public void Broken_archives_are_refused_with_the_fix()
        {
            string good = Temp("good.pt");
            StateDictSaver.Save(Golden.Network("tiny_s3_dense"), good);
            byte[] bytes = File.ReadAllBytes(good);

            var cases = new List<(string Name, byte[] Content, string Id, string Text)>
            {
                ("empty", Array.Empty<byte>(), "E2E3102", "empty"),
                ("truncated", bytes.Take(bytes.Length / 2).ToArray(), "E2E3102", "truncated or corrupt"),
                ("random", Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray(), "E2E3102", "not a torch.save file"),
                ("legacy", new byte[] { 0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e }, "E2E3102", "legacy"),
                ("zip without pickle", ZipWith("archive/other.txt"), "E2E3102", "no data.pkl"),
            };
            // A storage record whose bytes are cut: flip the central directory's record of data/0 to claim more than is there.
            foreach (var (name, content, id, text) in cases)
            {
                string path = Temp(name + ".pt");
                File.WriteAllBytes(path, content);
                var error = Assert.Throws<E2ENetTorchException>(() => TensorFile.Open(path).Dispose());
                Assert.True(error.Id == id, name + ": " + error.Message);
                Assert.Contains(text, error.Message);
            }
            var missing = Assert.Throws<E2ENetTorchException>(() => TensorFile.Open(Temp("nothing.pt")));
            Assert.Equal("E2E3101", missing.Id);
            Assert.Contains("no such file", missing.Message);
        }

        [Fact]
        public void A_compressed_record_cannot_claim_more_than_deflate_allows()
        {
            // 64 MB of zeros deflates to ~64 KB: fine when the shape asks for it; the shape's bytes are what is allocated.
            string path = Temp("bomb.pt");
            var pickle = new CraftedPickle().EmptyDict().Str("w").Tensor("0", new long[] { 16 }, new long[] { 1 }, storageElements: 16L << 20).SetItem().Stop();
            CraftedArchive.Write(path, pickle.ToArray(), new Dictionary<string, byte[]> { ["0"] = new byte[64 << 20] }, compress: true);
            using TensorFile file = TensorFile.Open(path);
            using Tensor w = file.Read("w");
            Assert.Equal(new long[] { 16 }, w.shape);
        }

        private byte[] ZipWith(string entry)
        {
            string path = Temp("zip.tmp");
            using (var stream = new FileStream(path, FileMode.Create))
            using (var zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Create))
            {
                using Stream s = zip.CreateEntry(entry).Open();
                s.Write(new byte[] { 1, 2, 3 });
            }
            return File.ReadAllBytes(path);
        }
    }
}
