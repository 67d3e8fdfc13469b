// Language features used on netstandard2.0 that need a type the framework lacks.
namespace System.Runtime.CompilerServices
{
    /// <summary>Lets records and init-only setters compile on netstandard2.0.</summary>
    internal static class IsExternalInit
    {
    }
}
