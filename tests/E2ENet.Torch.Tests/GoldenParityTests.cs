using System.Collections.Generic;
using System.Linq;
using E2ENet.Torch.Network;
using E2ENet.Torch.Serialization;
using E2ENet.Torch.Weights;
using static TorchSharp.torch;

namespace E2ENet.Torch.Tests
{
    /// <summary>The run-time network with the golden weights reproduces the authors' outputs (relative error under 1e-4),
    /// and nnU-Net's U-Net reproduces dynamic_network_architectures' PlainConvUNet.</summary>
    public class GoldenParityTests
    {
        public static IEnumerable<object[]> Cases() => Golden.Cases.Select(c => new object[] { c });

        [Theory]
        [MemberData(nameof(Cases))]
        public void Inference_and_deep_supervision_match_the_authors_outputs(string name)
        {
            using var scope = NewDisposeScope();
            using E2ENetNetwork network = Golden.Network(name);
            using LoadedWeights weights = StateDictLoader.Load(network, Golden.Weights(name));
            Dictionary<string, Tensor> io = TensorFile.ReadAll(Golden.Io(name));

            network.eval();
            using (no_grad())
            {
                Tensor eval = network.forward(io["input"]);
                Assert.InRange(Golden.RelativeError(eval, io["eval"]), 0, 1e-4);
            }
            network.train();
            using (no_grad())
            {
                Tensor[] heads = network.ForwardDeepSupervision(io["input"]);
                int expected = io.Keys.Count(k => k.StartsWith("ds"));
                Assert.Equal(expected, heads.Length);
                for (int k = 0; k < expected; k++) Assert.InRange(Golden.RelativeError(heads[k], io["ds" + k]), 0, 1e-4);
            }
        }

        [Fact]
        public void An_nnunet_v2_checkpoint_loads_strictly_and_reproduces_the_golden_unet()
        {
            // tests/data/nnunet/checkpoint_final.pth: nnU-Net v2's checkpoint layout (network_weights next to the optimizer
            // state, numpy scalars in the log, a torch.device in init_args; make_checkpoint.py beside it) around the golden
            // unet_iso_small weights, including nnU-Net's duplicate views all_modules.* and decoder.encoder.*.
            using var scope = NewDisposeScope();
            using E2ENetNetwork network = Golden.Network("unet_iso_small");
            using LoadedWeights weights = StateDictLoader.Load(network, E2ENet.Tests.TestPaths.Repo("tests", "data", "nnunet", "checkpoint_final.pth"));
            Dictionary<string, Tensor> io = TensorFile.ReadAll(Golden.Io("unet_iso_small"));
            network.eval();
            using (no_grad())
            {
                Assert.InRange(Golden.RelativeError(network.forward(io["input"]), io["eval"]), 0, 1e-4);
            }
        }

        [Fact]
        public void The_sparse_case_masks_are_the_golden_kept_kernels()
        {
            const string name = "tiny_s5_sparse_aniso";
            using E2ENetNetwork network = Golden.Network(name);
            using LoadedWeights weights = StateDictLoader.Load(network, Golden.Weights(name));
            // tests/data/golden/tiny_s5_sparse_aniso.json: masked_kernels_kept
            var kept = new Dictionary<string, long>
            {
                ["loc0.0.0.blocks.0.conv.weight"] = 2074, ["loc0.4.1.blocks.0.conv.weight"] = 11, ["loc4.0.0.blocks.0.conv.weight"] = 22,
                ["up0.0.weight"] = 691, ["up2.2.weight"] = 22, ["up4.0.weight"] = 22,
            };
            Assert.Equal(35, weights.Masks.Count);
            foreach (var pair in kept) Assert.Equal(pair.Value, weights.Masks.Single(m => m.Name == pair.Key).Active);
            Assert.All(weights.Masks, m => Assert.Equal(m.Ir.Kept, m.Active));
        }
    }
}
