using static TorchSharp.torch;

namespace E2ENet.Torch
{
    /// <summary>
    /// What every E2ENet network offers, whether generated at build time from an .e2e file or built at run time from its IR:
    /// the trainer, the predictor and the exporter use networks through this.
    /// </summary>
    public interface IE2ENetNetwork
    {
        /// <summary>The model's name in its .e2e file.</summary>
        string ModelName { get; }

        /// <summary>
        /// Inference: (B, inputChannels, D, H, W) -> the full-resolution logits (B, classes, D, H, W) of the head on x05.
        /// Softmax is applied outside the network.
        /// </summary>
        Tensor forward(Tensor input);

        /// <summary>
        /// Training with deep supervision: the logits of the four heads (on x05, x14, x23, x32), full resolution first.
        /// </summary>
        Tensor[] ForwardDeepSupervision(Tensor input);
    }
}
