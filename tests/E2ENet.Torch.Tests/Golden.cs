using System;
using E2ENet.Tests;
using E2ENet.Torch.Network;
using static TorchSharp.torch;

namespace E2ENet.Torch.Tests
{
    /// <summary>The golden cases of tests/data/golden (outputs of the authors' PyTorch code) and their models.</summary>
    internal static class Golden
    {
        public static readonly string[] Cases = { "tiny_s3_dense", "tiny_s5_sparse_aniso", "unet_iso_small" };

        /// <summary>The model of each case: two E2ENet variants and nnU-Net's PlainConvUNet (dynamic_network_architectures).</summary>
        public static string Model(string name) => name switch
        {
            "tiny_s3_dense" => "TinyS3Dense",
            "tiny_s5_sparse_aniso" => "TinyS5SparseAniso",
            "unet_iso_small" => "UNetIsoSmall",
            _ => throw new ArgumentException("no golden case " + name),
        };

        public static string ModelFile(string name) => TestPaths.Repo("models", "reference", name + ".e2e");

        public static string Weights(string name) => TestPaths.Golden(name + ".weights.pt");

        public static string Io(string name) => TestPaths.Golden(name + ".io.pt");

        public static E2ENetNetwork Network(string name) => E2ENetNetwork.FromFile(ModelFile(name), Model(name));

        /// <summary>max |actual - expected| / max |expected|.</summary>
        public static double RelativeError(Tensor actual, Tensor expected)
        {
            Assert.Equal(expected.shape, actual.shape);
            using var scope = NewDisposeScope();
            double diff = (actual - expected).abs().max().item<float>();
            double reference = expected.abs().max().item<float>();
            return diff / Math.Max(reference, 1e-30);
        }
    }
}
