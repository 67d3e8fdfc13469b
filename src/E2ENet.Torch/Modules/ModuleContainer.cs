using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace E2ENet.Torch.Modules
{
    /// <summary>
    /// A module that only holds named children (nnU-Net's <c>encoder</c> and <c>decoder</c>), so that their parameters get
    /// the nested state-dict names (<c>encoder.stages.0...</c>); the network runs the children itself, by its schedule.
    /// </summary>
    public sealed class ModuleContainer : nn.Module
    {
        private readonly Dictionary<string, nn.Module> _children = new Dictionary<string, nn.Module>();

        /// <summary>Creates the container and registers the children in the order given.</summary>
        public ModuleContainer(params (string Name, nn.Module Module)[] children)
            : base(nameof(ModuleContainer))
        {
            foreach (var (name, module) in children)
            {
                _children[name] = module;
                register_module(name, module);
            }
        }

        /// <summary>A child by its name.</summary>
        public nn.Module this[string name] => _children[name];
    }
}
