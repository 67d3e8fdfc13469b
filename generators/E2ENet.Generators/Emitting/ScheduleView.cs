using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using E2ENet.Compiler.Ir;

namespace E2ENet.Generators.Emitting
{
    /// <summary>The IR's schedule as the emitter writes it: steps grouped by the graph node they compute, and readable expressions.</summary>
    internal static class ScheduleView
    {
        /// <summary>Consecutive steps of the same node: a node's up, pool, concatenation and run, in schedule order.</summary>
        public static IReadOnlyList<(NodeId Node, IReadOnlyList<StepIr> Steps)> Groups(NetworkIr network)
        {
            var groups = new List<(NodeId Node, IReadOnlyList<StepIr> Steps)>();
            foreach (StepIr step in network.Schedule)
            {
                if (groups.Count == 0 || groups[groups.Count - 1].Node != step.Node) groups.Add((step.Node, new List<StepIr>()));
                ((List<StepIr>)groups[groups.Count - 1].Steps).Add(step);
            }
            return groups;
        }

        /// <summary>How a value is computed within its group: <c>loc4.0(cat(x00, up4.0(x10)))</c>; values from other groups by name.</summary>
        public static string Expression(IReadOnlyList<StepIr> group, string value)
        {
            StepIr? step = group.FirstOrDefault(s => s.Output == value);
            if (step == null) return value;
            return step.Kind switch
            {
                StepKind.Concat => "cat(" + string.Join(", ", step.Inputs.Select(i => Expression(group, i))) + ")",
                StepKind.Pool => "maxpool(" + Expression(group, step.Inputs[0]) + ")",
                _ => step.Module + "(" + string.Join(", ", step.Inputs.Select(i => Expression(group, i))) + ")",
            };
        }

        /// <summary>What a group's final run reads, in concatenation order: <c>x10, up3.0(x20), maxpool(x00)</c>.</summary>
        public static string Reads(IReadOnlyList<StepIr> group)
        {
            StepIr last = group[group.Count - 1];
            StepIr? concat = group.FirstOrDefault(s => s.Output == last.Inputs[0] && s.Kind == StepKind.Concat);
            return concat == null ? string.Join(", ", last.Inputs) : string.Join(", ", concat.Inputs.Select(i => Expression(group, i)));
        }

        /// <summary>C# that reaches a module of the tree: <c>this.loc4[0]</c>.</summary>
        public static string Access(ModulePath path)
        {
            // The leading names make the field (ModelEmitter.Fields: loc4, encoder_stages); numbers index its lists.
            string[] names = path.Segments.TakeWhile(s => !IsIndex(s)).ToArray();
            return "this." + ModelEmitter.FieldName(ModulePath.Of(names)) + string.Concat(path.Segments.Skip(names.Length).Select(s => "[" + s + "]"));
        }

        private static bool IsIndex(string segment) => int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out _);
    }
}
