using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using E2ENet.Compiler;
using E2ENet.Compiler.Semantics;
using E2ENet.Tests;
using E2ENet.Torch.Devices;
using E2ENet.Torch.Diagnostics;
using E2ENet.Torch.Network;
using E2ENet.Torch.Serialization;
using E2ENet.Torch.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace E2ENet.Torch.Tests
{
    /// <summary>
    /// A batch of distinct inputs gives what the same inputs give one at a time (inference, deep supervision, gradients), for
    /// every shipped model narrowed and both golden cases, in this process and in child processes under other CPU code paths
    /// (ONEDNN_MAX_CPU_ISA=AVX2, one thread). On an AMD EPYC (family 26) libtorch's oneDNN AVX2/AVX-512 kernels broke this;
    /// see <see cref="CpuKernels"/>.
    /// </summary>
    public sealed class BatchConsistencyTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "e2enet-batch-" + Guid.NewGuid().ToString("N"));

        public BatchConsistencyTests() => Directory.CreateDirectory(_folder);

        public void Dispose() => Directory.Delete(_folder, true);

        /// <summary>
        /// Widths 6..24: concatenations of 12, 24, 30 and 72 channels, among the shapes the defect hit. A group-unit model
        /// whose group count does not divide them gets the nearest widths it does (4 or 8 groups: 8..24).
        /// </summary>
        internal static string[] Narrow(CompiledModel model)
        {
            ModelSpec spec = model.Spec!;
            Int3 divisor = spec.Pools.Aggregate(Int3.All(1), (a, p) => a * p);
            int groups = spec.Fusion.Unit == SparsityUnit.Group ? spec.Fusion.Groups : 1;
            int RoundUp(int width) => (width + groups - 1) / groups * groups;
            // The smallest patch the pools divide whose bottleneck is more than one voxel.
            return new[]
            {
                $"widths.base={RoundUp(6)}", $"widths.max={RoundUp(24)}", $"input.patch=[{divisor.D}, {2 * divisor.H}, {2 * divisor.W}]",
            };
        }

        public static IEnumerable<object[]> ShippedModels() => NetworkTests.ShippedModels();

        [Theory]
        [MemberData(nameof(ShippedModels))]
        public void Every_shipped_model_narrowed_gives_the_same_outputs_and_gradients_at_batch_3_as_one_sample_at_a_time(string file, string model)
        {
            CompiledModel compiled = ModelLoader.Load(TestPaths.Repo(file), model);
            using E2ENetNetwork network = E2ENetNetwork.FromFile(TestPaths.Repo(file), model, Narrow(compiled));
            BatchConsistencyReport report = BatchConsistency.Measure(network, network.InputChannels, network.Network.Spec.Input.Patch, batch: 3);
            Assert.True(report.Passed(), report.ToString());
        }

        [Theory]
        [MemberData(nameof(NetworkTests.GoldenCases), MemberType = typeof(NetworkTests))]
        public void The_golden_networks_with_the_authors_weights_are_batch_consistent(string name)
        {
            using E2ENetNetwork network = Golden.Network(name);
            StateDictLoader.Load(network, Golden.Weights(name));
            BatchConsistencyReport report = BatchConsistency.Measure(network, network.InputChannels, network.Network.Spec.Input.Patch, batch: 3);
            Assert.True(report.Passed(), report.ToString());
        }

        [Fact]
        public void The_measure_catches_a_network_that_mixes_the_samples_of_a_batch()
        {
            // Batch statistics instead of instance statistics: exactly the kind of cross-sample leak the check is for.
            using E2ENetNetwork network = Golden.Network("tiny_s3_dense");
            using var mixing = new MixingNetwork(network);
            BatchConsistencyReport report = BatchConsistency.Measure(mixing, 1, network.Network.Spec.Input.Patch, batch: 3);
            Assert.False(report.Passed(), report.ToString());
            Assert.True(report.Inference > BatchConsistencyReport.DefaultTolerance, report.ToString());
            Assert.True(report.Gradients > BatchConsistencyReport.DefaultTolerance * BatchConsistencyReport.GradientFactor, report.ToString());
        }

        [Fact]
        public void Creating_a_module_caps_onednn_at_sse41_in_the_environment_the_native_library_reads()
        {
            using E2ENetNetwork network = Golden.Network("tiny_s3_dense");
            Assert.Equal(CpuKernels.SafeIsa, CpuKernels.MaxIsa);
            Assert.Equal(CpuKernels.SafeIsa, NativeEnvironment("ONEDNN_MAX_CPU_ISA"));
        }

        [Fact]
        public void A_layer_that_turns_finite_input_into_nan_is_named()
        {
            // The test assemblies run with E2ENET_CHECK_FINITE=1: the first layer that breaks is named, not a NaN loss later.
            Assert.True(FiniteChecks.Enabled);
            using E2ENetNetwork network = Golden.Network("tiny_s3_dense");
            using (no_grad()) network.Blocks["loc2.1.0.blocks.0"].Conv.weight![0, 0, 0, 1, 1].fill_(float.PositiveInfinity);
            using var scope = NewDisposeScope();
            var error = Assert.Throws<E2ENetTorchException>(() => network.forward(randn(new long[] { 2, 1, 64, 32, 64 })));
            Assert.Equal("E2E3010", error.Id);
            Assert.Contains("layer 'loc2.1.0.blocks.0'", error.Message);
        }

        public static IEnumerable<object[]> CpuPaths()
        {
            foreach (string golden in Golden.Cases)
            {
                yield return new object[] { golden, "ONEDNN_MAX_CPU_ISA=AVX2" };
                yield return new object[] { golden, "OMP_NUM_THREADS=1" };
                yield return new object[] { golden, "ONEDNN_MAX_CPU_ISA=AVX512_CORE" };
            }
        }

        [Theory]
        [MemberData(nameof(CpuPaths))]
        public void Forward_of_a_golden_case_at_batch_3_is_right_under_another_cpu_code_path(string name, string environment)
        {
            // [sample 0, sample 1, sample 0] (tiny_s3_dense has one sample: [0, 0, 0]): the rows of the golden output.
            using var scope = NewDisposeScope();
            Dictionary<string, Tensor> golden = TensorFile.ReadAll(Golden.Io(name));
            long samples = golden["input"].shape[0];
            long[] rows = { 0, Math.Min(1, samples - 1), 0 };
            Tensor index = tensor(rows);
            string input = Path.Combine(_folder, "input.pt");
            TensorFileWriter.Write(input, new Dictionary<string, Tensor> { ["input"] = golden["input"].index_select(0, index) });
            string output = Path.Combine(_folder, "output.pt");
            (int exit, string text) = RunCli(environment, "forward", "--model", Golden.ModelFile(name) + ":" + Golden.Model(name),
                "--weights", Golden.Weights(name), "--input", input, "--output", output);
            Assert.True(exit == 0, text);
            Tensor actual = TensorFile.ReadAll(output)["eval"];
            Assert.InRange(Golden.RelativeError(actual, golden["eval"].index_select(0, index)), 0, 1e-4);
        }

        [Theory]
        [InlineData("tiny_s5_sparse_aniso", "ONEDNN_MAX_CPU_ISA=AVX2")]
        [InlineData("tiny_s5_sparse_aniso", "OMP_NUM_THREADS=1")]
        [InlineData("amos-ct", "ONEDNN_MAX_CPU_ISA=AVX2")]
        [InlineData("amos-ct", "OMP_NUM_THREADS=1")]
        public void Verify_passes_under_another_cpu_code_path(string model, string environment)
        {
            string[] args = model == "amos-ct"
                ? new[] { "verify", "--model", TestPaths.Repo("models", "amos-ct.e2e") + ":AmosCt", "--set", "widths.base=6", "--set", "widths.max=24", "--patch", "32,64,64" }
                : new[] { "verify", "--model", Golden.ModelFile(model) + ":" + Golden.Model(model), "--weights", Golden.Weights(model) };
            (int exit, string text) = RunCli(environment, args);
            Assert.True(exit == 0, text);
            Assert.Contains("result: ok", text);
            Assert.Contains("ONEDNN_MAX_CPU_ISA=SSE41", text);
        }

        [Fact]
        public void Verify_reports_a_machine_that_computes_wrong_with_a_located_error()
        {
            // The override lets oneDNN pick its own kernels; on a machine where they are right this passes, and on one where
            // they are not (the AMD EPYC this was found on) it must fail with E2E3011 rather than print "ok".
            (int exit, string text) = RunCli("E2ENET_ONEDNN_MAX_ISA=DEFAULT", "verify", "--model", Golden.ModelFile("tiny_s5_sparse_aniso") + ":TinyS5SparseAniso");
            if (exit == 0) Assert.Contains("result: ok", text);
            else
            {
                Assert.Equal(1, exit);
                Assert.Contains("error E2E3011", text);
                Assert.DoesNotContain("   at ", text);
            }
        }

        private static (int Exit, string Output) RunCli(string environment, params string[] args)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "e2enet.dll"));
            foreach (string arg in args) info.ArgumentList.Add(arg);
            string[] pair = environment.Split('=', 2);
            info.Environment[pair[0]] = pair[1];
            using Process process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout.Result + stderr);
        }

        [System.Runtime.InteropServices.DllImport("libc.so.6", EntryPoint = "getenv")]
        private static extern IntPtr GetEnv([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string name);

        private static string? NativeEnvironment(string name) => System.Runtime.InteropServices.Marshal.PtrToStringUTF8(GetEnv(name));

        /// <summary>A network that normalises over the whole batch before running: its samples leak into each other.</summary>
        private sealed class MixingNetwork : nn.Module<Tensor, Tensor>, IE2ENetNetwork
        {
            private readonly E2ENetNetwork inner;

            public MixingNetwork(E2ENetNetwork inner)
                : base(nameof(MixingNetwork))
            {
                this.inner = inner;
                RegisterComponents();
            }

            public string ModelName => "Mixing";

            public E2ENet.Compiler.Ir.NetworkIr Network => inner.Network;

            public nn.Module<Tensor, Tensor> Module => this;

            public override Tensor forward(Tensor input) => inner.forward(Mix(input));

            public Tensor[] ForwardDeepSupervision(Tensor input) => inner.ForwardDeepSupervision(Mix(input));

            private static Tensor Mix(Tensor input) => input - input.mean();
        }
    }
}
