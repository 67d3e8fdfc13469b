using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Ir;

namespace E2ENet.Generators.Emitting
{
    /// <summary>One step of the forward pass: an encoder level or a fusion node, and the tensors that are dead after it.</summary>
    internal sealed class ForwardStep
    {
        public ForwardStep(NodeId id, EncoderLevelIr? encoder, FusionNodeIr? node, IReadOnlyList<NodeId> uses)
        {
            Id = id;
            Encoder = encoder;
            Node = node;
            Uses = uses;
        }

        /// <summary>The node this step produces.</summary>
        public NodeId Id { get; }

        /// <summary>The encoder level, for x[L][0].</summary>
        public EncoderLevelIr? Encoder { get; }

        /// <summary>The fusion node, for x[L][j], j &gt; 0.</summary>
        public FusionNodeIr? Node { get; }

        /// <summary>The nodes it reads.</summary>
        public IReadOnlyList<NodeId> Uses { get; }

        /// <summary>Nodes whose last reader is this step (disposed right after it, to keep peak memory down).</summary>
        public List<NodeId> Releases { get; } = new List<NodeId>();
    }

    /// <summary>
    /// The order in which the forward pass computes the nodes (docs/method.md, "Fusion graph and evaluation order": x00; x10, x01; x20, x11, x02; ...: each encoder
    /// level, then the fusion nodes it makes computable, coarse to fine) and where each intermediate node is last read.
    /// </summary>
    internal static class ForwardPlan
    {
        /// <summary>The steps of <paramref name="network"/>; the nodes the heads read are never released.</summary>
        public static IReadOnlyList<ForwardStep> Build(NetworkIr network)
        {
            var steps = new List<ForwardStep>();
            foreach (EncoderLevelIr level in network.Encoder)
            {
                var uses = level.Level == 0 ? new List<NodeId>() : new List<NodeId> { new NodeId(level.Level - 1, 0) };
                steps.Add(new ForwardStep(new NodeId(level.Level, 0), level, null, uses));
                foreach (FusionNodeIr node in network.Fusion.Where(n => n.Id.Level + n.Id.Stage == level.Level))
                {
                    steps.Add(new ForwardStep(node.Id, null, node, node.Inputs.Select(i => i.From).ToList()));
                }
            }
            var kept = new HashSet<NodeId>(network.Heads.Select(h => h.On));
            var last = new Dictionary<NodeId, int>();
            for (int i = 0; i < steps.Count; i++)
            {
                foreach (NodeId used in steps[i].Uses) last[used] = i;
            }
            foreach (KeyValuePair<NodeId, int> entry in last.OrderBy(e => e.Key.Level).ThenBy(e => e.Key.Stage))
            {
                if (!kept.Contains(entry.Key)) steps[entry.Value].Releases.Add(entry.Key);
            }
            return steps;
        }
    }
}
