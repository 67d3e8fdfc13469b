using System;

namespace E2ENet.Torch.Serialization
{
    /// <summary>Where a <see cref="TensorFile"/>'s tensor bytes come from: a torch.save archive or a safetensors file.</summary>
    internal interface ITensorStorage : IDisposable
    {
        /// <summary>The file.</summary>
        string Path { get; }

        /// <summary>The first <paramref name="bytes"/> bytes of storage <paramref name="key"/>, checked against what the file holds.</summary>
        byte[] ReadStorage(string key, long bytes, string tensorName);

        /// <summary>Checks, before anything is allocated, that storage <paramref name="key"/> exists and holds <paramref name="bytes"/> bytes.</summary>
        void CheckStorage(string key, long bytes, string tensorName);
    }
}
