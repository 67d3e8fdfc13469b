using System.Linq;
using E2ENet.Compiler.Semantics;
using static E2ENet.Compiler.Tests.Helpers;

namespace E2ENet.Compiler.Tests
{
    public class BinderTests
    {
        [Fact]
        public void Defaults_are_the_papers_configuration_and_nnunet_recipe()
        {
            var compilation = Compile("model M {\n  input patch [64, 160, 160]\n  classes 16\n}");
            Clean(compilation);
            ModelSpec spec = compilation.Models[0].Spec!;
            Assert.Equal(new[] { 48, 96, 192, 320, 320, 320 }, spec.Widths);
            Assert.Equal(0.8, spec.Fusion.Sparsity);
            Assert.Equal(new[] { -1, 0, 1 }, spec.Block.Shift);
            Assert.Equal(new Int3(1, 3, 3), spec.Block.Kernel);
            Assert.Equal(1e-5, spec.Block.Norm.Eps);
            Assert.Equal(0.01, spec.Block.Activation.Slope);
            Assert.Equal(OptimizerKind.Sgd, spec.Training.Optimizer.Kind);
            Assert.Equal(0.99, spec.Training.Optimizer.Momentum);
            Assert.True(spec.Training.Optimizer.Nesterov);
            Assert.Equal(3e-5, spec.Training.Optimizer.WeightDecay);
            Assert.Equal(0.01, spec.Training.LearningRate);
            Assert.Equal((ScheduleKind.Poly, 0.9), (spec.Training.Schedule.Kind, spec.Training.Schedule.Exponent));
            Assert.Equal((1000, 250, 2), (spec.Training.Epochs, spec.Training.IterationsPerEpoch, spec.Training.Batch));
            Assert.Equal(12, spec.Training.Clip);
            Assert.Equal(0.33, spec.Training.Oversample);
            Assert.Equal(new[] { 8.0 / 15, 4.0 / 15, 2.0 / 15, 1.0 / 15 }, spec.Heads.NormalizedWeights.Select(w => System.Math.Round(w, 12)), new RoundedComparer());
            Assert.Equal((1200.0, IntervalUnit.Iterations), (spec.Evolve.Every, spec.Evolve.Unit));
            Assert.Equal((0.5, 0.001, PruneDecay.Cosine), (spec.Evolve.PruneFrom, spec.Evolve.PruneTo, spec.Evolve.Decay));
            Assert.Equal(0.2, spec.Training.Augment.Rotation.Probability);
            Assert.Equal(0.5, spec.Inference.Step);
        }

        private sealed class RoundedComparer : System.Collections.Generic.IEqualityComparer<double>
        {
            public bool Equals(double x, double y) => System.Math.Abs(x - y) < 1e-12;

            public int GetHashCode(double obj) => 0;
        }

        [Fact]
        public void The_sketch_syntax_of_the_issue_is_accepted()
        {
            var compilation = Compile(@"
// models/amos-ct.e2e
model AmosCt {
  input   channels 1, patch [64, 160, 160]
  classes 16
  widths  base 48, max 320          // 48, 96, 192, 320, 320, 320
  pools   [2,2,2] x 5
  block   kernel [1,3,3], shift [-1, 0, 1], norm instance(eps 1e-5), act leaky_relu(0.01)
  fusion  stages 5, sparsity 0.8, unit kernel, init uniform
  evolve  every 1200 iterations, prune l1 0.5 -> 0.001 cosine, regrow random
  heads   deep_supervision [8, 4, 2, 1]
}
model AmosCtS9 : AmosCt { fusion.sparsity 0.9 }
");
            Clean(compilation);
            Assert.Equal(0.9, compilation.Find("AmosCtS9")!.Spec!.Fusion.Sparsity);
            Assert.Equal(16, compilation.Find("AmosCtS9")!.Spec!.Classes);
        }

        [Fact]
        public void Short_forms_and_long_forms_agree()
        {
            var a = Model("block act leaky_relu(0.2), norm instance(eps 1e-3, affine false)\n  evolve every 5 epochs, prune l1 0.3\n  training optimizer adamw(betas [0.8, 0.9]), schedule cosine, clip none");
            var b = Model("block.act.type leaky_relu\n  block.act.slope 0.2\n  block { norm { eps 1e-3\n affine false } }\n  evolve.every.count 5\n  evolve.every.unit epochs\n  evolve.prune.from 0.3\n  evolve.prune.to 0.3\n  evolve.prune.decay constant\n  training.optimizer.type adamw\n  training.optimizer.betas [0.8, 0.9]\n  training.schedule.type cosine\n  training.clip off");
            Clean(a);
            Clean(b);
            Assert.Equal(a.Models[0].Spec! with { CanonicalSource = "" }, b.Models[0].Spec! with { CanonicalSource = "" });
            Assert.Equal(a.Models[0].Spec!.CanonicalSource, b.Models[0].Spec!.CanonicalSource);
        }

        [Fact]
        public void Keys_of_the_enclosing_section_may_follow_a_subsection_on_one_line()
        {
            var compilation = Model("training { optimizer adamw, lr 0.001, epochs 10 }\n  block norm instance, act relu, kernel [3, 3, 3]");
            Clean(compilation);
            ModelSpec spec = compilation.Models[0].Spec!;
            Assert.Equal((OptimizerKind.AdamW, 0.001, 10), (spec.Training.Optimizer.Kind, spec.Training.LearningRate, spec.Training.Epochs));
            Assert.Equal((ActivationKind.Relu, new Int3(3, 3, 3)), (spec.Block.Activation.Kind, spec.Block.Kernel));
            Assert.Contains("E2E0201", Ids(Model("training { optimizer adamw, lrr 0.001 }")));
        }

        [Fact]
        public void A_call_form_resets_the_arguments_it_does_not_give()
        {
            var compilation = Compile("model P {\n  " + Tiny + "  block act leaky_relu(0.3)\n}\nmodel C : P {\n  block act leaky_relu\n}");
            Clean(compilation);
            Assert.Equal(0.3, compilation.Find("P")!.Spec!.Block.Activation.Slope);
            Assert.Equal(0.01, compilation.Find("C")!.Spec!.Block.Activation.Slope);
        }

        [Fact]
        public void Explicit_widths_and_base_max_replace_each_other()
        {
            var compilation = Compile("model P {\n  " + Tiny + "  widths [2, 4, 8, 16, 16, 16]\n}\nmodel C : P {\n  widths.base 8\n}");
            Clean(compilation);
            Assert.Equal(new[] { 2, 4, 8, 16, 16, 16 }, compilation.Find("P")!.Spec!.Widths);
            Assert.Equal(new[] { 8, 16, 32, 32, 32, 32 }, compilation.Find("C")!.Spec!.Widths);
        }

        [Fact]
        public void Repetition_works_inside_and_outside_lists()
        {
            var compilation = Compile("model M {\n  input patch [16, 64, 64]\n  classes 3\n  pools [[1, 2, 2], [2, 2, 2] x 3, [1, 2, 2]]\n}");
            Clean(compilation);
            Assert.Equal(new[] { new Int3(1, 2, 2), new Int3(2, 2, 2), new Int3(2, 2, 2), new Int3(2, 2, 2), new Int3(1, 2, 2) }, compilation.Models[0].Spec!.Pools);
        }

        [Theory]
        [InlineData("fusion sparsity 0.8, unt kernel", "E2E0201", "did you mean 'unit'?")]
        [InlineData("fussion sparsity 0.8", "E2E0201", "did you mean 'fusion'?")]
        [InlineData("sparsity 0.8", "E2E0201", "did you mean 'fusion.sparsity'?")]
        [InlineData("fusion unit kernal", "E2E0206", "did you mean 'kernel'?")]
        [InlineData("block act leaky_rellu(0.1)", "E2E0206", "did you mean 'leaky_relu'?")]
        [InlineData("block norm instance(epss 1e-5)", "E2E0208", "did you mean 'eps'?")]
        [InlineData("block norm batch", "E2E0209", "not supported")]
        [InlineData("classes 3.5", "E2E0203", "an integer")]
        [InlineData("classes 1", "E2E0204", "from 2 to 1000")]
        [InlineData("classes 99999999999999999999999", "E2E0204", "from 2 to 1000")]
        [InlineData("fusion sparsity 1", "E2E0204", "[0, 1)")]
        [InlineData("fusion sparsity -0.1", "E2E0204", "[0, 1)")]
        [InlineData("input patch [32, 64]", "E2E0205", "needs 3")]
        [InlineData("classes", "E2E0202", "classes 16")]
        [InlineData("classes 3 4", "E2E0211", "remove '4'")]
        [InlineData("labels background, liver, spleen", "E2E0211", "brackets")]
        [InlineData("evolve every 1200", "E2E0202", "iterations or epochs")]
        [InlineData("evolve prune l1 0.5 0.001", "E2E0005", "'->'")]
        [InlineData("block act relu(0.1)", "E2E0005", "no arguments for relu")]
        [InlineData("block norm instance(eps 1e-5, eps 1e-4)", "E2E0213", "twice")]
        [InlineData("classes.x 3", "E2E0201", "is a key, not a section")]
        [InlineData("classes { 3 }", "E2E0005", "not a section")]
        public void Bad_values_get_precise_diagnostics(string body, string id, string messagePart)
        {
            var compilation = Model(body);
            var diagnostic = compilation.Diagnostics.FirstOrDefault(d => d.Id == id);
            Assert.True(diagnostic != null, $"expected {id} for '{body}', got: {string.Join("; ", compilation.Diagnostics)}");
            Assert.Contains(messagePart, diagnostic!.Message);
            Assert.Equal("test.e2e", diagnostic.Location.File);
            Assert.True(diagnostic.Location.Line >= 1);
        }

        [Fact]
        public void Unknown_keys_are_errors_never_ignored()
        {
            var compilation = Model("training { learning_rate 0.1 }");
            var d = Single(compilation, "E2E0201");
            Assert.Contains("training.learning_rate", d.Message);
            Assert.Null(compilation.Models[0].Spec);
        }

        [Fact]
        public void A_key_set_twice_in_one_model_is_a_warning_and_the_later_wins()
        {
            var compilation = Model("fusion sparsity 0.5\n  fusion.sparsity 0.6");
            var d = Single(compilation, "E2E0207");
            Assert.Equal(Diagnostics.DiagnosticSeverity.Warning, d.Severity);
            Assert.Equal(0.6, compilation.Models[0].Spec!.Fusion.Sparsity);
        }

        [Fact]
        public void Required_keys_are_reported_with_an_example()
        {
            var compilation = Compile("model M {\n  classes 3\n}");
            var d = Single(compilation, "E2E0210");
            Assert.Contains("input.patch", d.Message);
            Assert.Contains("input patch [64, 160, 160]", d.Message);
            Assert.Equal((1, 7), (d.Location.Line, d.Location.Column));
        }

        [Fact]
        public void Inheritance_applies_parent_then_child()
        {
            var compilation = Compile("model A {\n  " + Tiny + "  fusion sparsity 0.7\n}\nmodel B : A { classes 5 }\nmodel C : B { fusion.sparsity 0.9 }");
            Clean(compilation);
            ModelSpec c = compilation.Find("C")!.Spec!;
            Assert.Equal((5, 0.9, 4), (c.Classes, c.Fusion.Sparsity, c.Widths[0]));
            Assert.Equal("B", c.Parent);
        }

        [Fact]
        public void Inheritance_cycles_and_unknown_parents_are_errors()
        {
            var compilation = Compile("model A : C { classes 3 }\nmodel B : A { }\nmodel C : B { }\nmodel D : Aa { }\n");
            Assert.Contains(compilation.Diagnostics, d => d.Id == "E2E0103" && d.Message.Contains("A : C : B : A"));
            var unknown = Single(compilation, "E2E0102");
            Assert.Contains("did you mean 'A'?", unknown.Message);
        }

        [Fact]
        public void Duplicate_models_are_errors()
        {
            var compilation = CompileFiles(("a.e2e", "model A { " + Tiny + " }"), ("b.e2e", "model A { " + Tiny + " }"));
            var d = Single(compilation, "E2E0101");
            Assert.Equal("b.e2e", d.Location.File);
            Assert.Contains("a.e2e(1,7)", d.Message);
        }

        [Fact]
        public void Models_of_one_set_inherit_across_files()
        {
            var compilation = CompileFiles(("base.e2e", "model Base {\n  " + Tiny + "}"), ("variant.e2e", "model Variant : Base { classes 7 }"));
            Clean(compilation);
            Assert.Equal(7, compilation.Find("Variant")!.Spec!.Classes);
        }

        [Fact]
        public void An_error_in_the_parent_is_reported_at_the_parent_and_blocks_the_child()
        {
            var compilation = CompileFiles(("base.e2e", "model Base {\n  " + Tiny + "  fusion sparsity 7\n}"), ("variant.e2e", "model Variant : Base { classes 7 }"));
            Assert.Null(compilation.Find("Variant")!.Spec);
            Assert.All(compilation.Find("Variant")!.Diagnostics, d => Assert.Equal("base.e2e", d.Location.File));
            Assert.Single(compilation.Diagnostics); // reported once for the whole set
        }

        [Fact]
        public void Overrides_use_the_language_syntax_and_the_same_checks()
        {
            var compilation = Model("", "pools=[[1,2,2],[2,2,2],[2,2,2],[2,2,2],[1,2,2]]", "fusion.unit=channel", "block.shift=[-2, -1, 0, 1, 2]",
                "input.patch=[32, 64, 64]", "input.channels=2", "classes=4", "widths.base=6", "widths.max=48", "fusion.sparsity=0.7");
            Clean(compilation);
            ModelSpec spec = compilation.Models[0].Spec!;
            Assert.Equal((new Int3(1, 2, 2), SparsityUnit.Channel, 5, 2, 4, 6), (spec.Pools[0], spec.Fusion.Unit, spec.Block.Shift.Count, spec.Input.Channels, spec.Classes, spec.Widths[0]));
        }

        [Theory]
        [InlineData("fusion.sparsity=1.5", "E2E0204", 17)]
        [InlineData("fusion.sparsty=0.5", "E2E0201", 8)]
        [InlineData("fusion.sparsity", "E2E0212", 1)]
        [InlineData("=3", "E2E0212", 1)]
        [InlineData("input.patch=[1, 2", "E2E0007", 13)]
        public void Bad_overrides_point_into_the_override(string text, string id, int column)
        {
            var compilation = Model("", text);
            var d = compilation.Diagnostics.First(x => x.Id == id);
            Assert.Equal("--set", d.Location.File);
            Assert.Equal(column, d.Location.Column);
            Assert.True(compilation.HasErrors);
        }

        [Fact]
        public void An_override_applies_after_the_models_own_statements()
        {
            var compilation = Model("fusion sparsity 0.5", "fusion.sparsity=0.9");
            Clean(compilation);
            Assert.Equal(0.9, compilation.Models[0].Spec!.Fusion.Sparsity);
            Assert.Equal("--set", compilation.Models[0].Settings["fusion.sparsity"].SetBy);
        }

        [Fact]
        public void Augmentations_switch_on_and_off()
        {
            var compilation = Model("training { augment off\n augment.mirror 0.5\n augment rotation 0.4 }");
            Clean(compilation);
            AugmentSpec augment = compilation.Models[0].Spec!.Training.Augment;
            Assert.False(augment.Gamma.Enabled);
            Assert.Equal(0.5, augment.MirrorProbability);
            Assert.Equal(0.4, augment.Rotation.Probability);
            Assert.Equal(30, augment.Rotation.Range.Max);
        }

        [Fact]
        public void Imports_bring_models_of_other_files_into_the_set()
        {
            var compilation = E2ECompilation.FromFiles(new[] { System.IO.Path.Combine(ModelsDir, "ablations.e2e") });
            Assert.False(compilation.HasErrors, string.Join("; ", compilation.Diagnostics));
            Assert.NotNull(compilation.Find("AmosCt"));
            Assert.Equal(0, compilation.Find("AmosCtDenseFusion")!.Spec!.Fusion.Sparsity);
        }

        [Fact]
        public void A_missing_import_is_an_error_at_the_import()
        {
            var compilation = Compile("import \"nope.e2e\"\nmodel A { " + Tiny + " }");
            var d = Single(compilation, "E2E0011");
            Assert.Equal((1, 8), (d.Location.Line, d.Location.Column));
        }
    }
}
