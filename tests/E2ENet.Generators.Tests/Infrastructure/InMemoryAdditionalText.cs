using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace E2ENet.Generators.Tests.Infrastructure
{
    /// <summary>An AdditionalFiles item with its text in memory.</summary>
    internal sealed class InMemoryAdditionalText : AdditionalText
    {
        private readonly SourceText? _text;

        public InMemoryAdditionalText(string path, string? text)
        {
            Path = path;
            _text = text == null ? null : SourceText.From(text);
        }

        public override string Path { get; }

        public override SourceText? GetText(CancellationToken cancellationToken = default) => _text;
    }
}
