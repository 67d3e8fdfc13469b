namespace E2ENet.Generators.Emitting
{
    /// <summary>
    /// Fully qualified names of the types the generated code uses. Everything is written with <c>global::</c>, so that no
    /// model or user type name (a model called <c>Tensor</c>, a namespace called <c>TorchSharp</c>) can change its meaning.
    /// </summary>
    internal static class Types
    {
        public const string Tensor = "global::TorchSharp.torch.Tensor";
        public const string Module = "global::TorchSharp.torch.nn.Module<" + Tensor + ", " + Tensor + ">";
        public const string DisposeScope = "global::TorchSharp.DisposeScope";
        public const string Nn = "global::TorchSharp.torch.nn";
        public const string Torch = "global::TorchSharp.torch";
        public const string Sequential = "global::TorchSharp.Modules.Sequential";
        public const string UpConvolution = "global::E2ENet.Torch.Modules.UpConvolution";
        public const string PointwiseConvolution = "global::E2ENet.Torch.Modules.PointwiseConvolution";
        public const string ConvBlock = "global::E2ENet.Torch.Modules.ConvBlock";
        public const string StackedConvBlocks = "global::E2ENet.Torch.Modules.StackedConvBlocks";
        public const string ModuleContainer = "global::E2ENet.Torch.Modules.ModuleContainer";
        public const string Network = "global::E2ENet.Torch.IE2ENetNetwork";
        public const string NetworkIr = "global::E2ENet.Compiler.Ir.NetworkIr";
        public const string ModelLoader = "global::E2ENet.Torch.Network.ModelLoader";
        public const string ReadOnlyList = "global::System.Collections.Generic.IReadOnlyList";
        public const string Array = "global::System.Array";

        /// <summary><c>ModuleList&lt;T&gt;</c>.</summary>
        public static string ModuleList(string item) => "global::TorchSharp.Modules.ModuleList<" + item + ">";
    }
}
