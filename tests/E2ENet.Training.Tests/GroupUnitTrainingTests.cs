using System.IO;
using System.Linq;
using E2ENet.Compiler;
using E2ENet.Compiler.Ir;
using E2ENet.Compiler.Semantics;
using E2ENet.Torch.Serialization;
using E2ENet.Training.Checkpoints;
using E2ENet.Training.Runs;
using static TorchSharp.torch;

namespace E2ENet.Training.Tests
{
    /// <summary>
    /// A run with the output-group unit (<c>fusion unit group</c>): its checkpoints hold [groups, in] (or [in, groups]) masks
    /// in which every output group keeps exactly its fan-in, evolution keeps it so, and a stopped run resumes bit for bit.
    /// </summary>
    [Collection(SeededTrainingCollection.Name)]
    public class GroupUnitTrainingTests
    {
        private static readonly string[] Group = { "fusion.unit=group", "fusion.groups=2" };

        [Fact]
        public void A_group_unit_run_keeps_every_groups_fan_in_and_resumes_exactly()
        {
            string root = TrainingFixtures.TempFolder("group-unit");
            string dataset = TrainingFixtures.SyntheticDataset(Path.Combine(root, "data"));
            string model = TrainingFixtures.Model(root);
            string straight = Path.Combine(root, "straight");
            string interrupted = Path.Combine(root, "interrupted");
            TrainingResult result = new Trainer(TrainerTests.Options(dataset, model, straight, overrides: Group)).Run();
            Assert.True(result.Finished);

            // The latest checkpoint's masks: the IR's unit shape, exactly the fan-in per output group.
            NetworkIr ir = E2ECompilation.FromFiles(new[] { Path.Combine(straight, "model.e2e") }).Models[0].Network!;
            Assert.Equal(SparsityUnit.Group, ir.Spec.Fusion.Unit);
            var tensors = TensorFile.ReadAll(new CheckpointStore(Path.Combine(straight, "checkpoints")).Latest()!.TensorsPath);
            int layers = 0;
            foreach (ParameterIr parameter in ir.SparseParameters)
            {
                MaskIr mask = parameter.Mask!;
                Tensor saved = tensors["mask." + parameter.Name];
                Assert.Equal(mask.UnitShape, saved.shape);
                float[] bits = saved.to(ScalarType.Float32).contiguous().data<float>().ToArray();
                Assert.All(mask.KeptSets(), set => Assert.Equal(mask.FanIn, set.Count(u => bits[u] != 0)));
                layers++;
            }
            Assert.True(layers > 0);
            Assert.Contains("unit group", File.ReadAllText(Path.Combine(straight, "train.log")));

            // Stopped after one epoch and resumed: the weights are bit for bit those of the straight run.
            Assert.False(new Trainer(TrainerTests.Options(dataset, model, interrupted, stopAfter: 1, overrides: Group)).Run().Finished);
            Assert.True(new Trainer(TrainerTests.Options(dataset, null, interrupted, resume: true)).Run().Finished);
            var expected = TensorFile.ReadAll(Path.Combine(straight, "weights.pt"));
            var resumed = TensorFile.ReadAll(Path.Combine(interrupted, "weights.pt"));
            foreach (string key in expected.Keys) Assert.True(expected[key].eq(resumed[key]).all().item<bool>(), key + " differs after resume");
        }
    }
}
