using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using E2ENet.Torch.Serialization;
using static TorchSharp.torch;

namespace E2ENet.Training.Checkpoints
{
    /// <summary>One saved checkpoint: its folder and what is in it.</summary>
    public sealed record Checkpoint(string Folder, string Name)
    {
        /// <summary>The network's weights: a plain torch.save state dict with the authors' key names.</summary>
        public string WeightsPath => Path.Combine(Folder, CheckpointStore.WeightsFile);

        /// <summary>Masks, optimizer state and other tensors of the trainer.</summary>
        public string TensorsPath => Path.Combine(Folder, CheckpointStore.TensorsFile);

        /// <summary>The trainer's state as JSON (epoch, iteration, random states, sampler position, metrics).</summary>
        public string StatePath => Path.Combine(Folder, CheckpointStore.StateFile);
    }

    /// <summary>
    /// Checkpoints of a run, written so that a kill -9 at any moment leaves the last good checkpoint intact:
    /// <list type="number">
    /// <item>the files go into a hidden temporary folder <c>checkpoints/.partial-NAME-*</c>, each flushed to disk;</item>
    /// <item>the folder is renamed to <c>checkpoints/NAME</c> (atomic);</item>
    /// <item>the pointer <c>checkpoints/latest</c> (a one-line text file) is replaced atomically by a renamed temporary file;</item>
    /// <item>only then are older checkpoints (all but the newest <see cref="Keep"/>) and stale temporary folders removed.</item>
    /// </list>
    /// A reader follows the pointer, and falls back to the newest complete folder (names sort by epoch) if the pointer is
    /// missing or broken.
    /// </summary>
    public sealed class CheckpointStore
    {
        /// <summary>Weights file name in a checkpoint folder.</summary>
        public const string WeightsFile = "weights.pt";

        /// <summary>Trainer tensors file name in a checkpoint folder.</summary>
        public const string TensorsFile = "trainer.pt";

        /// <summary>Trainer state file name in a checkpoint folder.</summary>
        public const string StateFile = "state.json";

        /// <summary>The pointer file's name.</summary>
        public const string PointerFile = "latest";

        /// <summary>Creates a store in <paramref name="folder"/> (created when missing).</summary>
        public CheckpointStore(string folder, int keep = 2)
        {
            Folder = Path.GetFullPath(folder);
            Keep = Math.Max(1, keep);
        }

        /// <summary>The checkpoints folder.</summary>
        public string Folder { get; }

        /// <summary>How many complete checkpoints are kept.</summary>
        public int Keep { get; }

        /// <summary>Writes a checkpoint named <paramref name="name"/> and makes it the latest.</summary>
        public Checkpoint Save(string name, IEnumerable<KeyValuePair<string, Tensor>> weights, IEnumerable<KeyValuePair<string, Tensor>> tensors, string stateJson)
        {
            if (name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.StartsWith(".", StringComparison.Ordinal) || name == PointerFile)
            {
                throw new ArgumentException("invalid checkpoint name " + name, nameof(name));
            }
            Directory.CreateDirectory(Folder);
            string partial = Path.Combine(Folder, ".partial-" + name + "-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(partial);
            TensorFileWriter.Write(Path.Combine(partial, WeightsFile), weights);
            TensorFileWriter.Write(Path.Combine(partial, TensorsFile), tensors);
            WriteFlushed(Path.Combine(partial, StateFile), stateJson);

            string final = Path.Combine(Folder, name);
            if (Directory.Exists(final))
            {
                // Re-saving a name (a resumed run redoing an epoch): move the old one aside first.
                string aside = Path.Combine(Folder, ".replaced-" + name + "-" + Guid.NewGuid().ToString("N").Substring(0, 8));
                Directory.Move(final, aside);
            }
            Directory.Move(partial, final);

            string pointerTemporary = Path.Combine(Folder, "." + PointerFile + "-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            WriteFlushed(pointerTemporary, name + "\n");
            File.Move(pointerTemporary, Path.Combine(Folder, PointerFile), overwrite: true);

            Prune(name);
            return new Checkpoint(final, name);
        }

        /// <summary>The latest complete checkpoint, or null when there is none.</summary>
        public Checkpoint? Latest()
        {
            if (!Directory.Exists(Folder)) return null;
            string pointer = Path.Combine(Folder, PointerFile);
            if (File.Exists(pointer))
            {
                string name = File.ReadAllText(pointer).Trim();
                var checkpoint = new Checkpoint(Path.Combine(Folder, name), name);
                if (name.Length > 0 && IsComplete(checkpoint)) return checkpoint;
            }
            // No (usable) pointer: the newest complete folder.
            return Complete().OrderByDescending(c => c.Name, StringComparer.Ordinal).FirstOrDefault();
        }

        /// <summary>Every complete checkpoint folder.</summary>
        public IEnumerable<Checkpoint> Complete()
            => !Directory.Exists(Folder)
                ? Enumerable.Empty<Checkpoint>()
                : Directory.GetDirectories(Folder)
                    .Select(d => new Checkpoint(d, Path.GetFileName(d)))
                    .Where(c => !c.Name.StartsWith(".", StringComparison.Ordinal) && IsComplete(c));

        private static bool IsComplete(Checkpoint checkpoint)
            => File.Exists(checkpoint.WeightsPath) && File.Exists(checkpoint.TensorsPath) && File.Exists(checkpoint.StatePath);

        private void Prune(string newest)
        {
            var keep = Complete().OrderByDescending(c => c.Name, StringComparer.Ordinal)
                .Select(c => c.Name).Where(n => n != newest).Take(Keep - 1).Append(newest).ToHashSet();
            foreach (string directory in Directory.GetDirectories(Folder))
            {
                string name = Path.GetFileName(directory);
                if (keep.Contains(name)) continue;
                try
                {
                    Directory.Delete(directory, recursive: true);
                }
                catch (IOException)
                {
                    // Another attempt happens at the next save.
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
            foreach (string file in Directory.GetFiles(Folder, "." + PointerFile + "-*"))
            {
                try
                {
                    File.Delete(file);
                }
                catch (IOException)
                {
                }
            }
        }

        private static void WriteFlushed(string path, string text)
        {
            using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            stream.Write(bytes, 0, bytes.Length);
            stream.Flush(true);
        }

        /// <summary>A checkpoint name for the end of epoch <paramref name="epoch"/> (1-based count of completed epochs).</summary>
        public static string EpochName(int epoch) => "epoch-" + epoch.ToString("D4", CultureInfo.InvariantCulture);
    }
}
