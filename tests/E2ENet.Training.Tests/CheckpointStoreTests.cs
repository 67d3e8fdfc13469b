using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Torch.Serialization;
using E2ENet.Training.Checkpoints;
using static TorchSharp.torch;

namespace E2ENet.Training.Tests
{
    public class CheckpointStoreTests
    {
        private static string TempFolder() => Directory.CreateTempSubdirectory("e2e-ckpt").FullName;

        private static IEnumerable<KeyValuePair<string, Tensor>> Weights(float value)
            => new[] { new KeyValuePair<string, Tensor>("w", full(new long[] { 2, 2 }, value)) };

        [Fact]
        public void The_latest_checkpoint_is_the_last_saved_and_only_the_newest_are_kept()
        {
            var store = new CheckpointStore(Path.Combine(TempFolder(), "checkpoints"), keep: 2);
            for (int epoch = 1; epoch <= 4; epoch++)
            {
                store.Save(CheckpointStore.EpochName(epoch), Weights(epoch), Weights(-epoch), "{\"epoch\": " + epoch + "}");
            }
            Checkpoint latest = store.Latest()!;
            Assert.Equal("epoch-0004", latest.Name);
            Assert.Equal(4f, TensorFile.ReadAll(latest.WeightsPath)["w"][0, 0].item<float>());
            Assert.Equal(new[] { "epoch-0003", "epoch-0004" }, store.Complete().Select(c => c.Name).OrderBy(n => n));
            Assert.DoesNotContain(Directory.GetDirectories(store.Folder), d => Path.GetFileName(d).StartsWith("."));
        }

        [Fact]
        public void A_crash_mid_save_leaves_the_previous_checkpoint_as_latest()
        {
            var store = new CheckpointStore(Path.Combine(TempFolder(), "checkpoints"));
            store.Save("epoch-0001", Weights(1), Weights(1), "{}");
            // What a kill during the next save leaves: a partial folder with some files, the pointer untouched.
            string partial = Path.Combine(store.Folder, ".partial-epoch-0002-deadbeef");
            Directory.CreateDirectory(partial);
            File.WriteAllText(Path.Combine(partial, CheckpointStore.WeightsFile), "trunc");
            Assert.Equal("epoch-0001", store.Latest()!.Name);
            // And a kill after the folder rename but before the pointer update: the new folder is complete, the pointer old.
            store.Save("epoch-0002", Weights(2), Weights(2), "{}");
            File.WriteAllText(Path.Combine(store.Folder, CheckpointStore.PointerFile), "epoch-0001\n");
            Assert.Equal("epoch-0001", store.Latest()!.Name);
            // A pointer to something gone falls back to the newest complete folder.
            File.WriteAllText(Path.Combine(store.Folder, CheckpointStore.PointerFile), "epoch-0009\n");
            Assert.Equal("epoch-0002", store.Latest()!.Name);
            // The next save cleans up the leftovers.
            store.Save("epoch-0003", Weights(3), Weights(3), "{}");
            Assert.False(Directory.Exists(partial));
        }

        [Fact]
        public void An_empty_store_has_no_latest()
            => Assert.Null(new CheckpointStore(Path.Combine(TempFolder(), "none")).Latest());
    }
}
