using E2ENet.Compiler.Ir;

namespace E2ENet.Generators.Model
{
    /// <summary>
    /// Everything the emitter needs for one class: where it goes (namespace, class, hint name), which file and model it comes
    /// from, and the model's network IR (which carries the resolved <see cref="E2ENet.Compiler.Semantics.ModelSpec"/>).
    /// A value-equal record: when an edit leaves a model's IR unchanged, its source output is not regenerated.
    /// </summary>
    internal sealed record ModelToGenerate(
        string Namespace,
        string ClassName,
        string HintName,
        string FileName,
        NetworkIr Network)
    {
        /// <summary>The model's name in its .e2e file.</summary>
        public string ModelName => Network.Spec.Name;

        /// <summary>The class's full name, <c>Namespace.ClassName</c>.</summary>
        public string FullName => Namespace + "." + ClassName;
    }
}
