using TorchSharp;

namespace E2ENet.Data.Inference
{
    /// <summary>
    /// What sliding-window inference needs from a network: input (B, C, D, H, W) float32 to logits
    /// (B, classes, D, H, W), before softmax. The TorchSharp network (issue 5: <c>network.forward</c> in eval mode) and
    /// the ONNX bundle (issue 6: an ONNX Runtime session wrapped into a tensor function) both plug in here. The input
    /// lives on <see cref="SlidingWindowOptions.Device"/>; the result may live on any device. The predictor must not
    /// dispose its input; the caller disposes the result.
    /// </summary>
    public delegate torch.Tensor PatchPredictor(torch.Tensor input);
}
