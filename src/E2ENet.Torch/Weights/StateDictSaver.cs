using System.Collections.Generic;
using System.Linq;
using E2ENet.Torch.Serialization;
using static TorchSharp.torch;

namespace E2ENet.Torch.Weights
{
    /// <summary>
    /// Saves a network's state dict as a torch.save file that the authors' PyTorch code loads with
    /// <c>model.load_state_dict(torch.load(path))</c>, atomically (a temporary file in the same folder, then a rename).
    /// Masked kernels are saved as the zeros they are, so <see cref="StateDictLoader"/> gets the same masks back.
    /// </summary>
    public static class StateDictSaver
    {
        /// <summary>Writes every parameter and buffer of <paramref name="module"/>, in its state-dict order.</summary>
        public static void Save(nn.Module module, string path)
        {
            Dictionary<string, Tensor> state = module.state_dict();
            TensorFileWriter.Write(path, state.Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Value)));
        }
    }
}
