// netstandard2.0 lacks the type that C# 9 records and init accessors need; the compiler only needs it to exist.
namespace System.Runtime.CompilerServices
{
    /// <summary>Marks init-only setters (for records on netstandard2.0).</summary>
    internal static class IsExternalInit
    {
    }
}
