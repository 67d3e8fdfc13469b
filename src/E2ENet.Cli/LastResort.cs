using System;
using System.IO;
using E2ENet.Compiler.Errors;

namespace E2ENet.Cli
{
    /// <summary>
    /// The last resort of every verb: an exception that no command turned into its own located error is printed as one line
    /// with an id (its library's id when it carries one, else E2E9001 "unexpected error"), never as a stack trace, and the
    /// process exits with 1. <see cref="Program"/> also routes exceptions of other threads here.
    /// </summary>
    public static class LastResort
    {
        /// <summary>The id of an error no library anticipated.</summary>
        public const string UnexpectedId = "E2E9001";

        /// <summary>Prints <paramref name="exception"/> for a user and returns <see cref="ExitCodes.Errors"/>.</summary>
        public static int Report(TextWriter error, string command, Exception exception)
        {
            Exception e = exception is AggregateException aggregate && aggregate.InnerExceptions.Count == 1 ? aggregate.InnerExceptions[0] : exception;
            if (e is System.Reflection.TargetInvocationException { InnerException: Exception inner }) e = inner;
            switch (e)
            {
                case E2ENetException:
                    error.WriteLine(e.Message);
                    break;
                case OperationCanceledException:
                    error.WriteLine($"{command}: stopped; what was written stays valid");
                    break;
                case OutOfMemoryException:
                    error.WriteLine($"{command}: error E2E7001: out of memory ({e.Message}); use a smaller patch, batch or input, or a machine with more memory");
                    break;
                case UnauthorizedAccessException or IOException:
                    error.WriteLine($"{command}: error {UnexpectedId}: {e.Message} ({e.GetType().Name}); check the path and its permissions");
                    break;
                default:
                    error.WriteLine($"{command}: error {UnexpectedId}: unexpected {e.GetType().Name}: {e.Message}. " +
                        "This is a defect of e2enet: please report it with the command line (set E2ENET_DEBUG=1 to print the stack trace).");
                    break;
            }
            if (Environment.GetEnvironmentVariable("E2ENET_DEBUG") == "1") error.WriteLine(e.ToString());
            return ExitCodes.Errors;
        }
    }
}
