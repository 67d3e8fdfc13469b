using System;
using System.IO;
using E2ENet.Onnx.Diagnostics;

namespace E2ENet.Onnx.Bundle
{
    /// <summary>
    /// Writes a folder atomically: everything is built in a hidden temporary folder beside the target
    /// (<c>.NAME.export-XXXXXXXX</c>), then renamed into place, so an export that fails, is interrupted or fails its checks
    /// never leaves a folder at the target that looks done (a bundle is only a bundle once its manifest is written, and the
    /// manifest is written last, inside the temporary folder). Replacing an existing bundle moves it aside first and puts it
    /// back if the rename fails.
    /// </summary>
    public static class AtomicFolder
    {
        /// <summary>
        /// Checks the target, lets <paramref name="fill"/> write into a temporary folder, and moves it into place.
        /// An existing target is replaced only when it is an empty folder, or a bundle and <paramref name="force"/> is set.
        /// </summary>
        /// <exception cref="E2ENetOnnxException">E2E6003 (the target exists), E2E6204 (the file system failed); anything <paramref name="fill"/> throws.</exception>
        public static void Write(string target, bool force, Action<string> fill)
        {
            string full = Path.GetFullPath(target.TrimEnd('/', '\\'));
            string name = Path.GetFileName(full);
            string parent = Path.GetDirectoryName(full) ?? throw new E2ENetOnnxException(OnnxErrors.OptionInvalid, target, "is not a folder path a bundle can be written to");
            CheckTarget(full, force);
            string temporary = Path.Combine(parent, "." + name + ".export-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            try
            {
                Directory.CreateDirectory(parent);
                Directory.CreateDirectory(temporary);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new E2ENetOnnxException(OnnxErrors.BundleWriteFailed, target, "cannot create a folder beside it: " + e.Message, e);
            }
            try
            {
                fill(temporary);
                MoveIntoPlace(temporary, full, target);
            }
            catch
            {
                TryDelete(temporary);
                throw;
            }
        }

        /// <summary>True when <paramref name="folder"/> holds a bundle manifest.</summary>
        public static bool IsBundle(string folder) => File.Exists(Path.Combine(folder, BundleManifest.FileName));

        private static void CheckTarget(string full, bool force)
        {
            if (File.Exists(full)) throw new E2ENetOnnxException(OnnxErrors.TargetExists, full, "is a file; --out names the bundle folder to create: choose another path");
            if (!Directory.Exists(full)) return;
            bool empty = Directory.GetFileSystemEntries(full).Length == 0;
            if (empty) return;
            if (!IsBundle(full))
            {
                throw new E2ENetOnnxException(OnnxErrors.TargetExists, full, "exists and is not an e2enet bundle (it has no " + BundleManifest.FileName
                    + "); nothing was written: choose another --out, or empty the folder first");
            }
            if (!force)
            {
                throw new E2ENetOnnxException(OnnxErrors.TargetExists, full, "already holds a bundle; pass --force to replace it (the old one stays until the new one has passed its checks)");
            }
        }

        private static void MoveIntoPlace(string temporary, string full, string target)
        {
            try
            {
                if (!Directory.Exists(full))
                {
                    Directory.Move(temporary, full);
                    return;
                }
                string aside = full + ".old-" + Guid.NewGuid().ToString("N").Substring(0, 8);
                Directory.Move(full, aside);
                try
                {
                    Directory.Move(temporary, full);
                }
                catch
                {
                    Directory.Move(aside, full);
                    throw;
                }
                TryDelete(aside);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new E2ENetOnnxException(OnnxErrors.BundleWriteFailed, target, "cannot move the finished bundle into place: " + e.Message + "; the target was left as it was", e);
            }
        }

        private static void TryDelete(string folder)
        {
            try
            {
                if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // A leftover hidden temporary folder is harmless; the target is what matters.
            }
        }
    }
}
