// The E2ENet sample: a network generated at build time from Models/spleen.e2e, built, described and run once.
using System.Globalization;
using E2ENet.Torch;
using Sample.Models;
using TorchSharp;
using static TorchSharp.torch;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

// Static metadata, known at compile time.
Console.WriteLine($"model {SpleenNet.E2EModelName} from {SpleenNet.E2EFileName}: {SpleenNet.Description}");
Console.WriteLine($"input channels {SpleenNet.InputChannels}, classes {SpleenNet.Classes} [{string.Join(", ", SpleenNet.Labels)}]");
Console.WriteLine($"widths [{string.Join(", ", SpleenNet.Widths)}], pools [{string.Join(", ", SpleenNet.Pools)}], patch {SpleenNet.Patch}");
Console.WriteLine($"parameters {SpleenNet.DenseParameters} dense, {SpleenNet.ActiveParameters} active at sparsity {SpleenNet.Sparsity}");
Console.WriteLine($"MACs at the patch {SpleenNet.DenseMacs} dense, {SpleenNet.ActiveMacs} active");
var (firstLayer, units, kept) = SpleenNet.SparseLayers[0];
Console.WriteLine($"sparse layers {SpleenNet.SparseLayers.Count}, first {firstLayer} keeps {kept} of {units} kernels");

// The module: TorchSharp's Module<Tensor, Tensor> with the authors' parameter names.
random.manual_seed(2024);
using var network = new SpleenNet();
long count = network.parameters().Sum(p => p.numel());
Console.WriteLine($"module parameters {count} in {network.state_dict().Count} tensors, first {network.state_dict().Keys.First()}");

// One forward pass on a random image at the patch, and the deep-supervision heads.
var (d, h, w) = SpleenNet.Patch;
using var image = randn(new long[] { 1, SpleenNet.InputChannels, d, h, w });
network.eval();
using (no_grad())
{
    using Tensor logits = network.call(image);
    Console.WriteLine($"forward [{string.Join(", ", image.shape)}] -> [{string.Join(", ", logits.shape)}]");
    Tensor[] heads = ((IE2ENetNetwork)network).ForwardDeepSupervision(image);
    Console.WriteLine($"deep supervision {string.Join(" ", heads.Select(t => "[" + string.Join(", ", t.shape) + "]"))}");
    foreach (Tensor head in heads) head.Dispose();
}
using Tensor labels = network.Predict(image);
Console.WriteLine($"predict [{string.Join(", ", labels.shape)}]");

// The variant from the same file, by its model name.
using var dense = new SpleenDense();
Console.WriteLine($"variant {SpleenDense.E2EModelName}: {SpleenDense.ActiveParameters} active of {SpleenDense.DenseParameters}");
Console.WriteLine("done");
