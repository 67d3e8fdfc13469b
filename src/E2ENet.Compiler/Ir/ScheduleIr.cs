using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Semantics;

namespace E2ENet.Compiler.Ir
{
    /// <summary>What a module of the network is.</summary>
    public enum ModuleKind
    {
        /// <summary>A module with named children (the network itself).</summary>
        Container,

        /// <summary>A list of modules indexed 0, 1, ... (PyTorch's <c>ModuleList</c>).</summary>
        List,

        /// <summary>Modules run one after the other, named <c>"0"</c>, <c>"1"</c>, ... (PyTorch's <c>Sequential</c>).</summary>
        Sequence,

        /// <summary>Blocks run one after the other, held in a list named <c>blocks</c> (the authors' <c>StackedConvLayers</c>).</summary>
        Stack,

        /// <summary>A basic block (<see cref="BlockIr"/>).</summary>
        Block,

        /// <summary>A transposed convolution with kernel = stride (<see cref="UpIr"/>).</summary>
        Up,

        /// <summary>A 1x1x1 segmentation head (<see cref="HeadIr"/>).</summary>
        Head,
    }

    /// <summary>
    /// One module of the network's module tree, in registration order (which is the state-dict order). The tree is what every
    /// back end builds (the run-time network, the generated class); its paths are the state-dict prefixes, so nobody needs to
    /// take parameter names apart to find the nesting.
    /// </summary>
    /// <param name="Name">The name under its parent (<c>loc4</c>, <c>0</c>).</param>
    /// <param name="Kind">What it is.</param>
    /// <param name="Children">Its children, in registration order (for a <see cref="ModuleKind.Stack"/>: its blocks, in the list <see cref="Field"/>).</param>
    /// <param name="Description">One line for documentation and generated comments.</param>
    /// <param name="Block">The block, for <see cref="ModuleKind.Block"/>.</param>
    /// <param name="Up">The transposed convolution, for <see cref="ModuleKind.Up"/>.</param>
    /// <param name="Head">The head, for <see cref="ModuleKind.Head"/>.</param>
    public sealed record ModuleIr(string Name, ModuleKind Kind, EquatableArray<ModuleIr> Children, string Description, BlockIr? Block = null, UpIr? Up = null, HeadIr? Head = null)
    {
        /// <summary>For a <see cref="ModuleKind.Stack"/>: the name of its list of blocks (<c>blocks</c> in E2ENet, <c>convs</c> in nnU-Net).</summary>
        public string Field { get; init; } = "blocks";

        /// <summary>The blocks under this module, in the order they run.</summary>
        public IEnumerable<BlockIr> Blocks => Kind == ModuleKind.Block ? new[] { Block! } : Children.SelectMany(c => c.Blocks);

        /// <summary>The module at <paramref name="path"/> below this one.</summary>
        public ModuleIr Find(ModulePath path)
        {
            ModuleIr node = this;
            foreach (string segment in path.Segments) node = node.Children.First(c => c.Name == segment);
            return node;
        }

        /// <summary>Every leaf (block, up, head) below this module with its path, in registration order.</summary>
        public IEnumerable<(ModulePath Path, ModuleIr Module)> Leaves(ModulePath? at = null)
        {
            ModulePath here = at ?? ModulePath.Root;
            if (Kind == ModuleKind.Block || Kind == ModuleKind.Up || Kind == ModuleKind.Head)
            {
                yield return (here, this);
                yield break;
            }
            foreach (ModuleIr child in Children)
            {
                ModulePath path = Kind == ModuleKind.Stack ? here.Append(Field).Append(child.Name) : here.Append(child.Name);
                foreach (var leaf in child.Leaves(path)) yield return leaf;
            }
        }
    }

    /// <summary>Where a module sits in the tree: its names from the root (<c>loc4</c>, <c>0</c>); printed as the state-dict prefix <c>loc4.0</c>.</summary>
    public sealed record ModulePath(EquatableArray<string> Segments)
    {
        /// <summary>The network itself.</summary>
        public static readonly ModulePath Root = new ModulePath(new EquatableArray<string>(new string[0]));

        /// <summary>A path from its segments.</summary>
        public static ModulePath Of(params string[] segments) => new ModulePath(new EquatableArray<string>(segments));

        /// <summary>This path and one more segment.</summary>
        public ModulePath Append(string segment) => new ModulePath(new EquatableArray<string>(Segments.Concat(new[] { segment }).ToArray()));

        /// <summary>The state-dict prefix, <c>loc4.0</c>.</summary>
        public override string ToString() => string.Join(".", Segments);
    }

    /// <summary>What a step of the schedule does.</summary>
    public enum StepKind
    {
        /// <summary>Runs a module (a stack or a sequence of stacks of blocks) on one input.</summary>
        Run,

        /// <summary>Runs a transposed convolution (<see cref="ModuleKind.Up"/>) on one input.</summary>
        Up,

        /// <summary>Max-pools one input (kernel = stride = <see cref="StepIr.Pool"/>); no parameters.</summary>
        Pool,

        /// <summary>Concatenates its inputs along the channels, in order.</summary>
        Concat,
    }

    /// <summary>
    /// One step of the forward pass: what it runs, which values it reads and writes, and which values are dead after it (their
    /// last reader), so that every back end frees them at the same place. Values are named after the graph: <c>input</c>,
    /// <c>x10</c> (a node), <c>x11Up</c>, <c>x11Down</c>, <c>x11Cat</c> (a node's parts).
    /// </summary>
    /// <param name="Kind">What it does.</param>
    /// <param name="Output">The value it writes.</param>
    /// <param name="Channels">Channels of the output.</param>
    /// <param name="Size">Spatial size of the output at the model's patch.</param>
    /// <param name="Inputs">The values it reads (in concatenation order for <see cref="StepKind.Concat"/>).</param>
    /// <param name="Module">The module it runs (<see cref="StepKind.Run"/> and <see cref="StepKind.Up"/>).</param>
    /// <param name="Pool">The pool, for <see cref="StepKind.Pool"/>.</param>
    /// <param name="Releases">Values read for the last time here: free them after the step.</param>
    /// <param name="Node">The graph node the step computes or contributes to.</param>
    /// <param name="Description">One line for documentation and generated comments.</param>
    public sealed record StepIr(StepKind Kind, string Output, int Channels, Int3 Size, EquatableArray<string> Inputs, ModulePath? Module, Int3? Pool,
        EquatableArray<string> Releases, NodeId Node, string Description);

    /// <summary>Builds the schedule's releases: each value is freed after its last reader, except the values the outputs read.</summary>
    public static class ScheduleReleases
    {
        /// <summary>The steps with <see cref="StepIr.Releases"/> filled in; <paramref name="kept"/> are never released (the heads read them).</summary>
        public static IReadOnlyList<StepIr> Assign(IReadOnlyList<StepIr> steps, ISet<string> kept)
        {
            var last = new Dictionary<string, int>();
            for (int i = 0; i < steps.Count; i++)
            {
                foreach (string input in steps[i].Inputs) last[input] = i;
            }
            var result = new List<StepIr>(steps.Count);
            for (int i = 0; i < steps.Count; i++)
            {
                string[] dead = steps[i].Inputs.Distinct().Where(v => v != "input" && !kept.Contains(v) && last[v] == i).ToArray();
                result.Add(steps[i] with { Releases = new EquatableArray<string>(dead) });
            }
            return result;
        }
    }
}
