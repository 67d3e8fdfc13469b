#nullable enable
// MSBuild inline task (RoslynCodeTaskFactory), see LibTorchSharpGlibcxx.targets.
// Marks one symbol-version requirement of libLibTorchSharp.so weak when the system libstdc++ lacks it.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class E2ENetRelaxGlibcxxRequirement : Task
{
    [Required] public string Directory { get; set; } = "";
    [Required] public string VersionName { get; set; } = "";

    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    private static readonly string[] LibstdcxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6",
        "/lib64/libstdc++.so.6",
        "/usr/lib/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
    };

    public override bool Execute()
    {
        string library = Path.Combine(Directory, "libLibTorchSharp.so");
        if (!File.Exists(library)) return true;

        string? system = null;
        foreach (string candidate in LibstdcxxCandidates)
        {
            if (File.Exists(candidate)) { system = candidate; break; }
        }
        if (system != null && Contains(File.ReadAllBytes(system), Encoding.ASCII.GetBytes(VersionName + "\0")))
        {
            Log.LogMessage(MessageImportance.Low, "{0} provides {1}; {2} left as it is.", system, VersionName, library);
            return true;
        }

        try
        {
            byte[] elf = File.ReadAllBytes(library);
            string outcome = MarkWeak(elf, VersionName, out long flagsOffset);
            if (outcome == "patched")
            {
                using (var stream = new FileStream(library, FileMode.Open, FileAccess.Write))
                {
                    stream.Seek(flagsOffset, SeekOrigin.Begin);
                    stream.Write(elf, (int)flagsOffset, 2);
                }
                Log.LogMessage(MessageImportance.High,
                    "E2ENet: marked {0} weak in {1} (system libstdc++ {2} lacks it).", VersionName, library, system ?? "not found");
            }
            else if (outcome != "already weak")
            {
                Log.LogWarning("E2ENet: could not relax {0} in {1}: {2}. TorchSharp may fail to load on this machine.",
                    VersionName, library, outcome);
            }
            return true;
        }
        catch (Exception e)
        {
            Log.LogWarning("E2ENet: could not relax {0} in {1}: {2}", VersionName, library, e.Message);
            return true;
        }
    }

    private static bool Contains(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }

    /// <summary>Finds the Vernaux entry named <paramref name="name"/> and sets VER_FLG_WEAK in the buffer.</summary>
    private static string MarkWeak(byte[] elf, string name, out long flagsOffset)
    {
        flagsOffset = -1;
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            return "not an ELF file";
        if (elf[4] != 2 || elf[5] != 1) return "not a little-endian 64-bit ELF file";

        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        ushort shentsize = BitConverter.ToUInt16(elf, 0x3A);
        ushort shnum = BitConverter.ToUInt16(elf, 0x3C);
        if (shoff == 0 || shentsize < 64 || shoff + (ulong)shnum * shentsize > (ulong)elf.Length) return "bad section table";

        for (int s = 0; s < shnum; s++)
        {
            int sh = checked((int)shoff + s * shentsize);
            if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed) continue;
            long offset = (long)BitConverter.ToUInt64(elf, sh + 0x18);
            uint link = BitConverter.ToUInt32(elf, sh + 0x28);
            uint count = BitConverter.ToUInt32(elf, sh + 0x2C); // sh_info: number of Verneed entries
            if (link >= shnum) return "bad string table link";
            long strtab = (long)BitConverter.ToUInt64(elf, checked((int)shoff + (int)link * shentsize + 0x18));

            long need = offset;
            for (uint n = 0; n < count; n++)
            {
                ushort auxCount = BitConverter.ToUInt16(elf, (int)need + 2);
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    uint nameOffset = BitConverter.ToUInt32(elf, (int)aux + 8);
                    if (ReadString(elf, strtab + nameOffset) == name)
                    {
                        flagsOffset = aux + 4;
                        ushort flags = BitConverter.ToUInt16(elf, (int)flagsOffset);
                        if ((flags & VerFlgWeak) != 0) return "already weak";
                        flags |= VerFlgWeak;
                        elf[flagsOffset] = (byte)(flags & 0xff);
                        elf[flagsOffset + 1] = (byte)(flags >> 8);
                        return "patched";
                    }
                    uint nextAux = BitConverter.ToUInt32(elf, (int)aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = BitConverter.ToUInt32(elf, (int)need + 12);
                if (next == 0) break;
                need += next;
            }
            return "version " + name + " is not required by the library";
        }
        return "no .gnu.version_r section";
    }

    private static string ReadString(byte[] elf, long offset)
    {
        int end = (int)offset;
        while (end < elf.Length && elf[end] != 0) end++;
        return Encoding.ASCII.GetString(elf, (int)offset, end - (int)offset);
    }
}
