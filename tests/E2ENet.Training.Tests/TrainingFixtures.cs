using System;
using System.IO;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Volumes;
using E2ENet.Tests;

namespace E2ENet.Training.Tests
{
    /// <summary>Small datasets and models for trainer tests (seconds per epoch on 2 cores).</summary>
    internal static class TrainingFixtures
    {
        /// <summary>
        /// An MSD-layout dataset of <paramref name="cases"/> 24x28x24 volumes (files ending in <paramref name="ending"/>): two blobs (classes 1 and 2) at case-dependent
        /// places in a noisy image whose intensity depends on the class.
        /// </summary>
        public static string SyntheticDataset(string folder, int cases = 5, string ending = ".nii.gz")
        {
            var shape = new Int3(24, 28, 24);
            var random = new Random(17);
            for (int n = 0; n < cases; n++)
            {
                var label = new float[shape.Volume];
                var image = new float[shape.Volume];
                int a1 = 8 + n % 3, b1 = 9 + n % 4, c1 = 8 + n % 2;
                int a2 = 15 - n % 3, b2 = 18, c2 = 15 + n % 3;
                for (int a = 0; a < shape.D; a++)
                {
                    for (int b = 0; b < shape.H; b++)
                    {
                        for (int c = 0; c < shape.W; c++)
                        {
                            long i = ((long)a * shape.H + b) * shape.W + c;
                            double r1 = Sq(a - a1) + Sq(b - b1) + Sq(c - c1);
                            double r2 = Sq(a - a2) + Sq(b - b2) + Sq(c - c2);
                            label[i] = r1 < 25 ? 1 : r2 < 16 ? 2 : 0;
                            image[i] = (float)(100 + 40 * label[i] + 15 * (random.NextDouble() - 0.5));
                        }
                    }
                }
                var affine = AffineMatrix.Diagonal(1.5, 1.5, 1.5);
                VolumeFiles.Write(Path.Combine(folder, "imagesTr", $"blob_{n:000}_0000{ending}"), new Volume(shape, image, Real3.All(1.5), affine), VoxelType.Float32);
                VolumeFiles.Write(Path.Combine(folder, "labelsTr", $"blob_{n:000}{ending}"), new Volume(shape, label, Real3.All(1.5), affine), VoxelType.UInt8);
            }
            File.WriteAllText(Path.Combine(folder, "dataset.json"),
                "{\"channel_names\": {\"0\": \"MR\"}, \"labels\": {\"background\": 0, \"blob\": 1, \"small_blob\": 2}, \"numTraining\": " + cases + ", \"file_ending\": \"" + ending + "\"}");
            return folder;
        }

        private static double Sq(double x) => x * x;

        /// <summary>The narrow model of the trainer tests, Models/tiny.e2e (also generated as the class <c>E2ENet.Models.Tiny</c>).</summary>
        public static string ModelSource => TestPaths.Repo("tests", "E2ENet.Training.Tests", "Models", "tiny.e2e");

        /// <summary>
        /// A narrow model for the synthetic dataset (patch 16^3, three pooled levels, kernel-sparse fusion): Models/tiny.e2e with
        /// <paramref name="extra"/> statements added, written into <paramref name="folder"/>.
        /// </summary>
        public static string Model(string folder, string extra = "")
        {
            string path = Path.Combine(folder, "tiny.e2e");
            string text = File.ReadAllText(ModelSource);
            File.WriteAllText(path, text.Substring(0, text.LastIndexOf('}')) + extra + "\n}\n");
            return path;
        }

        public static string TempFolder(string name) => Directory.CreateTempSubdirectory("e2e-" + name).FullName;
    }
}
