using System;
using System.Threading;
using TorchSharp;
using static TorchSharp.torch;

namespace E2ENet.Torch.Precision
{
    /// <summary>The precision convolutions run in (<c>--precision</c>).</summary>
    public enum ComputePrecision
    {
        /// <summary>Everything in float32 (the default).</summary>
        Fp32,

        /// <summary>Convolutions in bfloat16 (float32's range, 8 bits of mantissa: no loss scaling needed); runs on CPUs and GPUs.</summary>
        Bf16,

        /// <summary>Convolutions in float16 (10 bits of mantissa, range to 65504: training needs loss scaling); for CUDA.</summary>
        Fp16,
    }

    /// <summary>
    /// Mixed precision without autocast (TorchSharp 0.107 has none), done the way autocast does it where it matters: inside
    /// <see cref="Use"/>, every convolution, transposed convolution and 1x1x1 head of the E2ENet and U-Net modules
    /// (<see cref="Modules.Convolutions"/>) casts its input, weight and bias to the low precision, computes there, and
    /// returns float32; instance norm, activations, pooling, concatenation, softmax and the losses stay in float32, and
    /// the parameters (the master weights the optimizer updates) stay float32, so gradients reach them in float32 through
    /// the casts. The setting is ambient (it flows with the calling thread and its async continuations) so a run-time
    /// network and a generated class behave the same.
    /// <code>
    ///   using (MixedPrecision.Use(ComputePrecision.Bf16)) { logits = network.forward(x); }   // x, logits: float32
    /// </code>
    /// </summary>
    public static class MixedPrecision
    {
        private static readonly AsyncLocal<ComputePrecision> _current = new AsyncLocal<ComputePrecision>();

        /// <summary>The precision convolutions run in here (float32 unless inside <see cref="Use"/>).</summary>
        public static ComputePrecision Current => _current.Value;

        /// <summary>Runs convolutions in <paramref name="precision"/> until the returned scope is disposed (scopes nest).</summary>
        public static IDisposable Use(ComputePrecision precision)
        {
            ComputePrecision previous = _current.Value;
            _current.Value = precision;
            return new Restore(previous);
        }

        /// <summary>The tensor type of a precision: float32, bfloat16 or float16.</summary>
        public static ScalarType TypeOf(ComputePrecision precision) => precision switch
        {
            ComputePrecision.Bf16 => ScalarType.BFloat16,
            ComputePrecision.Fp16 => ScalarType.Float16,
            _ => ScalarType.Float32,
        };

        /// <summary>The command-line name: <c>fp32</c>, <c>bf16</c>, <c>fp16</c>.</summary>
        public static string Name(ComputePrecision precision) => precision switch
        {
            ComputePrecision.Bf16 => "bf16",
            ComputePrecision.Fp16 => "fp16",
            _ => "fp32",
        };

        /// <summary>Parses <c>fp32</c>, <c>bf16</c> or <c>fp16</c> (any case); false for anything else.</summary>
        public static bool TryParse(string? text, out ComputePrecision precision)
        {
            switch (text?.Trim().ToLowerInvariant())
            {
                case "fp32": case "float32": precision = ComputePrecision.Fp32; return true;
                case "bf16": case "bfloat16": precision = ComputePrecision.Bf16; return true;
                case "fp16": case "float16": case "half": precision = ComputePrecision.Fp16; return true;
                default: precision = ComputePrecision.Fp32; return false;
            }
        }

        /// <summary>
        /// Runs <paramref name="operation"/> on its arguments cast to the current low precision and returns the result as
        /// float32; in float32 (or for inputs that are not float32) it runs the operation as is. Differentiable: the casts
        /// pass gradients back in float32.
        /// </summary>
        internal static Tensor Run(Tensor input, Tensor weight, Tensor? bias, Func<Tensor, Tensor, Tensor?, Tensor> operation)
        {
            ComputePrecision precision = _current.Value;
            if (precision == ComputePrecision.Fp32 || input.dtype != ScalarType.Float32) return operation(input, weight, bias);
            using var scope = NewDisposeScope();
            ScalarType low = TypeOf(precision);
            Tensor output = operation(input.to(low), weight.to(low), bias?.to(low)).to(ScalarType.Float32);
            return output.MoveToOuterDisposeScope();
        }

        private sealed class Restore : IDisposable
        {
            private readonly ComputePrecision _previous;
            private bool _done;

            public Restore(ComputePrecision previous) => _previous = previous;

            public void Dispose()
            {
                if (_done) return;
                _done = true;
                _current.Value = _previous;
            }
        }
    }
}
