using System;
using System.Linq;
using E2ENet.Compiler.Semantics;
using static E2ENet.Compiler.Tests.Helpers;

namespace E2ENet.Compiler.Tests
{
    /// <summary>The closed choices of a model: every enum value has its symbol, every symbol its value, and the checker maps them.</summary>
    public class SpecChoicesTests
    {
        private static void AssertComplete<T>(SymbolMap<T> map)
            where T : struct, Enum
        {
            T[] values = Enum.GetValues(typeof(T)).Cast<T>().ToArray();
            Assert.Equal(values.Length, map.Symbols.Count);
            Assert.Equal(values, map.Symbols.Select(map.Parse).OrderBy(v => v));
            Assert.All(values, v => Assert.Equal(v, map.Parse(map.Symbol(v))));
            Assert.Throws<ArgumentException>(() => map.Parse("gelu"));
        }

        [Fact]
        public void Every_value_has_one_symbol_and_back()
        {
            AssertComplete(SpecChoices.Norm);
            AssertComplete(SpecChoices.Activation);
            AssertComplete(SpecChoices.Unit);
            AssertComplete(SpecChoices.Init);
            AssertComplete(SpecChoices.Decoder);
            AssertComplete(SpecChoices.Interval);
            AssertComplete(SpecChoices.Criterion);
            AssertComplete(SpecChoices.Decay);
            AssertComplete(SpecChoices.Regrow);
            AssertComplete(SpecChoices.Optimizer);
            AssertComplete(SpecChoices.Schedule);
            AssertComplete(SpecChoices.Loss);
        }

        [Fact]
        public void The_schema_accepts_exactly_the_symbols_of_each_choice()
        {
            var leaves = E2ESchema.Leaves.ToDictionary(l => l.Path);
            Assert.Equal(SpecChoices.Activation.Symbols, ((ChoiceType)leaves["block.act.type"].Type).Choices);
            Assert.Equal(SpecChoices.Decay.Symbols, ((ChoiceType)leaves["evolve.prune.decay"].Type).Choices);
            Assert.Equal(SpecChoices.Regrow.Symbols, ((ChoiceType)leaves["evolve.regrow"].Type).Choices);
            Assert.Equal(SpecChoices.Optimizer.Symbols, ((ChoiceType)leaves["training.optimizer.type"].Type).Choices);
        }

        [Fact]
        public void The_checker_maps_symbols_to_values_and_the_constant_prune_form_to_constant()
        {
            var compilation = Compile("model M {\n  input patch [64, 160, 160]\n  classes 2\n  block act relu\n  fusion init erk, unit channel\n"
                + "  evolve every 2 epochs, prune l1 0.3, regrow gradient\n  training optimizer adamw, schedule cosine\n}");
            Clean(compilation);
            ModelSpec spec = compilation.Models[0].Spec!;
            Assert.Equal((ActivationKind.Relu, 0.0), (spec.Block.Activation.Kind, spec.Block.Activation.NegativeSlope));
            Assert.Equal((FusionInit.Erk, SparsityUnit.Channel), (spec.Fusion.Init, spec.Fusion.Unit));
            Assert.Equal((IntervalUnit.Epochs, PruneCriterion.L1, PruneDecay.Constant, RegrowRule.Gradient),
                (spec.Evolve.Unit, spec.Evolve.Criterion, spec.Evolve.Decay, spec.Evolve.Regrow));
            Assert.Equal((OptimizerKind.AdamW, ScheduleKind.Cosine, LossKind.DiceCe), (spec.Training.Optimizer.Kind, spec.Training.Schedule.Kind, spec.Training.Loss.Kind));
            Assert.Equal("erk", spec.Fusion.Init.ToSymbol());
        }
    }
}
