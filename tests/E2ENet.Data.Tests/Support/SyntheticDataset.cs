using System.IO;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Volumes;

namespace E2ENet.Data.Tests.Support
{
    /// <summary>A tiny dataset whose image is a known function of its label (100 + 50 x label everywhere), so alignment can be checked after any transform.</summary>
    internal static class SyntheticDataset
    {
        public static string Make(string folder, int cases = 2)
        {
            var shape = new Int3(30, 40, 36);
            for (int n = 0; n < cases; n++)
            {
                var label = new float[shape.Volume];
                var image = new float[shape.Volume];
                for (int a = 0; a < shape.D; a++) for (int b = 0; b < shape.H; b++) for (int c = 0; c < shape.W; c++)
                {
                    long i = ((long)a * shape.H + b) * shape.W + c;
                    double r1 = (a - 12 - n) * (a - 12 - n) + (b - 15) * (b - 15) + (c - 14) * (c - 14);
                    double r2 = (a - 18) * (a - 18) + (b - 27 + n) * (b - 27 + n) + (c - 22) * (c - 22);
                    label[i] = r1 < 64 ? 1 : r2 < 36 ? 2 : 0;
                    image[i] = 100 + 50 * label[i];
                }
                var affine = AffineMatrix.Diagonal(1, 1, 1);
                VolumeFiles.Write(Path.Combine(folder, "imagesTr", $"syn_{n}_0000.nii.gz"), new Volume(shape, image, Real3.All(1), affine), VoxelType.Float32);
                VolumeFiles.Write(Path.Combine(folder, "labelsTr", $"syn_{n}.nii.gz"), new Volume(shape, label, Real3.All(1), affine), VoxelType.UInt8);
            }
            File.WriteAllText(Path.Combine(folder, "dataset.json"),
                "{\"channel_names\": {\"0\": \"MR\"}, \"labels\": {\"background\": 0, \"a\": 1, \"b\": 2}, \"numTraining\": " + cases + ", \"file_ending\": \".nii.gz\"}");
            return folder;
        }
    }
}
