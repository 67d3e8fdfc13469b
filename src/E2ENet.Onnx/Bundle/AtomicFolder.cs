using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Host;
using E2ENet.Onnx.Diagnostics;

namespace E2ENet.Onnx.Bundle
{
    /// <summary>
    /// Writes a bundle folder so that nothing is ever lost or half-done at the target:
    /// <list type="number">
    /// <item>one writer per target: an OS lock beside it (<c>.NAME.e2enet.lock</c>, see <see cref="FolderLock"/>);</item>
    /// <item>under the lock, what a killed export left is put right first (<see cref="Recover"/>);</item>
    /// <item>an existing target is replaced only when it is empty, or is certainly one of our bundles (its manifest reads as an
    /// e2enet bundle's and the folder holds nothing but the files that manifest names) and <c>force</c> is set; anything else is
    /// never touched (E2E6003);</item>
    /// <item>everything is built in a hidden temporary folder beside the target (<c>.NAME.export-PID-XXXXXXXX</c>, marked by a
    /// <c>.e2enet-export</c> file until it is complete), then switched into place: a new target by one rename, an existing one by
    /// one atomic exchange of the two folders (Linux <c>renameat2(RENAME_EXCHANGE)</c>), so at every instant the target is the
    /// old bundle or the new one. Where the exchange is not available, the old bundle is moved aside (<c>.NAME.old-PID-XXXXXXXX</c>)
    /// and the new one renamed in; a kill between the two renames is finished by the next export or reader;</item>
    /// <item>the old bundle is deleted file by file, only the files its manifest names; a folder holding anything else is left.</item>
    /// </list>
    /// </summary>
    public static class AtomicFolder
    {
        /// <summary>The file that marks a temporary folder as an unfinished export (removed just before the switch).</summary>
        public const string UnfinishedMarker = ".e2enet-export";

        /// <summary>
        /// Checks the target, lets <paramref name="fill"/> write into a temporary folder, and switches it into place.
        /// An existing target is replaced only when it is an empty folder, or one of our bundles and <paramref name="force"/> is set.
        /// </summary>
        /// <exception cref="E2ENetOnnxException">E2E6003 (the target exists), E2E6204 (the file system failed); anything <paramref name="fill"/> throws.</exception>
        /// <exception cref="HostException">E2E7002: another process is writing this target.</exception>
        public static void Write(string target, bool force, Action<string> fill)
        {
            string full = Path.GetFullPath(target.TrimEnd('/', '\\'));
            string name = Path.GetFileName(full);
            string parent = Path.GetDirectoryName(full) ?? throw new E2ENetOnnxException(OnnxErrors.OptionInvalid, target, "is not a folder path a bundle can be written to");
            if (File.Exists(full)) throw new E2ENetOnnxException(OnnxErrors.TargetExists, full, "is a file; --out names the bundle folder to create: choose another path");
            try
            {
                Directory.CreateDirectory(parent);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new E2ENetOnnxException(OnnxErrors.BundleWriteFailed, target, "cannot create the folder it goes into: " + e.Message, e);
            }
            using FolderLock exportLock = Lock(full, "e2enet export");
            Recover(full);
            BundleManifest? old = CheckTarget(full, force);
            string temporary = Path.Combine(parent, "." + name + ".export-" + Tag());
            try
            {
                Directory.CreateDirectory(temporary);
                File.WriteAllText(Path.Combine(temporary, UnfinishedMarker), "an unfinished e2enet export; deleted by the next export to " + full + "\n");
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new E2ENetOnnxException(OnnxErrors.BundleWriteFailed, target, "cannot create a folder beside it: " + e.Message, e);
            }
            try
            {
                fill(temporary);
                File.Delete(Path.Combine(temporary, UnfinishedMarker));
                SwitchIntoPlace(temporary, full, target, old);
            }
            catch
            {
                DeleteOurs(temporary);
                throw;
            }
        }

        /// <summary>
        /// True when <paramref name="folder"/> is certainly one of our bundles: its manifest reads as an e2enet bundle's, and the
        /// folder holds nothing but what that manifest names.
        /// </summary>
        public static bool IsBundle(string folder) => Recognise(folder, out _, out _);

        /// <summary>
        /// Finishes what an export killed while switching left behind at <paramref name="target"/> (when the target is missing: the
        /// finished new bundle, else the old one moved aside, goes into place), and deletes the temporary folders of dead exports.
        /// The caller holds the target's lock.
        /// </summary>
        public static void Recover(string target)
        {
            string full = Path.GetFullPath(target.TrimEnd('/', '\\'));
            string name = Path.GetFileName(full);
            string? parent = Path.GetDirectoryName(full);
            if (parent == null || !Directory.Exists(parent)) return;
            List<string> exports = Siblings(parent, "." + name + ".export-");
            List<string> asides = Siblings(parent, "." + name + ".old-").Concat(Siblings(parent, name + ".old-")).ToList();
            if (!Directory.Exists(full))
            {
                // A new bundle that passed its checks (marker gone) was being switched in; else put the old one back.
                string? finished = exports.Where(e => !File.Exists(Path.Combine(e, UnfinishedMarker)) && IsBundle(e))
                    .OrderByDescending(e => File.GetLastWriteTimeUtc(Path.Combine(e, BundleManifest.FileName))).FirstOrDefault()
                    ?? asides.Where(IsBundle).OrderByDescending(a => File.GetLastWriteTimeUtc(Path.Combine(a, BundleManifest.FileName))).FirstOrDefault();
                if (finished != null)
                {
                    try
                    {
                        Directory.Move(finished, full);
                    }
                    catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                    {
                        throw new E2ENetOnnxException(OnnxErrors.BundleWriteFailed, full, "an interrupted export left the bundle in " + finished
                            + ", which cannot be moved into place: " + e.Message + "; move it there by hand", e);
                    }
                }
            }
            foreach (string leftover in exports.Concat(asides).Where(Directory.Exists)) DeleteOurs(leftover);
        }

        /// <summary>
        /// For readers: when <paramref name="target"/> is missing but an interrupted export left it beside, finishes the switch
        /// (taking the target's lock for it). Returns false when there was nothing to do or another export holds the lock.
        /// </summary>
        public static bool RecoverForReading(string target)
        {
            string full = Path.GetFullPath(target.TrimEnd('/', '\\'));
            string? parent = Path.GetDirectoryName(full);
            if (parent == null || !Directory.Exists(parent) || Directory.Exists(full)) return false;
            string name = Path.GetFileName(full);
            if (Siblings(parent, "." + name + ".export-").Count == 0 && Siblings(parent, "." + name + ".old-").Count == 0 && Siblings(parent, name + ".old-").Count == 0) return false;
            try
            {
                using (Lock(full, "e2enet (finishing an interrupted export)")) Recover(full);
            }
            catch (HostException)
            {
                return false;
            }
            return Directory.Exists(full);
        }

        /// <summary>The lock of a bundle target: <c>PARENT/.NAME.e2enet.lock</c> (the target itself is replaced by renaming).</summary>
        public static FolderLock Lock(string target, string purpose)
        {
            string full = Path.GetFullPath(target.TrimEnd('/', '\\'));
            string parent = Path.GetDirectoryName(full) ?? ".";
            return FolderLock.AcquireFile(Path.Combine(parent, "." + Path.GetFileName(full) + ".e2enet.lock"), full, purpose);
        }

        private static BundleManifest? CheckTarget(string full, bool force)
        {
            if (File.Exists(full)) throw new E2ENetOnnxException(OnnxErrors.TargetExists, full, "is a file; --out names the bundle folder to create: choose another path");
            if (!Directory.Exists(full)) return null;
            if (Directory.GetFileSystemEntries(full).Length == 0) return null;
            if (!Recognise(full, out BundleManifest? manifest, out string why))
            {
                throw new E2ENetOnnxException(OnnxErrors.TargetExists, full, "exists and is not an e2enet bundle (" + why + "); nothing was written or deleted: "
                    + "choose another --out, or empty the folder first");
            }
            if (!force)
            {
                throw new E2ENetOnnxException(OnnxErrors.TargetExists, full, "already holds a bundle; pass --force to replace it (the old one stays until the new one has passed its checks)");
            }
            return manifest;
        }

        private static bool Recognise(string folder, out BundleManifest? manifest, out string why)
        {
            manifest = null;
            string manifestPath = Path.Combine(folder, BundleManifest.FileName);
            if (!File.Exists(manifestPath))
            {
                why = "it has no " + BundleManifest.FileName;
                return false;
            }
            try
            {
                manifest = ManifestJson.Read(manifestPath);
            }
            catch (E2ENetOnnxException e)
            {
                why = "its " + BundleManifest.FileName + " is not an e2enet bundle manifest: " + e.Detail;
                return false;
            }
            var expected = new HashSet<string>(ExpectedEntries(manifest), StringComparer.Ordinal);
            List<string> foreign = Entries(folder).Where(entry => !expected.Contains(entry)).ToList();
            if (foreign.Count > 0)
            {
                why = "it holds " + string.Join(", ", foreign.Take(5)) + (foreign.Count > 5 ? string.Format(CultureInfo.InvariantCulture, " and {0} more", foreign.Count - 5) : string.Empty)
                    + ", which no export writes";
                return false;
            }
            why = string.Empty;
            return true;
        }

        /// <summary>The files and folders (relative, '/'-separated; folders end in '/') an export writes for this manifest.</summary>
        private static IEnumerable<string> ExpectedEntries(BundleManifest manifest)
        {
            yield return BundleManifest.FileName;
            yield return BundleManifest.ReportFileName;
            yield return manifest.OnnxFile;
            if (manifest.Plan != null) yield return manifest.Plan;
            if (manifest.Triton != null && manifest.Triton.StartsWith(TritonRepository.Folder + "/", StringComparison.Ordinal))
            {
                string model = manifest.Triton.Substring(TritonRepository.Folder.Length + 1);
                if (model.Length > 0 && model.IndexOfAny(new[] { '/', '\\' }) < 0 && model != "." && model != "..")
                {
                    yield return TritonRepository.Folder + "/";
                    yield return manifest.Triton + "/";
                    yield return manifest.Triton + "/config.pbtxt";
                    yield return manifest.Triton + "/1/";
                    yield return manifest.Triton + "/1/" + BundleManifest.ModelFileName;
                }
            }
        }

        /// <summary>Every entry under <paramref name="folder"/>, relative, '/'-separated, folders with a trailing '/'; links are not followed.</summary>
        private static IEnumerable<string> Entries(string folder)
        {
            var pending = new Stack<string>();
            pending.Push(string.Empty);
            while (pending.Count > 0)
            {
                string relative = pending.Pop();
                foreach (string entry in Directory.GetFileSystemEntries(Path.Combine(folder, relative)))
                {
                    string child = relative + Path.GetFileName(entry);
                    var info = new FileInfo(entry);
                    bool isLink = info.LinkTarget != null;
                    if (!isLink && Directory.Exists(entry))
                    {
                        yield return child + "/";
                        pending.Push(child + "/");
                    }
                    else
                    {
                        yield return child;
                    }
                }
            }
        }

        private static void SwitchIntoPlace(string temporary, string full, string target, BundleManifest? old)
        {
            try
            {
                if (!Directory.Exists(full))
                {
                    Directory.Move(temporary, full);
                    return;
                }
                if (UnixFiles.TryExchange(temporary, full))
                {
                    // One step: the target is the new bundle, the temporary folder holds the old one.
                    DeleteOurs(temporary, old);
                    return;
                }
                string aside = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".old-" + Tag());
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
                DeleteOurs(aside, old);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new E2ENetOnnxException(OnnxErrors.BundleWriteFailed, target, "cannot move the finished bundle into place: " + e.Message + "; the target was left as it was", e);
            }
        }

        /// <summary>
        /// Deletes a folder an export wrote (a temporary folder, or an old bundle), file by file: only the files a bundle has (as its
        /// manifest names them, or as an unfinished export writes them); a folder that still holds anything else is left.
        /// </summary>
        private static void DeleteOurs(string folder, BundleManifest? manifest = null)
        {
            try
            {
                if (!Directory.Exists(folder)) return;
                if (manifest == null && File.Exists(Path.Combine(folder, BundleManifest.FileName))) Recognise(folder, out manifest, out _);
                var ours = new HashSet<string>(StringComparer.Ordinal) { UnfinishedMarker, BundleManifest.FileName, BundleManifest.ReportFileName, BundleManifest.ModelFileName, BundleManifest.PlanFileName };
                if (manifest != null) ours.UnionWith(ExpectedEntries(manifest));
                List<string> entries = Entries(folder).ToList();
                // An unfinished Triton repository has no manifest to name it yet: take its folder from its own layout.
                foreach (string entry in entries.Where(e => e.StartsWith(TritonRepository.Folder + "/", StringComparison.Ordinal)))
                {
                    string[] parts = entry.TrimEnd('/').Split('/');
                    if (parts.Length >= 2 && (manifest == null || manifest.Triton == null))
                    {
                        string model = TritonRepository.Folder + "/" + parts[1];
                        ours.UnionWith(new[] { TritonRepository.Folder + "/", model + "/", model + "/config.pbtxt", model + "/1/", model + "/1/" + BundleManifest.ModelFileName });
                    }
                }
                foreach (string file in entries.Where(e => !e.EndsWith("/", StringComparison.Ordinal) && ours.Contains(e))) File.Delete(Path.Combine(folder, file));
                foreach (string directory in entries.Where(e => e.EndsWith("/", StringComparison.Ordinal) && ours.Contains(e)).OrderByDescending(e => e.Length))
                {
                    string path = Path.Combine(folder, directory.TrimEnd('/'));
                    if (Directory.GetFileSystemEntries(path).Length == 0) Directory.Delete(path);
                }
                if (Directory.GetFileSystemEntries(folder).Length == 0) Directory.Delete(folder);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // A leftover hidden folder is harmless (the next export cleans it); the target is what matters.
            }
        }

        /// <summary>
        /// Folders beside the target named by an export: <c>PREFIX</c> then <c>PID-XXXXXXXX</c> (or the 8 hex digits alone, as
        /// earlier versions named the old bundle they moved aside), so a user's own <c>NAME.old-backup</c> is never taken for one.
        /// </summary>
        private static List<string> Siblings(string parent, string prefix)
            => Directory.GetDirectories(parent).Where(d =>
            {
                string name = Path.GetFileName(d);
                return name.StartsWith(prefix, StringComparison.Ordinal) && OurSuffix.IsMatch(name.Substring(prefix.Length));
            }).ToList();

        private static readonly System.Text.RegularExpressions.Regex OurSuffix = new System.Text.RegularExpressions.Regex("^([0-9]+-)?[0-9a-f]{8}$");

        private static string Tag() => Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N").Substring(0, 8);
    }
}
