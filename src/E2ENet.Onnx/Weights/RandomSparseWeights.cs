using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using static TorchSharp.torch;

namespace E2ENet.Onnx.Weights
{
    /// <summary>
    /// Gives a network random weights with its model's sparse structure, for benchmarks and tests where no trained weights
    /// exist (the shipped models' weights are untrained): every sparse weight keeps exactly the IR's kept count of units
    /// (kernels, input channels for <c>unit channel</c>, or per output group its fan-in of inputs for <c>unit group</c>), chosen
    /// uniformly at random with a seed, and the others are set
    /// to exact zeros, as DSFF's masks leave them. Optionally the biases and the norms' scale and shift are randomised too
    /// (so that a check exercises them; their initial values are 0 and 1).
    /// </summary>
    public static class RandomSparseWeights
    {
        /// <summary>Masks <paramref name="module"/>'s sparse weights in place; returns the kept units per weight.</summary>
        public static IReadOnlyDictionary<string, long> Apply(nn.Module module, NetworkIr ir, int seed, bool randomizeAffine = false)
        {
            var random = new Random(seed);
            var parameters = module.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
            var kept = new Dictionary<string, long>(StringComparer.Ordinal);
            using (no_grad())
            {
                foreach (ParameterIr parameter in ir.Parameters)
                {
                    Tensor weight = parameters[parameter.Name];
                    if (randomizeAffine && parameter.Role is ParameterRole.ConvBias or ParameterRole.NormBias)
                    {
                        using Tensor values = tensor(Enumerable.Range(0, (int)parameter.Count).Select(_ => (float)(random.NextDouble() * 0.2 - 0.1)).ToArray());
                        weight.copy_(values);
                    }
                    else if (randomizeAffine && parameter.Role == ParameterRole.NormWeight)
                    {
                        using Tensor values = tensor(Enumerable.Range(0, (int)parameter.Count).Select(_ => (float)(0.8 + random.NextDouble() * 0.4)).ToArray());
                        weight.copy_(values);
                    }
                    if (parameter.Mask == null) continue;
                    MaskIr mask = parameter.Mask;
                    bool[] keep;
                    if (mask.Unit == SparsityUnit.Group)
                    {
                        // Constant fan-in: each output group keeps exactly FanIn of its inputs.
                        keep = new bool[mask.Units];
                        foreach (int[] set in mask.KeptSets())
                        {
                            bool[] chosen = Choose(random, set.Length, (int)mask.FanIn);
                            for (int k = 0; k < set.Length; k++) keep[set[k]] = chosen[k];
                        }
                    }
                    else
                    {
                        keep = Choose(random, (int)mask.Units, (int)mask.Kept);
                    }
                    kept[parameter.Name] = mask.Kept;
                    using Tensor units = mask.Unit == SparsityUnit.Group
                        ? tensor(mask.ExpandToKernels(keep.Select(k => k ? 1f : 0f).ToArray()), dtype: ScalarType.Float32)
                        : tensor(keep).to_type(ScalarType.Float32);
                    using Tensor factor = mask.Unit is SparsityUnit.Kernel or SparsityUnit.Group
                        ? units.reshape(mask.Rows, mask.Columns, 1, 1, 1)
                        : parameter.Role == ParameterRole.UpWeight ? units.reshape(-1, 1, 1, 1, 1) : units.reshape(1, -1, 1, 1, 1);
                    weight.mul_(factor);
                }
            }
            return kept;
        }

        /// <summary>Exactly <paramref name="count"/> of <paramref name="units"/> flags set, uniformly at random.</summary>
        private static bool[] Choose(Random random, int units, int count)
        {
            int[] order = Enumerable.Range(0, units).ToArray();
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            var keep = new bool[units];
            for (int i = 0; i < count; i++) keep[order[i]] = true;
            return keep;
        }
    }
}
