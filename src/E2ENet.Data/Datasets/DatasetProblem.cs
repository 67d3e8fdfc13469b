using E2ENet.Compiler.Errors;

namespace E2ENet.Data.Datasets
{
    /// <summary>One problem found in a dataset: its kind (stable id), the file or folder, and what is wrong.</summary>
    public sealed record DatasetProblem(ErrorDescriptor Error, string? File, string Message)
    {
        /// <summary><c>FILE: error E4xxx: message</c>.</summary>
        public override string ToString() => Error.Format(File, Message, withFix: false);

        /// <summary>The problem as an exception (for APIs that stop at the first problem).</summary>
        public DataException ToException() => new DataException(Error, File, Message);
    }
}
