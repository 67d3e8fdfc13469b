using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ScottPlot;

namespace E2ENet.Training.Reporting
{
    /// <summary>
    /// The PNG plots of a run (people look at curves rather than read them): <c>progress.png</c> (training and validation
    /// loss, pseudo-Dice and its moving average, learning rate) and <c>topology.png</c> (density of the fusion convolutions'
    /// active units per source: same level, upsampled, downsampled; the prune rate of each evolution round).
    /// Each file is written to a temporary name and renamed, so a crash never leaves a broken image.
    /// </summary>
    public static class TrainingPlots
    {
        /// <summary>Writes <c>progress.png</c> into <paramref name="folder"/>.</summary>
        public static string WriteProgress(string folder, IReadOnlyList<EpochMetrics> epochs)
        {
            var plot = new Plot();
            plot.Title("E2ENet training");
            plot.XLabel("epoch");
            if (epochs.Count > 0)
            {
                double[] x = epochs.Select(e => (double)e.Epoch).ToArray();
                Add(plot, x, epochs.Select(e => e.TrainLoss).ToArray(), "train loss", Colors.Blue);
                Add(plot, x, epochs.Select(e => e.ValidationLoss).ToArray(), "validation loss", Colors.Red);
                Add(plot, x, epochs.Select(e => e.PseudoDice).ToArray(), "pseudo-Dice (validation)", Colors.Green);
                Add(plot, x, epochs.Select(e => e.PseudoDiceAverage).ToArray(), "pseudo-Dice, moving average", Colors.DarkGreen);
                var lr = Add(plot, x, epochs.Select(e => e.LearningRate).ToArray(), "learning rate (right axis)", Colors.Gray);
                lr.Axes.YAxis = plot.Axes.Right;
                plot.Axes.Right.Label.Text = "learning rate";
            }
            plot.YLabel("loss / Dice");
            plot.ShowLegend(Alignment.LowerLeft);
            return Save(plot, folder, "progress.png");
        }

        /// <summary>Writes <c>topology.png</c> into <paramref name="folder"/>.</summary>
        public static string WriteTopology(string folder, IReadOnlyList<EpochMetrics> epochs)
        {
            var plot = new Plot();
            plot.Title("Dynamic sparse feature fusion: kept units per source");
            plot.XLabel("epoch");
            plot.YLabel("active share of fusion units reading the source");
            var withTopology = epochs.Where(e => e.SourceDensities.Count > 0).ToList();
            if (withTopology.Count > 0)
            {
                double[] x = withTopology.Select(e => (double)e.Epoch).ToArray();
                var colors = new Dictionary<string, Color> { ["same"] = Colors.Blue, ["up"] = Colors.Orange, ["down"] = Colors.Purple };
                foreach (string source in withTopology[0].SourceDensities.Keys)
                {
                    Add(plot, x, withTopology.Select(e => e.SourceDensities.TryGetValue(source, out double d) ? d : double.NaN).ToArray(),
                        source switch { "same" => "same level", "up" => "upsampled (coarser)", "down" => "downsampled (finer)", _ => source },
                        colors.TryGetValue(source, out Color color) ? color : Colors.Black);
                }
            }
            plot.ShowLegend(Alignment.UpperRight);
            return Save(plot, folder, "topology.png");
        }

        private static ScottPlot.Plottables.Scatter Add(Plot plot, double[] x, double[] y, string label, Color color)
        {
            var scatter = plot.Add.Scatter(x, y, color);
            scatter.LegendText = label;
            scatter.MarkerSize = x.Length > 40 ? 0 : 4;
            return scatter;
        }

        /// <summary>Saves <paramref name="plot"/> as <paramref name="folder"/>/<paramref name="name"/> through a temporary file.</summary>
        internal static string Save(Plot plot, string folder, string name, int width = 900, int height = 540)
        {
            Directory.CreateDirectory(folder);
            string path = Path.Combine(folder, name);
            string temporary = Path.Combine(folder, "." + name + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".png");
            plot.SavePng(temporary, width, height);
            File.Move(temporary, path, overwrite: true);
            return path;
        }
    }
}
