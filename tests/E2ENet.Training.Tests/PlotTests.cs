using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Training.Reporting;

namespace E2ENet.Training.Tests
{
    public class PlotTests
    {
        [Fact]
        public void Progress_and_topology_plots_are_written_as_png()
        {
            string folder = Directory.CreateTempSubdirectory("e2e-plots").FullName;
            var epochs = Enumerable.Range(1, 12).Select(e => new EpochMetrics
            {
                Epoch = e,
                TrainLoss = 1.0 / e,
                ValidationLoss = 1.2 / e,
                PseudoDice = 1 - 1.0 / e,
                PseudoDiceAverage = 0.9 - 1.0 / e,
                LearningRate = 0.01 * (1 - e / 13.0),
                SourceDensities = new Dictionary<string, double> { ["same"] = 0.3 + e / 100.0, ["up"] = 0.3, ["down"] = 0.3 - e / 100.0 },
            }).ToList();
            foreach (string path in new[] { TrainingPlots.WriteProgress(folder, epochs), TrainingPlots.WriteTopology(folder, epochs) })
            {
                byte[] bytes = File.ReadAllBytes(path);
                Assert.True(bytes.Length > 10_000, path + " is too small to hold the curves");
                Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes.Take(4));
            }
            Assert.Equal(2, Directory.GetFiles(folder).Length);
        }

        [Fact]
        public void Metrics_rows_are_invariant_csv()
        {
            var row = new EpochMetrics { Epoch = 3, Iteration = 750, TrainLoss = -0.5, PseudoDicePerClass = new[] { 0.25, 0.5 }, LearningRate = 0.009 };
            Assert.Equal("epoch,iteration,train_loss,val_loss,pseudo_dice,pseudo_dice_ema,dice_a,dice_b,lr,density,evolution_rounds,density_same,density_up,density_down,seconds",
                EpochMetrics.CsvHeader(new[] { "a", "b" }));
            Assert.StartsWith("3,750,-0.5,0,0,0,0.25,0.5,0.009,0,0,,,,0", row.ToCsv());
        }
    }
}
