using System;
using E2ENet.Compiler.Ir;
using static TorchSharp.torch;

namespace E2ENet.Torch
{
    /// <summary>
    /// What every E2ENet network offers, whether generated at build time from an .e2e file (a class of the source generator)
    /// or built at run time from its IR (<see cref="E2ENet.Torch.Network.E2ENetNetwork"/>): the trainer, the predictor, the final validation
    /// and the exporter take networks through this, and read the network's shapes, parameter names and masks from
    /// <see cref="Network"/>, never from the class. Disposing the network disposes its module.
    /// </summary>
    public interface IE2ENetNetwork : IDisposable
    {
        /// <summary>The model's name in its .e2e file.</summary>
        string ModelName { get; }

        /// <summary>
        /// The model's IR (<see cref="NetworkIr.Spec"/> holds the training recipe and the inference settings): the parameters
        /// in state-dict order with their shapes, the sparse tensors with their masks, the module tree and the schedule.
        /// </summary>
        NetworkIr Network { get; }

        /// <summary>The network as a TorchSharp module (the same object): parameters, state dict, <c>to(device)</c>, <c>train()</c>, <c>eval()</c>.</summary>
        nn.Module<Tensor, Tensor> Module { get; }

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
