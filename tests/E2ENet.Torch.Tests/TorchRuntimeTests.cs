using System.IO;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace E2ENet.Torch.Tests
{
    /// <summary>TorchSharp loads and computes in the test host (on Debian 12 thanks to eng/LibTorchSharpGlibcxx.targets).</summary>
    public class TorchRuntimeTests
    {
        [Fact]
        public void A_tensor_operation_runs_in_the_test_host()
        {
            using var a = arange(6, dtype: float32).reshape(2, 3);
            using var b = ones(3, 2, dtype: float32);
            using var product = matmul(a, b);
            Assert.Equal(new float[] { 3, 3, 12, 12 }, product.data<float>().ToArray());
        }

        [Fact]
        public void A_3d_convolution_runs_and_has_gradients()
        {
            using var scope = NewDisposeScope();
            var conv = nn.Conv3d(2, 4, kernel_size: (1, 3, 3), padding: (0, 1, 1));
            var input = randn(new long[] { 1, 2, 4, 8, 8 });
            var output = conv.forward(input);
            Assert.Equal(new long[] { 1, 4, 4, 8, 8 }, output.shape);
            output.sum().backward();
            Assert.NotNull(conv.weight!.grad);
        }

        [Fact]
        public void The_loader_fix_only_touches_the_output_copy_when_the_system_lacks_the_symbol_version()
        {
            string library = Path.Combine(System.AppContext.BaseDirectory, "libLibTorchSharp.so");
            Assert.True(File.Exists(library), "libLibTorchSharp.so is in the test output");
            // The build's rule (eng/RelaxGlibcxxRequirement.cs, same candidates in the same order): the first system libstdc++
            // found decides; when none is found, the version counts as lacking and the copy is patched.
            string? system = new[]
            {
                "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6",
                "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            }.FirstOrDefault(File.Exists);
            bool systemHasIt = system != null && Contains(File.ReadAllBytes(system), System.Text.Encoding.ASCII.GetBytes("GLIBCXX_3.4.32\0"));
            bool weak = ElfVersionFlags.IsWeak(File.ReadAllBytes(library), "GLIBCXX_3.4.32");
            // Patched exactly where needed: weak when the system lacks the version (or has no libstdc++ the build could find),
            // untouched where it has it.
            Assert.True(weak == !systemHasIt, $"system libstdc++: {system ?? "none found"} ({(systemHasIt ? "has" : "lacks")} GLIBCXX_3.4.32); "
                + $"the test output's libLibTorchSharp.so is {(weak ? "patched" : "untouched")}");
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
    }

    /// <summary>Reads the VER_FLG_WEAK bit of a version requirement (.gnu.version_r) of an ELF64 file.</summary>
    internal static class ElfVersionFlags
    {
        public static bool IsWeak(byte[] elf, string version)
        {
            ulong shoff = System.BitConverter.ToUInt64(elf, 0x28);
            int shentsize = System.BitConverter.ToUInt16(elf, 0x3A);
            int shnum = System.BitConverter.ToUInt16(elf, 0x3C);
            for (int s = 0; s < shnum; s++)
            {
                int sh = (int)shoff + s * shentsize;
                if (System.BitConverter.ToUInt32(elf, sh + 4) != 0x6ffffffe) continue;
                int offset = (int)System.BitConverter.ToUInt64(elf, sh + 0x18);
                int link = (int)System.BitConverter.ToUInt32(elf, sh + 0x28);
                int strtab = (int)System.BitConverter.ToUInt64(elf, (int)shoff + link * shentsize + 0x18);
                int need = offset;
                while (true)
                {
                    int count = System.BitConverter.ToUInt16(elf, need + 2);
                    int aux = need + (int)System.BitConverter.ToUInt32(elf, need + 8);
                    for (int a = 0; a < count; a++)
                    {
                        int name = strtab + (int)System.BitConverter.ToUInt32(elf, aux + 8);
                        int end = System.Array.IndexOf(elf, (byte)0, name);
                        if (System.Text.Encoding.ASCII.GetString(elf, name, end - name) == version)
                        {
                            return (System.BitConverter.ToUInt16(elf, aux + 4) & 0x2) != 0;
                        }
                        aux += (int)System.BitConverter.ToUInt32(elf, aux + 12);
                    }
                    uint next = System.BitConverter.ToUInt32(elf, need + 12);
                    if (next == 0) break;
                    need += (int)next;
                }
            }
            throw new System.InvalidOperationException(version + " is not required by the library");
        }
    }
}
