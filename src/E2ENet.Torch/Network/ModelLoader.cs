using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Compiler;
using E2ENet.Compiler.Diagnostics;
using E2ENet.Torch.Diagnostics;

namespace E2ENet.Torch.Network
{
    /// <summary>Compiles an .e2e file and picks one model, turning front-end problems into <see cref="E2ENetTorchException"/>s.</summary>
    public static class ModelLoader
    {
        /// <summary>
        /// Compiles <paramref name="path"/> (imports followed, <paramref name="overrides"/> applied) and returns
        /// <paramref name="modelName"/>, or the file's only model when null. The result has a <c>Network</c>.
        /// </summary>
        /// <exception cref="E2ENetTorchException">
        /// E2E3001 when the file cannot be read or the model has errors (the diagnostics are in the message);
        /// E2E3002 when there is no such model (with "did you mean"), or no name was given and the file has several.
        /// </exception>
        public static CompiledModel Load(string path, string? modelName = null, IReadOnlyList<string>? overrides = null)
        {
            if (!File.Exists(path))
            {
                throw new E2ENetTorchException(TorchErrors.ModelNotBuilt, path, Directory.Exists(path)
                    ? "is a directory; give an .e2e file" : "cannot read the model file: no such file");
            }
            E2ECompilation compilation = E2ECompilation.FromFiles(new[] { path }, overrides ?? Array.Empty<string>());
            string full = Path.GetFullPath(path);
            return Select(compilation, compilation.Models.Where(m => Path.GetFullPath(m.File.Path) == full).ToList(), path, modelName);
        }

        /// <summary>
        /// Compiles a model given as text, such as a generated class's <c>E2ESource</c> (every key explicit, no imports):
        /// <paramref name="modelName"/>, or the text's only model when null, with <paramref name="overrides"/> applied.
        /// <paramref name="origin"/> names the text in messages. The result has a <c>Network</c>.
        /// </summary>
        /// <exception cref="E2ENetTorchException">As <see cref="Load"/>: E2E3001 (errors) or E2E3002 (no such model).</exception>
        public static CompiledModel LoadSource(string source, string origin, string? modelName = null, IReadOnlyList<string>? overrides = null)
        {
            if (source is null) throw new ArgumentNullException(nameof(source));
            E2ECompilation compilation = E2ECompilation.Create(new[] { new Compiler.Text.SourceFile(origin, source) },
                new CompilationOptions { Overrides = overrides ?? Array.Empty<string>() });
            return Select(compilation, compilation.Models.Where(m => m.File.Path == origin).ToList(), origin, modelName);
        }

        private static CompiledModel Select(E2ECompilation compilation, List<CompiledModel> declared, string path, string? modelName)
        {
            CompiledModel? model;
            if (modelName != null)
            {
                model = compilation.Find(modelName);
                if (model == null)
                {
                    string hint = compilation.SuggestModel(modelName);
                    throw new E2ENetTorchException(TorchErrors.UnknownModel, path, "there is no model '" + modelName + "'"
                        + (hint.Length > 0 ? hint : string.Empty) + "; the file declares " + List(declared));
                }
            }
            else if (declared.Count == 1)
            {
                model = declared[0];
            }
            else
            {
                throw new E2ENetTorchException(TorchErrors.UnknownModel, path, declared.Count == 0
                    ? "declares no model" + Errors(compilation.Diagnostics)
                    : "declares " + declared.Count + " models (" + List(declared) + "); name one: " + path + ":" + declared[0].Name);
            }
            IEnumerable<Diagnostic> errors = model.Diagnostics.Concat(compilation.FileDiagnostics).Where(d => d.IsError).Distinct();
            if (errors.Any() || model.Network == null)
            {
                throw new E2ENetTorchException(TorchErrors.ModelNotBuilt, path, "model '" + model.Name + "' has errors; fix them first (e2enet check "
                    + path + " shows them all):" + Errors(errors));
            }
            return model;
        }

        private static string List(IReadOnlyCollection<CompiledModel> models)
            => models.Count == 0 ? "no model" : string.Join(", ", models.Select(m => m.Name));

        private static string Errors(IEnumerable<Diagnostic> diagnostics)
        {
            var list = diagnostics.Where(d => d.IsError).Take(10).ToList();
            return list.Count == 0 ? string.Empty : Environment.NewLine + string.Join(Environment.NewLine, list.Select(d => "  " + d));
        }
    }
}
