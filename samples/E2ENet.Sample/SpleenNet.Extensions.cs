using static TorchSharp.torch;

namespace Sample.Models;

// The generated classes are partial: add your own members beside the generated ones.
public sealed partial class SpleenNet
{
    /// <summary>The most likely class of every voxel: (B, 1, D, H, W) image to (B, D, H, W) labels.</summary>
    public Tensor Predict(Tensor image)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return forward(image).argmax(1).MoveToOuterDisposeScope();
    }
}
