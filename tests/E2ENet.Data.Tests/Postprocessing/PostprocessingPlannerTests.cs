using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Postprocessing;
using E2ENet.Data.Tests.Support;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Tests.Postprocessing
{
    /// <summary>nnU-Net's rule for deciding postprocessing, on constructed cases where the right decision is known, and the decision file.</summary>
    public class PostprocessingPlannerTests : IDisposable
    {
        private static readonly Int3 Shape = new Int3(12, 16, 30);
        private static readonly string[] Labels = { "background", "organ", "kidneys" };
        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        private static void Box(float[] labels, int value, int d0, int h0, int w0, int size)
        {
            for (int a = d0; a < d0 + size; a++)
                for (int b = h0; b < h0 + size; b++)
                    for (int c = w0; c < w0 + size; c++) labels[((long)a * Shape.H + b) * Shape.W + c] = value;
        }

        private string Write(string name, float[] labels)
        {
            string path = _temp.File(name + ".nii.gz");
            VolumeFiles.Write(path, new Volume(Shape, labels, Real3.All(1), AffineMatrix.Diagonal(1, 1, 1)), VoxelType.UInt8);
            return path;
        }

        /// <summary>
        /// Reference: an organ (class 1, one component) and two kidneys (class 2, two true components). Predictions find all three
        /// but add a spurious island of class 1 (and, in one case, miss a voxel column): keeping the largest component of the organ
        /// removes the island (Dice up), of the kidneys removes a true kidney (Dice down), of the foreground as a whole keeps
        /// only the organ (kidney Dice down).
        /// </summary>
        private List<(string, string)> Cases(int count)
        {
            var pairs = new List<(string, string)>();
            for (int n = 0; n < count; n++)
            {
                var reference = new float[Shape.Volume];
                Box(reference, 1, 2, 2, 2, 7 + n % 2);
                Box(reference, 2, 2, 3, 14, 4);
                Box(reference, 2, 2, 3, 22, 4);
                var prediction = (float[])reference.Clone();
                Box(prediction, 1, 8, 10, 24, 2 + n % 2); // the spurious island, far from the organ
                if (n == 1) Box(prediction, 0, 2, 3, 14, 1);
                pairs.Add((Write("pred" + n, prediction), Write("ref" + n, reference)));
            }
            return pairs;
        }

        [Fact]
        public void The_largest_component_is_kept_for_a_class_with_spurious_islands_and_not_for_a_class_with_two_true_components()
        {
            var (decision, evidence) = PostprocessingPlanner.Decide(Cases(3), Labels, workers: 2);
            Assert.False(decision.LargestForeground);
            Assert.Equal(new[] { 1 }, decision.LargestPerClass);
            Assert.Equal(3, evidence.Cases);
            PostprocessingStep foreground = evidence.Steps[0];
            Assert.Equal("largest-foreground", foreground.Step);
            Assert.False(foreground.Kept);
            Assert.True(foreground.DiceAfter < foreground.DiceBefore);
            PostprocessingStep organ = evidence.Steps.Single(s => s.Step == "largest-component" && s.Classes[0] == 1);
            PostprocessingStep kidneys = evidence.Steps.Single(s => s.Step == "largest-component" && s.Classes[0] == 2);
            Assert.True(organ.Kept && organ.DiceAfter > organ.DiceBefore);
            Assert.True(!kidneys.Kept && kidneys.DiceAfter < kidneys.DiceBefore);
            Assert.Equal(1.0, evidence.DiceAfter["organ"], 9); // the island was all that was wrong with the organ
            Assert.Equal(evidence.DiceBefore["kidneys"], evidence.DiceAfter["kidneys"]);
        }

        [Fact]
        public void The_foreground_step_is_kept_when_it_helps_and_harms_no_class()
        {
            // One class: a true organ and a spurious island; the foreground step removes the island, and no per-class step follows.
            var pairs = new List<(string, string)>();
            for (int n = 0; n < 2; n++)
            {
                var reference = new float[Shape.Volume];
                Box(reference, 1, 2, 2, 2, 6);
                var prediction = (float[])reference.Clone();
                Box(prediction, 1, 9, 12, 25, 2);
                pairs.Add((Write("p" + n, prediction), Write("r" + n, reference)));
            }
            var (decision, evidence) = PostprocessingPlanner.Decide(pairs, new[] { "background", "organ" });
            Assert.True(decision.LargestForeground);
            Assert.Empty(decision.LargestPerClass);
            Assert.Single(evidence.Steps);
        }

        [Fact]
        public void Applying_the_decision_removes_the_island_and_keeps_both_kidneys()
        {
            var (predictionFile, referenceFile) = Cases(1)[0];
            float[] prediction = VolumeFiles.Read(predictionFile).Voxels, reference = VolumeFiles.Read(referenceFile).Voxels;
            var decision = new PostprocessingDecision(false, new[] { 1 }, Labels);
            Assert.Equal(reference, decision.Apply(prediction, Shape));
            Assert.NotEqual(reference, prediction); // the input is not changed
            float[] perClass = PostprocessingDecision.PerClass(3).Apply(prediction, Shape);
            Assert.Equal(4 * 4 * 4, perClass.Count(v => v == 2)); // one kidney lost
            float[] foreground = PostprocessingDecision.Foreground().Apply(prediction, Shape);
            Assert.Equal(0, foreground.Count(v => v == 2));
        }

        [Fact]
        public void The_decision_file_round_trips_and_bad_files_name_the_field()
        {
            var (decision, evidence) = PostprocessingPlanner.Decide(Cases(2), Labels, new[] { "runs/fold0", "runs/fold1" });
            string file = _temp.File("postprocessing.json");
            PostprocessingFile.Write(file, decision, evidence);
            PostprocessingDecision read = PostprocessingFile.Read(file);
            Assert.Equal(decision.LargestForeground, read.LargestForeground);
            Assert.Equal(decision.LargestPerClass, read.LargestPerClass);
            Assert.Equal(Labels, read.Labels);
            Assert.Contains("\"evidence\"", File.ReadAllText(file));
            Assert.Null(read.Misfit(Labels));
            Assert.Contains("decided for the labels [background, organ, kidneys]", read.Misfit(new[] { "background", "liver", "tumour" }));
            Assert.Contains("class 1", new PostprocessingDecision(false, new[] { 1 }).Misfit(new[] { "background" }));

            foreach (var (text, expected) in new[]
            {
                ("[]", "is not a JSON object"),
                ("{\"format\": \"other\"}", "'format' is not"),
                ("{\"format\": \"e2enet-postprocessing\", \"version\": 2}", "'version' is 2"),
                ("{\"format\": \"e2enet-postprocessing\", \"version\": 1, \"labels\": [\"background\"]}", "'labels' must be"),
                ("{\"format\": \"e2enet-postprocessing\", \"version\": 1, \"labels\": [\"a\", \"b\"], \"largestForeground\": 1}", "'largestForeground' must be"),
                ("{\"format\": \"e2enet-postprocessing\", \"version\": 1, \"labels\": [\"a\", \"b\"], \"largestForeground\": false, \"largestComponentClasses\": [2]}", "classes are 1..1"),
                ("{\"format\": \"e2enet-postprocessing\", \"version\": 1, \"labels\": [\"a\", \"b\"], \"largestForeground\": false}", "has no 'largestComponentClasses'"),
                ("{", "not valid JSON"),
            })
            {
                File.WriteAllText(file, text);
                var error = Assert.Throws<DataException>(() => PostprocessingFile.Read(file));
                Assert.Equal("E4305", error.Id);
                Assert.Contains(expected, error.Message);
            }
        }
    }
}
