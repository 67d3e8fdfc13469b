using System.IO;
using E2ENet.Torch.Network;
using E2ENet.Torch.Weights;

namespace E2ENet.Onnx.Tests
{
    /// <summary><c>e2enet export --weights</c> takes a safetensors state dict as it takes a torch.save one.</summary>
    public sealed class SafetensorsExportTests
    {
        [Fact]
        public void Export_from_safetensors_weights_gives_the_same_graph_as_from_torch_save()
        {
            using var temp = new TempFolder();
            string model = Support.GoldenModelFile("tiny_s3_dense");
            string pt = temp["weights.pt"], safetensors = temp["weights.safetensors"];
            using (E2ENetNetwork network = E2ENetNetwork.FromFile(model, "TinyS3Dense"))
            {
                StateDictSaver.Save(network, pt);
                StateDictSaver.Save(network, safetensors);
            }
            foreach (var (weights, bundle) in new[] { (pt, temp["from-pt"]), (safetensors, temp["from-safetensors"]) })
            {
                var (exit, _, error) = Support.Cli("export", "--model", model + ":TinyS3Dense", "--weights", weights, "--out", bundle, "--no-tune", "--verify-patch", "32,32,64");
                Assert.True(exit == 0, error);
            }
            Assert.Equal(File.ReadAllBytes(Path.Combine(temp["from-pt"], "model.onnx")), File.ReadAllBytes(Path.Combine(temp["from-safetensors"], "model.onnx")));
        }
    }
}
