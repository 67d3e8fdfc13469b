using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using E2ENet.Torch.Precision;
using E2ENet.Torch.Serialization;
using E2ENet.Training.Checkpoints;
using E2ENet.Training.Optimization;
using E2ENet.Training.Runs;
using static TorchSharp.torch;

namespace E2ENet.Training.Tests
{
    /// <summary>The fp16 loss scaler's rule, and training in bf16 and fp16: runs, records its precision, resumes exactly.</summary>
    [Collection(SeededTrainingCollection.Name)]
    public class MixedPrecisionTrainingTests
    {
        [Fact]
        public void The_loss_scaler_halves_and_skips_on_overflow_and_doubles_after_a_run_of_good_steps()
        {
            var scaler = new DynamicLossScaler(scale: 1024, growthInterval: 3);
            using var scope = NewDisposeScope();
            using (Tensor loss = tensor(2.0f)) Assert.Equal(2048f, scaler.ScaleLoss(loss).item<float>());

            // Unscaling divides in place and finds the overflow wherever it is.
            Tensor good = full(new long[] { 4 }, 1024f);
            Tensor other = full(new long[] { 2, 2 }, 512f);
            Assert.True(scaler.Unscale(new[] { good, other }));
            Assert.Equal(new[] { 1f, 1f, 1f, 1f }, good.data<float>().ToArray());
            Assert.Equal(0.5f, other[0, 1].item<float>());
            Tensor overflowed = tensor(new[] { 1f, float.PositiveInfinity });
            Assert.False(scaler.Unscale(new[] { good, overflowed }));
            Assert.False(scaler.Unscale(new[] { tensor(new[] { float.NaN }) }));

            scaler.Update(finite: false);
            Assert.Equal(512, scaler.Scale);
            Assert.Equal(1, scaler.Skipped);
            scaler.Update(true);
            scaler.Update(true);
            Assert.Equal(512, scaler.Scale);
            Assert.Equal(2, scaler.GoodSteps);
            scaler.Update(true);
            Assert.Equal(1024, scaler.Scale); // doubled after 3 good steps in a row
            Assert.Equal(0, scaler.GoodSteps);
            scaler.Update(true);
            scaler.Update(false); // an overflow resets the run of good steps
            Assert.Equal(512, scaler.Scale);
            Assert.Equal(0, scaler.GoodSteps);
            Assert.Equal(2, scaler.Skipped);

            // A resumed scaler continues from the saved state.
            var resumed = new DynamicLossScaler(scaler.Scale, scaler.GoodSteps, scaler.Skipped, growthInterval: 3);
            Assert.Equal((scaler.Scale, scaler.GoodSteps, scaler.Skipped), (resumed.Scale, resumed.GoodSteps, resumed.Skipped));
            Assert.Throws<ArgumentOutOfRangeException>(() => new DynamicLossScaler(0));
            Assert.Throws<ArgumentOutOfRangeException>(() => new DynamicLossScaler(double.PositiveInfinity));
            Assert.Equal(65536, new DynamicLossScaler().Scale);
        }

        [Fact]
        public void A_gradient_that_overflows_float16_is_skipped_and_the_scale_backs_off_until_it_fits()
        {
            // A gradient of 1000 times the initial scale 2^16 is beyond float16's 65504: each overflow halves the scale, until
            // the scaled gradient fits and unscales to the true value.
            var scaler = new DynamicLossScaler();
            int skipped = 0;
            while (true)
            {
                using var scope = NewDisposeScope();
                Tensor gradient = (tensor(new[] { 1000f }) * (float)scaler.Scale).to(ScalarType.Float16).to(ScalarType.Float32);
                bool finite = scaler.Unscale(new[] { gradient });
                scaler.Update(finite);
                if (finite)
                {
                    Assert.InRange(gradient.item<float>(), 999f, 1001f);
                    break;
                }
                skipped++;
                Assert.True(skipped < 20, "the scale never backed off enough");
            }
            Assert.Equal(10, skipped); // 65536 / 2^10 = 64 is the first scale with 1000 * scale <= 65504
            Assert.Equal(64, scaler.Scale);
        }

        private static TrainerOptions Options(string dataset, string? model, string run, ComputePrecision? precision, bool resume = false, int? stopAfter = null)
            => TrainerTests.Options(dataset, model, run, resume, stopAfter) with { Precision = precision };

        [Theory]
        [InlineData(ComputePrecision.Bf16)]
        [InlineData(ComputePrecision.Fp16)]
        public void A_low_precision_run_trains_records_its_precision_and_resumes_exactly(ComputePrecision precision)
        {
            string root = TrainingFixtures.TempFolder("precision-" + MixedPrecision.Name(precision));
            string dataset = TrainingFixtures.SyntheticDataset(Path.Combine(root, "data"));
            string model = TrainingFixtures.Model(root);
            string straight = Path.Combine(root, "straight");
            string interrupted = Path.Combine(root, "interrupted");
            var log = new StringWriter();
            TrainingResult result = new Trainer(Options(dataset, model, straight, precision) with { Log = log }).Run();
            Assert.True(result.Finished);
            Assert.Contains("precision " + MixedPrecision.Name(precision) + ":", log.ToString());
            Assert.All(result.Metrics, m => Assert.True(double.IsFinite(m.TrainLoss), "finite training loss"));
            TrainerState state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(new CheckpointStore(Path.Combine(straight, "checkpoints")).Latest()!.StatePath))!;
            Assert.Equal(MixedPrecision.Name(precision), state.Precision);
            Assert.Equal(precision == ComputePrecision.Fp16, state.LossScale.HasValue);

            // The low precision is really used: float32 training from the same seed ends elsewhere.
            string reference = Path.Combine(root, "fp32");
            new Trainer(Options(dataset, model, reference, null)).Run();
            var low = TensorFile.ReadAll(Path.Combine(straight, "weights.pt"));
            var full = TensorFile.ReadAll(Path.Combine(reference, "weights.pt"));
            Assert.Contains(low.Keys, key => !low[key].eq(full[key]).all().item<bool>());

            // Stopped and resumed (without --precision: the run keeps its own), the weights are bit for bit those of the straight run.
            Assert.False(new Trainer(Options(dataset, model, interrupted, precision, stopAfter: 1)).Run().Finished);
            var refused = Assert.Throws<TrainingException>(() => new Trainer(Options(dataset, null, interrupted, ComputePrecision.Fp32, resume: true)).Run());
            Assert.Equal(TrainingErrors.ModelMismatch.Id, refused.Id);
            Assert.Contains("drop --precision", refused.Message);
            Assert.True(new Trainer(Options(dataset, null, interrupted, null, resume: true)).Run().Finished);
            var resumed = TensorFile.ReadAll(Path.Combine(interrupted, "weights.pt"));
            foreach (string key in low.Keys) Assert.True(low[key].eq(resumed[key]).all().item<bool>(), key + " differs after resume");
        }
    }
}
