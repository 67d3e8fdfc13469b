using E2ENet.Compiler.Errors;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Torch.Diagnostics;
using static TorchSharp.torch;

namespace E2ENet.Torch.Network
{
    /// <summary>
    /// The TorchSharp side of <see cref="InputContract"/> (the one place that says what an input must be): its problems as
    /// E2E3003 (shape), E2E3109 (data type) and E2E3004 (sizes), for the run-time network, the generated classes and
    /// <c>forward</c>.
    /// </summary>
    public static class InputCheck
    {
        /// <summary>Throws E2E3003, E2E3109 or E2E3004 (with the fix) when <paramref name="shape"/> does not fit <paramref name="spec"/>.</summary>
        public static void Check(ModelSpec spec, long[] shape, ScalarType dtype, string? file = null) => Check(InputContract.Of(spec), shape, dtype, file);

        /// <summary>Throws E2E3003, E2E3109 or E2E3004 (with the fix) when an input of <paramref name="shape"/> breaks <paramref name="contract"/>.</summary>
        public static void Check(InputContract contract, long[] shape, ScalarType dtype, string? file = null)
        {
            InputProblem? problem = contract.Check(shape, dtype == ScalarType.Float32, dtype.ToString().ToLowerInvariant());
            if (problem == null) return;
            ErrorDescriptor error = problem.Kind switch
            {
                InputProblemKind.Shape => TorchErrors.InputShape,
                InputProblemKind.DataType => TorchErrors.UnsupportedDtype,
                _ => TorchErrors.InputNotDivisible,
            };
            throw new E2ENetTorchException(error, file, problem.Message);
        }
    }
}
