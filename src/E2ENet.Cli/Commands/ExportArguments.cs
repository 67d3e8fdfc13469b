using System;
using System.Globalization;
using System.Linq;
using E2ENet.Compiler.Errors;
using E2ENet.Compiler.Semantics;
using E2ENet.Onnx.Diagnostics;
using E2ENet.Torch.Diagnostics;

namespace E2ENet.Cli.Commands
{
    /// <summary>What <c>export</c>, <c>predict</c>, <c>forward --bundle</c> and <c>bench export</c> share: patch parsing and turning errors into exit codes.</summary>
    public static class ExportArguments
    {
        /// <summary>Parses <c>D,H,W</c> (or <c>[D, H, W]</c>); null when it is not three positive integers.</summary>
        public static Int3? ParsePatch(string? text)
        {
            if (text == null) return null;
            string[] parts = text.Trim().TrimStart('[').TrimEnd(']').Split(new[] { ',', 'x', ' ' }, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3) return null;
            var values = new int[3];
            for (int i = 0; i < 3; i++)
            {
                if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]) || values[i] < 1) return null;
            }
            return new Int3(values[0], values[1], values[2]);
        }

        /// <summary>The <c>--set</c> override that gives a model another patch.</summary>
        public static string PatchOverride(Int3 patch) => string.Format(CultureInfo.InvariantCulture, "input.patch=[{0}, {1}, {2}]", patch.D, patch.H, patch.W);

        /// <summary>
        /// Prints an error of any layer (E2E3xxx, E2E4xxx, E2E6xxx) as <c>FILE: error ID: message</c> and returns the exit code:
        /// 2 for what the command line named wrongly (a missing file or folder, an unknown model, an invalid option, an existing
        /// target), 1 for problems in the content. Returns null for exceptions that are not ours.
        /// </summary>
        public static int? Report(CliContext context, string command, Exception exception)
        {
            switch (exception)
            {
                case E2ENetOnnxException onnx:
                    context.Error.WriteLine(onnx.Message);
                    return onnx.Error == OnnxErrors.OptionInvalid || onnx.Error == OnnxErrors.TargetExists || onnx.Error == OnnxErrors.BundleNotFound
                        || onnx.Error == OnnxErrors.RunFolderInvalid || onnx.Error == OnnxErrors.DeviceUnavailable || onnx.Error == OnnxErrors.OutputOverwritesInput
                        ? ExitCodes.Usage : ExitCodes.Errors;
                case E2ENetTorchException torch:
                    context.Error.WriteLine(torch.Message);
                    return torch.Error == TorchErrors.UnknownModel || torch.Error == TorchErrors.FileNotReadable ? ExitCodes.Usage : ExitCodes.Errors;
                case E2ENetException other:
                    context.Error.WriteLine(other.Message);
                    return ExitCodes.Errors;
                case System.Runtime.InteropServices.ExternalException or OutOfMemoryException:
                    context.Error.WriteLine($"e2enet {command}: error: the native runtime failed: {exception.Message.Split('\n')[0]}");
                    return ExitCodes.Errors;
                case System.IO.IOException or UnauthorizedAccessException:
                    context.Error.WriteLine($"e2enet {command}: error: {exception.Message}");
                    return ExitCodes.Errors;
                case InvalidOperationException or ArgumentException:
                    context.Error.WriteLine($"e2enet {command}: internal error (a defect of e2enet; please report it with the command line): {exception.Message}");
                    return ExitCodes.Errors;
                default:
                    return null;
            }
        }

        /// <summary>A line printer for progress on standard error: <c>e2enet COMMAND: line</c>.</summary>
        public static Action<string> Progress(CliContext context, string command) => line => context.Error.WriteLine(command + ": " + line);

        /// <summary>The first argument that looks like an unknown option, or null.</summary>
        public static string? UnknownOption(params string?[] values) => CliApp.UnknownOption(values.Where(v => v != null).Select(v => v!));
    }
}
