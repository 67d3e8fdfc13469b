using System.Collections;
using System.Collections.Generic;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace E2ENet.Generators.Tests.Infrastructure
{
    /// <summary>Reads torch.save'd dicts of tensors (the golden state dicts and inputs/outputs) with TorchSharp.PyBridge.</summary>
    internal static class TensorFiles
    {
        public static Dictionary<string, Tensor> Read(string path)
        {
            Hashtable table = PyTorchUnpickler.UnpickleStateDict(path);
            var result = new Dictionary<string, Tensor>();
            foreach (DictionaryEntry entry in table) result[(string)entry.Key] = (Tensor)entry.Value!;
            return result;
        }

        /// <summary>max |actual - expected| / max |expected|: the error measure of the golden cases.</summary>
        public static double RelativeError(Tensor actual, Tensor expected)
        {
            using var scope = NewDisposeScope();
            double difference = (actual - expected).abs().max().item<float>();
            double reference = expected.abs().max().item<float>();
            return difference / reference;
        }
    }
}
