using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.IO;
using E2ENet.Compiler.Host;
using E2ENet.Torch.Diagnostics;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace E2ENet.Torch.Serialization
{
    /// <summary>
    /// Writes dicts of tensors as torch.save files that PyTorch reads with <c>torch.load</c> (state dicts, network inputs
    /// and outputs), or as safetensors when the name ends in <c>.safetensors</c>. Atomic: the file is written to a fresh temporary file in the same folder and then renamed over the
    /// target, so a crash or a full disk never leaves a half-written file where the previous one was (and a fresh file also
    /// avoids PyBridge's trap: writing over a larger file does not truncate it, and PyTorch then rejects it).
    /// </summary>
    public static class TensorFileWriter
    {
        /// <summary>Writes <paramref name="tensors"/> (in order) to <paramref name="path"/>: safetensors for a <c>.safetensors</c> name, else torch.save.</summary>
        /// <exception cref="E2ENetTorchException">The folder does not exist or cannot be written (E2E3112).</exception>
        public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors)
        {
            string full = Path.GetFullPath(path);
            string folder = Path.GetDirectoryName(full) ?? ".";
            if (!Directory.Exists(folder)) throw new E2ENetTorchException(TorchErrors.WriteFailed, path, "cannot write: the folder '" + folder + "' does not exist");
            if (Directory.Exists(full)) throw new E2ENetTorchException(TorchErrors.WriteFailed, path, "cannot write: it is a directory; give a file name");
            var dict = new OrderedDictionary();
            var copies = new List<Tensor>();
            string temporary = OutputFile.TemporaryBeside(full);
            try
            {
                foreach (var pair in tensors)
                {
                    // Detached contiguous CPU copies: what torch.save stores for a state dict.
                    Tensor copy = pair.Value.detach().cpu().contiguous();
                    copies.Add(copy);
                    dict[pair.Key] = copy;
                }
                using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
                    {
                        var ordered = new List<KeyValuePair<string, Tensor>>();
                        foreach (System.Collections.DictionaryEntry entry in dict) ordered.Add(new KeyValuePair<string, Tensor>((string)entry.Key, (Tensor)entry.Value!));
                        SafetensorsWriter.Encode(stream, path, ordered);
                    }
                    else PyTorchPickler.PickleStateDict(stream, dict, true);
                    stream.Flush(true);
                }
                File.Move(temporary, full, overwrite: true);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new E2ENetTorchException(TorchErrors.WriteFailed, path, "cannot write: " + e.Message + (File.Exists(full) ? " (the existing file is unchanged)" : string.Empty), e);
            }
            finally
            {
                foreach (Tensor copy in copies) copy.Dispose();
                try
                {
                    if (File.Exists(temporary)) File.Delete(temporary);
                }
                catch (IOException)
                {
                    // Best effort: the temporary file is hidden and named as such.
                }
            }
        }
    }
}
