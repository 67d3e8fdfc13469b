using TorchSharp;

namespace E2ENet.Training
{
    /// <summary>
    /// Why this project never passes a number where TorchSharp takes a <see cref="Scalar"/> (<c>t.mul_(0.99)</c>,
    /// <c>t + 1e-5</c>, <c>t.eq(2)</c>): the implicit conversion makes a temporary Scalar whose native handle is passed to
    /// libtorch while nothing keeps the managed object alive, so a garbage collection triggered by another thread (the data
    /// workers allocate a lot) can finalize it during the native call, and libtorch then reads freed memory (seen here as an
    /// intermittent "Expected false to be true" from c10::Scalar::toDouble). A Scalar held by a <c>using</c> variable stays
    /// reachable until it is disposed; <see cref="Of(double)"/> makes one.
    /// </summary>
    public static class TorchScalars
    {
        /// <summary>
        /// 1, for the alpha of <c>add</c>: TorchSharp's one-argument <c>add(Tensor)</c> passes a temporary 1 as alpha, with
        /// the same race; a static Scalar is always reachable.
        /// </summary>
        public static readonly Scalar One = 1.ToScalar();

        /// <summary>A Scalar to hold in a <c>using</c> variable for the duration of the calls that use it.</summary>
        public static Scalar Of(double value) => value.ToScalar();

        /// <summary>An integer Scalar (comparisons with class indices).</summary>
        public static Scalar Of(long value) => value.ToScalar();
    }
}
