namespace E2ENet.Compiler.Errors
{
    /// <summary>
    /// One kind of error that a library of E2ENet reports outside the language front end (whose diagnostics are
    /// <see cref="Diagnostics.DiagnosticDescriptor"/>s): a stable id, a title, and optionally the fix that every occurrence shares.
    /// Each library keeps its catalogue of these (HostErrors, DataErrors, TorchErrors, OnnxErrors, TrainingErrors), and each
    /// catalogue is documented, id and title, in a table of docs/*.md (a test per library checks that).
    /// </summary>
    /// <param name="Id">The stable id (E2E3xxx, E4xxx, E2E5xxx, E2E6xxx, E2E7xxx): once shipped, an id keeps its meaning.</param>
    /// <param name="Title">A short title, as in the documentation's table.</param>
    /// <param name="Fix">What to do, appended to every message as <c>; fix: FIX</c>; null when each message says it itself.</param>
    public sealed record ErrorDescriptor(string Id, string Title, string? Fix = null)
    {
        /// <summary>
        /// The one line every error of E2ENet is printed as: <c>FILE: error ID: DETAIL</c> (no <c>FILE: </c> without a file),
        /// followed by <c>; fix: FIX</c> when <paramref name="withFix"/> and the descriptor has a fix.
        /// </summary>
        public string Format(string? file, string detail, bool withFix = true)
            => (string.IsNullOrEmpty(file) ? string.Empty : file + ": ") + "error " + Id + ": " + detail
               + (withFix && Fix != null ? "; fix: " + Fix : string.Empty);

        /// <inheritdoc />
        public override string ToString() => Id + " " + Title;
    }
}
