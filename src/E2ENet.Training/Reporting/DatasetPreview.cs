using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Volumes;
using ScottPlot;

namespace E2ENet.Training.Reporting
{
    /// <summary>One case of a preview: a title, its image and (optionally) its label map on the same grid.</summary>
    public sealed record PreviewCase(string Title, Volume Image, Volume? Label);

    /// <summary>
    /// A PNG of a few cases side by side: one column per case, one row per view (a slice across array axis 0, 1 and 2,
    /// each through the mean of the classes' centroids, else the middle), the image in grey (its 0.5 to 99.5
    /// percentiles) with the labels coloured over it at 45% opacity, voxels drawn at their true size in mm. Slices are
    /// drawn with the higher array index up (superior and anterior for RAS-ordered volumes such as make-demo and make-synth write).
    /// </summary>
    public static class DatasetPreview
    {
        private const double Gap = 10, TitleSpace = 14, LegendSpace = 90, PixelsPerMm = 1.6, Opacity = 0.45;

        /// <summary>Category10 without its grey (which vanishes on a grey image), then further colours.</summary>
        private static readonly Color[] ClassColors =
        {
            Color.FromHex("#1f77b4"), Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c"), Color.FromHex("#d62728"), Color.FromHex("#9467bd"),
            Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#17becf"), Color.FromHex("#bcbd22"), Color.FromHex("#ffff00"),
            Color.FromHex("#00ff7f"), Color.FromHex("#ff00ff"),
        };

        /// <summary>Writes the preview of <paramref name="cases"/> to <paramref name="path"/>; <paramref name="classNames"/> names the label values (0 first) in the legend.</summary>
        public static string Write(string path, IReadOnlyList<PreviewCase> cases, IReadOnlyList<string> classNames)
        {
            if (cases.Count == 0) throw new ArgumentException("no case to preview", nameof(cases));
            Color[] palette = Enumerable.Range(0, Math.Max(1, classNames.Count)).Select(i => ClassColors[Math.Max(0, i - 1) % ClassColors.Length]).ToArray();
            var plot = new Plot();
            double columnWidth = cases.Max(c => Math.Max(c.Image.Shape.W * c.Image.Spacing.W, c.Image.Shape.H * c.Image.Spacing.H));
            double[] rowHeight =
            {
                cases.Max(c => c.Image.Shape.H * c.Image.Spacing.H), // across axis 0: rows axis 1, columns axis 2
                cases.Max(c => c.Image.Shape.D * c.Image.Spacing.D), // across axis 1: rows axis 0, columns axis 2
                cases.Max(c => c.Image.Shape.D * c.Image.Spacing.D), // across axis 2: rows axis 0, columns axis 1
            };
            double top = 0;
            for (int index = 0; index < cases.Count; index++)
            {
                PreviewCase @case = cases[index];
                double left = index * (columnWidth + Gap);
                var title = plot.Add.Text(@case.Title, left + columnWidth / 2, top - 2);
                title.Alignment = Alignment.UpperCenter;
                title.LabelFontSize = 13;
                int[] centre = Centre(@case);
                var (low, high) = Window(@case.Image.Voxels);
                double y = top - TitleSpace;
                for (int view = 0; view < 3; view++)
                {
                    var (pixels, widthMm, heightMm) = Slice(@case, view, centre[view], low, high, palette);
                    double x0 = left + (columnWidth - widthMm) / 2, y1 = y - (rowHeight[view] - heightMm) / 2;
                    var image = plot.Add.ImageRect(new Image(pixels), new CoordinateRect(x0, x0 + widthMm, y1 - heightMm, y1));
                    image.AntiAlias = false;
                    y -= rowHeight[view] + Gap;
                }
            }
            for (int value = 1; value < classNames.Count; value++)
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = classNames[value], FillColor = palette[value], LineWidth = 0 });
            plot.Legend.Alignment = Alignment.UpperRight;
            plot.Legend.FontSize = 12;
            plot.HideAxesAndGrid();
            plot.Layout.Frameless();
            double right = cases.Count * (columnWidth + Gap) - Gap + LegendSpace, bottom = -TitleSpace - rowHeight.Sum() - 2 * Gap;
            plot.Axes.SetLimits(0, right, bottom, top);
            string full = Path.GetFullPath(path);
            return TrainingPlots.Save(plot, Path.GetDirectoryName(full)!, Path.GetFileName(full), (int)Math.Round(right * PixelsPerMm), (int)Math.Round((top - bottom) * PixelsPerMm));
        }

        /// <summary>The voxel (axis 0, 1, 2) at the mean of the classes' centroids (each class counts once, whatever its size), else the middle of the volume.</summary>
        private static int[] Centre(PreviewCase @case)
        {
            Int3 s = @case.Image.Shape;
            var sums = new Dictionary<int, double[]>();
            if (@case.Label is Volume label)
                for (int a = 0, n = 0; a < s.D; a++)
                    for (int b = 0; b < s.H; b++)
                        for (int c = 0; c < s.W; c++, n++)
                        {
                            int value = (int)label.Voxels[n];
                            if (value <= 0) continue;
                            if (!sums.TryGetValue(value, out double[]? sum)) sums[value] = sum = new double[4];
                            sum[0] += a; sum[1] += b; sum[2] += c; sum[3]++;
                        }
            if (sums.Count == 0) return new[] { s.D / 2, s.H / 2, s.W / 2 };
            return Enumerable.Range(0, 3).Select(axis => (int)Math.Round(sums.Values.Average(sum => sum[axis] / sum[3]))).ToArray();
        }

        private static (double Low, double High) Window(float[] voxels)
        {
            var sample = new List<float>(Math.Min(voxels.Length, 200_000));
            int stride = Math.Max(1, voxels.Length / 200_000);
            for (int n = 0; n < voxels.Length; n += stride) sample.Add(voxels[n]);
            sample.Sort();
            double low = Statistics.PercentileOfSorted(sample, 0.5), high = Statistics.PercentileOfSorted(sample, 99.5);
            return (low, high > low ? high : low + 1);
        }

        /// <summary>An RGB slice across <paramref name="axis"/> at <paramref name="at"/>: rows the slower remaining axis (higher index up), columns the faster.</summary>
        private static (byte[,,] Pixels, double WidthMm, double HeightMm) Slice(PreviewCase @case, int axis, int at, double low, double high, Color[] palette)
        {
            Volume image = @case.Image;
            Int3 s = image.Shape;
            int rowAxis = axis == 0 ? 1 : 0, columnAxis = axis == 2 ? 1 : 2;
            int rows = s[rowAxis], columns = s[columnAxis];
            var pixels = new byte[rows, columns, 3];
            var index = new int[3];
            index[axis] = at;
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < columns; c++)
                {
                    index[rowAxis] = rows - 1 - r;
                    index[columnAxis] = c;
                    long n = ((long)index[0] * s.H + index[1]) * s.W + index[2];
                    double grey = Math.Clamp((image.Voxels[n] - low) / (high - low), 0, 1) * 255;
                    double red = grey, green = grey, blue = grey;
                    int value = @case.Label is Volume label ? (int)label.Voxels[n] : 0;
                    if (value > 0 && value < palette.Length)
                    {
                        Color color = palette[value];
                        red = (1 - Opacity) * grey + Opacity * color.R;
                        green = (1 - Opacity) * grey + Opacity * color.G;
                        blue = (1 - Opacity) * grey + Opacity * color.B;
                    }
                    pixels[r, c, 0] = (byte)Math.Round(red);
                    pixels[r, c, 1] = (byte)Math.Round(green);
                    pixels[r, c, 2] = (byte)Math.Round(blue);
                }
            return (pixels, columns * image.Spacing[columnAxis], rows * image.Spacing[rowAxis]);
        }
    }
}
