namespace E2ENet.Cli
{
    /// <summary>The exit codes of every e2enet command.</summary>
    public static class ExitCodes
    {
        /// <summary>Done, no errors (warnings allowed).</summary>
        public const int Success = 0;

        /// <summary>The input has errors (diagnostics were printed).</summary>
        public const int Errors = 1;

        /// <summary>The command line itself is wrong: unknown option, missing argument, missing file.</summary>
        public const int Usage = 2;
    }
}
