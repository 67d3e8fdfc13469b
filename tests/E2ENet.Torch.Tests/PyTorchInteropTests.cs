using System;
using System.Diagnostics;
using System.IO;
using E2ENet.Cli;
using E2ENet.Tests;
using E2ENet.Torch.Network;
using E2ENet.Torch.Weights;

namespace E2ENet.Torch.Tests
{
    /// <summary>
    /// What we write, PyTorch reads: a state dict saved by <see cref="StateDictSaver"/> loads strictly into the PyTorch E2ENet of
    /// benchmarks/e2enet_pytorch.py and gives the golden outputs, and so does the output of <c>e2enet forward</c>.
    /// Needs Debian's python3-torch (tests/apt-packages.txt).
    /// </summary>
    public sealed class PyTorchInteropTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "e2enet-interop-" + Guid.NewGuid().ToString("N"));

        public PyTorchInteropTests() => Directory.CreateDirectory(_folder);

        public void Dispose() => Directory.Delete(_folder, true);

        [Fact]
        public void PyTorch_loads_our_state_dicts_and_outputs()
        {
            const string name = "tiny_s5_sparse_aniso";
            string stateDict = Path.Combine(_folder, "saved.pt");
            using (E2ENetNetwork network = Golden.Network(name))
            using (LoadedWeights weights = StateDictLoader.Load(network, Golden.Weights(name)))
            {
                StateDictSaver.Save(network, stateDict);
            }
            string output = Path.Combine(_folder, "out.pt");
            int exit = CliApp.Run(new[] { "forward", "--model", Golden.ModelFile(name), "--weights", stateDict, "--input", Golden.Io(name), "--output", output },
                new StringWriter(), new StringWriter());
            Assert.Equal(0, exit);

            var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string arg in new[] { TestPaths.Repo("benchmarks", "e2enet_pytorch.py"), "--golden", TestPaths.Golden(), "--case", name,
                "--verify-saved", stateDict, "--verify-output", output })
            {
                info.ArgumentList.Add(arg);
            }
            using Process process = Process.Start(info)!;
            string stdout = process.StandardOutput.ReadToEnd();
            string stderr = process.StandardError.ReadToEnd();
            Assert.True(process.WaitForExit(120_000), "python3 timed out");
            Assert.True(process.ExitCode == 0, "python3 benchmarks/e2enet_pytorch.py (needs python3-torch): " + stdout + stderr);
            Assert.Contains("verify " + name + ": state dict", stdout);
        }
    }
}
