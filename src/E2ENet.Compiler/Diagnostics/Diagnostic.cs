using System;
using System.Globalization;
using E2ENet.Compiler.Text;

namespace E2ENet.Compiler.Diagnostics
{
    /// <summary>How bad a diagnostic is.</summary>
    public enum DiagnosticSeverity
    {
        /// <summary>Worth knowing; the model is still built.</summary>
        Info,

        /// <summary>Probably a mistake; the model is still built.</summary>
        Warning,

        /// <summary>The model cannot be built.</summary>
        Error,
    }

    /// <summary>One kind of problem: a stable id, a title, a message template and a default severity.</summary>
    public sealed record DiagnosticDescriptor(string Id, string Title, string MessageFormat, DiagnosticSeverity Severity, string Category)
    {
        /// <summary>Makes a diagnostic of this kind at <paramref name="location"/>.</summary>
        public Diagnostic Create(SourceLocation location, params object?[] args)
            => new Diagnostic(Id, Severity, string.Format(CultureInfo.InvariantCulture, MessageFormat, args), location);

        /// <summary>Makes a diagnostic of this kind with another severity.</summary>
        public Diagnostic Create(DiagnosticSeverity severity, SourceLocation location, params object?[] args)
            => new Diagnostic(Id, severity, string.Format(CultureInfo.InvariantCulture, MessageFormat, args), location);
    }

    /// <summary>A problem found in an <c>.e2e</c> source, with its place and a message that says how to fix it.</summary>
    public sealed record Diagnostic(string Id, DiagnosticSeverity Severity, string Message, SourceLocation Location)
    {
        /// <summary>True for errors.</summary>
        public bool IsError => Severity == DiagnosticSeverity.Error;

        /// <summary>The severity as compilers print it: <c>error</c>, <c>warning</c> or <c>info</c>.</summary>
        public string SeverityText => Severity switch
        {
            DiagnosticSeverity.Error => "error",
            DiagnosticSeverity.Warning => "warning",
            _ => "info",
        };

        /// <summary><c>file(line,col): error E2E0201: message</c>.</summary>
        public override string ToString() => $"{Location}: {SeverityText} {Id}: {Message}";
    }
}
