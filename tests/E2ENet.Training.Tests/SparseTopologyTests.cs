using System;
using System.Collections.Generic;
using System.Linq;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Data;
using E2ENet.Training.Optimization;
using E2ENet.Training.Sparse;
using static TorchSharp.torch;

namespace E2ENet.Training.Tests
{
    /// <summary>The invariants of Dynamic Sparse Feature Fusion (docs/method.md, "DSFF: sparse masks and their evolution").</summary>
    public class SparseTopologyTests
    {
        private static (NetworkIr Ir, Dictionary<string, Tensor> Parameters, SparseTopology Topology) Setup(string fusion = "sparsity 0.7, unit kernel", ulong seed = 5)
        {
            NetworkIr ir = TestNetworks.Ir(fusion);
            var parameters = TestNetworks.Parameters(ir);
            var topology = SparseTopology.Create(ir, parameters);
            topology.InitializeRandom(new Rng(seed));
            return (ir, parameters, topology);
        }

        private static long ZeroUnits(SparseLayer layer)
        {
            float[] mask = layer.Mask;
            Tensor weight = layer.Weight.detach();
            long nonZeroInPruned = 0;
            // Every weight of a pruned unit is exactly zero; count violations.
            float[] values = weight.contiguous().data<float>().ToArray();
            long taps = weight.shape.Skip(2).Aggregate(1L, (a, b) => a * b);
            for (long i = 0; i < values.Length; i++)
            {
                long row = i / (layer.Columns * taps);
                long column = i / taps % layer.Columns;
                long unit = layer.Ir.UnitOf((int)row, (int)column);
                if (mask[unit] == 0 && values[i] != 0) nonZeroInPruned++;
            }
            return nonZeroInPruned;
        }

        [Theory]
        [InlineData("sparsity 0.7, unit kernel")]
        [InlineData("sparsity 0.8, unit channel")]
        [InlineData("sparsity 0.9, unit kernel, init erk")]
        [InlineData("sparsity 0.8, unit group, groups 2")]
        [InlineData("sparsity 0.7, unit group, groups 4, init erk")]
        public void Initialisation_keeps_exactly_the_irs_count_per_layer_and_zeroes_the_rest(string fusion)
        {
            var (ir, _, topology) = Setup(fusion);
            Assert.Equal(ir.SparseParameters.Count(), topology.Layers.Count);
            foreach (ParameterIr parameter in ir.SparseParameters)
            {
                SparseLayer layer = topology[parameter.Name];
                Assert.Equal(parameter.Mask!.Kept, layer.ActiveCount);
                Assert.Equal(0, ZeroUnits(layer));
            }
        }

        [Theory]
        [InlineData("sparsity 0.7, unit kernel")]
        [InlineData("sparsity 0.8, unit group, groups 2")]
        public void Masked_weights_and_momentum_stay_exactly_zero_through_optimizer_steps(string fusion)
        {
            var (_, parameters, topology) = Setup(fusion);
            var optimizer = new SgdOptimizer(parameters.Select(p => (p.Key, p.Value)), momentum: 0.99, nesterov: true, weightDecay: 3e-5);
            for (int step = 0; step < 3; step++)
            {
                // Dense gradients: every weight, pruned or not, gets one.
                Tensor loss = parameters.Values.Select(p => p.pow(2).sum()).Aggregate((a, b) => a + b);
                loss.backward();
                optimizer.Step(0.01);
                topology.ApplyToWeights();
                topology.ApplyTo(optimizer.StateOf);
                optimizer.ZeroGrad();
                foreach (SparseLayer layer in topology.Layers)
                {
                    Assert.Equal(0, ZeroUnits(layer));
                    Tensor momentum = optimizer.StateOf(layer.Name).Single();
                    Tensor masked = momentum * tensor(layer.Ir.ExpandToKernels(layer.Mask), new long[] { layer.Rows, layer.Columns, 1, 1, 1 });
                    Assert.True(momentum.allclose(masked, rtol: 0, atol: 0), layer.Name + ": momentum of pruned units must be zero");
                }
            }
        }

        [Theory]
        [InlineData(0.5)]
        [InlineData(0.3)]
        [InlineData(0.001)]
        public void A_round_prunes_and_regrows_ceil_rate_times_active_and_keeps_the_count(double rate)
        {
            var (ir, _, topology) = Setup();
            var before = topology.Layers.ToDictionary(l => l.Name, l => l.Mask);
            EvolutionReport report = topology.Evolve(1200, rate, RegrowRule.Random, new Rng(9));
            foreach (LayerEvolution layer in report.Layers)
            {
                int expected = (int)Math.Ceiling(rate * layer.Active);
                Assert.Equal(expected, layer.Pruned);
                Assert.Equal(expected, layer.Regrown);
                SparseLayer sparse = topology[layer.Layer];
                Assert.Equal(ir.SparseParameters.First(p => p.Name == layer.Layer).Mask!.Kept, sparse.ActiveCount);
                int changed = before[layer.Layer].Zip(sparse.Mask, (a, b) => a != b ? 1 : 0).Sum();
                Assert.Equal(2 * (layer.Pruned - layer.RegrownJustPruned), changed);
                Assert.Equal(0, ZeroUnits(sparse));
            }
            Assert.True(report.Pruned > 0);
        }

        [Theory]
        [InlineData(0.5, RegrowRule.Random)]
        [InlineData(0.2, RegrowRule.Gradient)]
        public void The_group_unit_keeps_every_output_groups_fan_in_through_initialisation_and_evolution(double rate, RegrowRule rule)
        {
            var (ir, parameters, topology) = Setup("sparsity 0.8, unit group, groups 2");
            void AssertConstantFanIn(string when)
            {
                foreach (SparseLayer layer in topology.Layers)
                {
                    MaskIr mask = layer.Ir;
                    Assert.Equal(SparsityUnit.Group, mask.Unit);
                    Assert.Equal(mask.OutChannels / 2, mask.Group);
                    float[] bits = layer.Mask;
                    int[][] sets = mask.KeptSets();
                    Assert.Equal(2, sets.Length);
                    Assert.Equal(mask.Units, sets.Sum(set => set.Length));
                    Assert.All(sets, set => Assert.Equal(mask.FanIn, set.Count(u => bits[u] != 0)));
                    Assert.Equal(0, ZeroUnits(layer));
                    // Every output of a group reads the same inputs: the weight's non-zero kernels say so too.
                    float[] kernels = layer.Weight.detach().abs().sum(new long[] { 2, 3, 4 }).contiguous().data<float>().ToArray();
                    for (int r = 0; r < mask.Rows; r++)
                    {
                        for (int c = 0; c < mask.Columns; c++)
                        {
                            if (kernels[r * mask.Columns + c] != 0) Assert.True(bits[mask.UnitOf(r, c)] != 0, $"{layer.Name} ({when}): kernel ({r}, {c}) is non-zero in a pruned unit");
                        }
                    }
                }
            }
            AssertConstantFanIn("initialised");
            Tensor loss = parameters.Values.Select(p => p.pow(2).sum()).Aggregate((a, b) => a + b);
            loss.backward();
            for (int round = 0; round < 3; round++)
            {
                EvolutionReport report = topology.Evolve(round, rate, rule, new Rng((ulong)round + 1), name => parameters[name].grad);
                Assert.True(report.Pruned > 0);
                AssertConstantFanIn("after round " + round);
            }
            Assert.All(ir.SparseParameters, p => Assert.Equal(p.Mask!.Kept, topology[p.Name].ActiveCount));
        }

        [Fact]
        public void The_group_units_geometry_covers_the_weight_and_matches_the_irs_counts()
        {
            NetworkIr ir = TestNetworks.Ir("sparsity 0.8, unit group, groups 2");
            foreach (ParameterIr parameter in ir.SparseParameters)
            {
                MaskIr mask = parameter.Mask!;
                Assert.Equal(parameter.Role == ParameterRole.UpWeight, mask.Transposed);
                Assert.Equal(mask.Units, mask.UnitShape.Aggregate(1L, (a, b) => a * b));
                // Each unit covers exactly Group kernels, all in one output group and one input channel.
                var covered = new Dictionary<long, List<(int Out, int In)>>();
                for (int r = 0; r < mask.Rows; r++)
                {
                    for (int c = 0; c < mask.Columns; c++)
                    {
                        long unit = mask.UnitOf(r, c);
                        if (!covered.TryGetValue(unit, out var list)) covered[unit] = list = new List<(int, int)>();
                        list.Add(mask.Transposed ? (c, r) : (r, c));
                    }
                }
                Assert.Equal(mask.Units, covered.Count);
                Assert.All(covered.Values, kernels =>
                {
                    Assert.Equal(mask.Group, kernels.Count);
                    Assert.Single(kernels.Select(k => k.In).Distinct());
                    Assert.Single(kernels.Select(k => k.Out / mask.Group).Distinct());
                });
                long fanIn = (long)Math.Round(mask.InChannels * 0.2, MidpointRounding.ToEven);
                Assert.Equal(fanIn * 2, mask.Kept);
            }
        }

        [Fact]
        public void Pruning_removes_the_active_units_of_smallest_l1_norm()
        {
            var (_, _, topology) = Setup();
            SparseLayer layer = topology.Layers.First(l => l.Units > 50);
            float[] mask = layer.Mask;
            float[] l1 = layer.Weight.detach().abs().sum(new long[] { 2, 3, 4 }).contiguous().data<float>().ToArray();
            var active = Enumerable.Range(0, layer.Units).Where(u => mask[u] != 0).OrderBy(u => l1[u]).ToList();
            int count = (int)Math.Ceiling(0.5 * active.Count);
            var weakest = active.Take(count).ToHashSet();
            var strongest = active.Skip(count).ToHashSet();
            topology.Evolve(1, 0.5, RegrowRule.Random, new Rng(3));
            float[] after = layer.Mask;
            // Every surviving unit is one of the strongest; every unit that is active now and was weak was regrown (zero weight).
            Assert.All(strongest, u => Assert.Equal(1, after[u]));
            float[] l1After = layer.Weight.detach().abs().sum(new long[] { 2, 3, 4 }).contiguous().data<float>().ToArray();
            Assert.All(weakest.Where(u => after[u] != 0), u => Assert.Equal(0, l1After[u]));
        }

        [Fact]
        public void Regrown_units_start_at_zero_weight_and_zero_momentum()
        {
            var (_, parameters, topology) = Setup();
            var optimizer = new SgdOptimizer(parameters.Select(p => (p.Key, p.Value)), 0.99, true, 0);
            Tensor loss = parameters.Values.Select(p => p.sum()).Aggregate((a, b) => a + b);
            loss.backward();
            optimizer.Step(0.1);
            // Momentum is dense here on purpose (no masking): regrowth must zero it for the regrown units.
            var before = topology.Layers.ToDictionary(l => l.Name, l => l.Mask);
            topology.Evolve(10, 0.5, RegrowRule.Random, new Rng(4), stateOf: optimizer.StateOf);
            foreach (SparseLayer layer in topology.Layers.Where(l => l.Unit == SparsityUnit.Kernel))
            {
                float[] after = layer.Mask;
                float[] weightL1 = layer.Weight.detach().abs().sum(new long[] { 2, 3, 4 }).contiguous().data<float>().ToArray();
                float[] momentumL1 = optimizer.StateOf(layer.Name).Single().abs().sum(new long[] { 2, 3, 4 }).contiguous().data<float>().ToArray();
                for (int u = 0; u < layer.Units; u++)
                {
                    bool regrown = after[u] == 1 && (before[layer.Name][u] == 0 || weightL1[u] == 0);
                    if (after[u] == 0 || regrown)
                    {
                        Assert.Equal(0, weightL1[u]);
                        Assert.Equal(0, momentumL1[u]);
                    }
                }
            }
        }

        [Fact]
        public void Evolution_under_a_fixed_seed_is_deterministic()
        {
            var (_, _, a) = Setup(seed: 11);
            var (_, _, b) = Setup(seed: 11);
            var (_, _, c) = Setup(seed: 12);
            Assert.Equal(a.Layers.Select(l => l.Mask), b.Layers.Select(l => l.Mask));
            Assert.NotEqual(a.Layers.Select(l => l.Mask), c.Layers.Select(l => l.Mask));
            for (int round = 1; round <= 3; round++)
            {
                a.Evolve(round, 0.4, RegrowRule.Random, Rng.Derive(7, "round" + round));
                b.Evolve(round, 0.4, RegrowRule.Random, Rng.Derive(7, "round" + round));
            }
            Assert.Equal(a.Layers.Select(l => l.Mask), b.Layers.Select(l => l.Mask));
        }

        [Fact]
        public void Gradient_regrowth_picks_the_inactive_units_with_the_largest_gradient()
        {
            var (_, parameters, topology) = Setup();
            SparseLayer layer = topology.Layers.First(l => l.Units > 50);
            var gradient = zeros_like(layer.Weight);
            float[] mask = layer.Mask;
            int target = Enumerable.Range(0, layer.Units).First(u => mask[u] == 0);
            gradient.view(layer.Rows * layer.Columns, -1)[target].fill_(100);
            topology.Evolve(1, 0.01, RegrowRule.Gradient, new Rng(1), gradientOf: name => name == layer.Name ? gradient : zeros_like(parameters[name]));
            Assert.Equal(1, layer.Mask[target]);
        }

        [Theory]
        [InlineData("sparsity 0.8, unit channel")]
        [InlineData("sparsity 0.8, unit group, groups 2")]
        public void Masks_export_and_import_exactly(string fusion)
        {
            var (ir, parameters, topology) = Setup(fusion);
            Assert.All(topology.ExportMasks(), m => Assert.Equal(topology[m.Key].Ir.UnitShape, m.Value.shape));
            topology.Evolve(1, 0.5, RegrowRule.Random, new Rng(2));
            var saved = topology.ExportMasks();
            var restored = SparseTopology.Create(ir, TestNetworks.Parameters(ir, seed: 99));
            restored.ImportMasks(saved);
            Assert.Equal(topology.Layers.Select(l => l.Mask), restored.Layers.Select(l => l.Mask));
            saved.Remove(saved.Keys.First());
            var error = Assert.Throws<InvalidOperationException>(() => restored.ImportMasks(saved));
            Assert.Contains("no mask for", error.Message);
        }

        [Theory]
        [InlineData("sparsity 0.7, unit kernel")]
        [InlineData("sparsity 0.8, unit group, groups 4")]
        public void Masks_can_be_read_from_zero_kernels(string fusion)
        {
            var (ir, parameters, topology) = Setup(fusion);
            var again = SparseTopology.Create(ir, parameters);
            again.InitializeFromWeights();
            Assert.Equal(topology.Layers.Select(l => l.Mask), again.Layers.Select(l => l.Mask));
        }

        [Theory]
        [InlineData("sparsity 0.7, unit kernel")]
        [InlineData("sparsity 0.8, unit group, groups 2")]
        public void Source_shares_cover_every_fusion_input(string fusion)
        {
            var (ir, _, topology) = Setup(fusion);
            var shares = topology.SourceShares();
            Assert.Equal(new[] { "same", "up", "down" }, shares.Select(s => s.Source));
            long units = ir.Fusion.Sum(n => n.Blocks[0].Mask!.Units);
            Assert.Equal(units, shares.Sum(s => s.Units));
            long active = ir.Fusion.Sum(n => n.Blocks[0].Mask!.Kept);
            Assert.Equal(active, shares.Sum(s => s.Active));
        }

        [Fact]
        public void The_prune_rate_decays_by_cosine_from_start_to_end()
        {
            var evolve = new EvolveSpec(true, 1200, IntervalUnit.Iterations, PruneCriterion.L1, 0.5, 0.001, PruneDecay.Cosine, RegrowRule.Random);
            var schedule = new PruneSchedule(evolve, 250, 250_000, sparse: true);
            Assert.Equal(0.5, schedule.Rate(0), 12);
            Assert.Equal((0.5 + 0.001) / 2, schedule.Rate(125_000), 12);
            Assert.Equal(0.001, schedule.Rate(250_000), 12);
            Assert.True(schedule.IsEvolutionStep(1200));
            Assert.False(schedule.IsEvolutionStep(1201));
            Assert.False(schedule.IsEvolutionStep(0));
            var epochs = new PruneSchedule(evolve with { Every = 4.8, Unit = IntervalUnit.Epochs }, 250, 250_000, true);
            Assert.Equal(1200, epochs.Interval);
            Assert.False(new PruneSchedule(evolve with { Enabled = false }, 250, 1000, true).IsEvolutionStep(1200));
            Assert.False(new PruneSchedule(evolve, 250, 250_000, sparse: false).IsEvolutionStep(1200));
        }
    }
}
