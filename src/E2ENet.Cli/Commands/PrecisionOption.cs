using System;
using System.CommandLine;
using E2ENet.Torch.Precision;

namespace E2ENet.Cli.Commands
{
    /// <summary>
    /// <c>--precision fp32|bf16|fp16</c> of train, predict and bench forward: the precision convolutions run in
    /// (<see cref="MixedPrecision"/>); instance norm, softmax, the losses, the optimizer and the weights stay float32.
    /// </summary>
    public static class PrecisionOption
    {
        /// <summary>The option; <paramref name="defaultText"/> says what happens without it.</summary>
        public static Option<string?> Create(string defaultText) => new Option<string?>("--precision")
        {
            Description = "Convolutions in fp32, bf16 or fp16 (norms, softmax, losses and weights stay float32); " + defaultText,
        };

        /// <summary>Parses the option's value: null when not given; false (and a usage error printed) when it is not a precision.</summary>
        public static bool TryParse(CliContext context, string command, string? text, out ComputePrecision? precision, out int exit)
        {
            precision = null;
            exit = ExitCodes.Success;
            if (text == null) return true;
            if (MixedPrecision.TryParse(text, out ComputePrecision parsed))
            {
                precision = parsed;
                return true;
            }
            exit = context.UsageError(command, $"--precision '{text}' is not a precision: use fp32, bf16 or fp16");
            return false;
        }

        /// <summary>Runs <paramref name="body"/> with convolutions in <paramref name="precision"/> (fp32 when null).</summary>
        public static int Run(ComputePrecision? precision, Func<int> body)
        {
            using (MixedPrecision.Use(precision ?? ComputePrecision.Fp32))
            {
                return body();
            }
        }
    }
}
