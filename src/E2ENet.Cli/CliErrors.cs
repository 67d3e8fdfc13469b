using System;
using E2ENet.Compiler.Errors;

namespace E2ENet.Cli
{
    /// <summary>
    /// Turns the libraries' user-facing exceptions (each an <see cref="E2ENetException"/>: a stable id, the file and the fix)
    /// into one line on standard error and exit code 1, so that commands that chain several libraries report every problem the
    /// same way.
    /// </summary>
    public static class CliErrors
    {
        /// <summary>Runs <paramref name="body"/>; a known problem prints its message and returns <see cref="ExitCodes.Errors"/>.</summary>
        public static int Guard(CliContext context, Func<int> body)
        {
            try
            {
                return body();
            }
            catch (E2ENetException e)
            {
                context.Error.WriteLine(e.Message);
            }
            catch (OperationCanceledException)
            {
                context.Error.WriteLine("stopped; what was written stays valid (a training continues with --resume)");
            }
            return ExitCodes.Errors;
        }
    }
}
