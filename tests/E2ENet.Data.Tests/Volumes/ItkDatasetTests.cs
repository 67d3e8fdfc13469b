using System;
using System.IO;
using System.Linq;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Datasets;
using E2ENet.Data.Inference;
using E2ENet.Data.Preprocessing;
using E2ENet.Data.Tests.Support;
using E2ENet.Data.Volumes;
using static TorchSharp.torch;

namespace E2ENet.Data.Tests.Volumes
{
    /// <summary>
    /// The demo dataset rewritten as MetaImage and NRRD by the independent Python writer works in every verb as the NIfTI
    /// original does: the same 'dataset check' summary, the same preprocessed arrays, predictions written in the input's
    /// format on the input's grid, and evaluation of such predictions.
    /// </summary>
    public class ItkDatasetTests : IDisposable
    {
        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        /// <summary>A copy of the demo dataset with every volume converted to <paramref name="ending"/> by the Python script.</summary>
        private string Converted(string ending)
        {
            string root = _temp.File("dataset" + ending.Replace('.', '_'));
            var pairs = Directory.GetFiles(DemoData.Folder, "*.nii.gz", SearchOption.AllDirectories)
                .Select(f => (f, Path.Combine(root, Path.GetRelativePath(DemoData.Folder, f)[..^".nii.gz".Length] + ending))).ToArray();
            foreach (var (_, target) in pairs) Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            ItkScript.Write(pairs);
            File.WriteAllText(Path.Combine(root, "dataset.json"), File.ReadAllText(Path.Combine(DemoData.Folder, "dataset.json")).Replace("\".nii.gz\"", "\"" + ending + "\""));
            return root;
        }


        [Theory]
        [InlineData(".mha")]
        [InlineData(".nhdr")]
        [InlineData(".nrrd")]
        [InlineData(".mhd")]
        public void Dataset_check_gives_the_summary_of_the_nifti_original(string ending)
        {
            string root = Converted(ending);
            var (exit, output, _) = CliCommand.Run("dataset", "check", root);
            var (_, original, _) = CliCommand.Run("dataset", "check", DemoData.Folder);
            Assert.Equal(0, exit);
            Assert.Equal(original.Replace(DemoData.Folder, "ROOT"), output.Replace(root, "ROOT"));
            if (ending is ".mhd" or ".nhdr")
                Assert.True(Directory.GetFiles(Path.Combine(root, "imagesTr")).Length == 2 * Dataset.Open(root).Training.Count, "data files sit beside their headers");
        }

        [Fact]
        public void Preprocessing_prediction_and_evaluation_work_on_MetaImage_as_on_NIfTI()
        {
            string root = Converted(".mha");
            PreprocessingResult mha = Preprocessor.Run(root, _temp.File("pre-mha"), new PreprocessOptions { Workers = 1 });
            PreprocessingResult nii = Preprocessor.Run(DemoData.Folder, _temp.File("pre-nii"), new PreprocessOptions { Workers = 1 });
            Assert.Equal(nii.Plan.TargetSpacing, mha.Plan.TargetSpacing);
            Assert.Equal(nii.Plan.TransposeForward, mha.Plan.TransposeForward);
            using (PreprocessedDataset a = PreprocessedDataset.Open(_temp.File("pre-mha")), b = PreprocessedDataset.Open(_temp.File("pre-nii")))
                foreach (CaseRecord record in b.Cases)
                {
                    using PreprocessedCase x = a.Case(record.Name), y = b.Case(record.Name);
                    Assert.True(x.LoadImage().AsSpan().SequenceEqual(y.LoadImage()), record.Name);
                    Assert.True(x.LoadLabel().AsSpan().SequenceEqual(y.LoadLabel()), record.Name);
                }

            // A stand-in network (class 1 where the normalized image is high) predicts the test case of both copies.
            PatchPredictor predictor = input => cat(new[] { zeros_like(input), input - 1, zeros_like(input) - 5, zeros_like(input) - 5 }, 1);
            var window = new SlidingWindowOptions { Patch = new Int3(16, 16, 16), MirrorAxes = Array.Empty<int>() };
            DatasetCase mhaCase = Dataset.Open(root).Test[0], niiCase = Dataset.Open(DemoData.Folder).Test[0];
            string mhaOut = _temp.File("pred-mha", mhaCase.Name + ".mha"), niiOut = _temp.File("pred-nii", niiCase.Name + ".nii.gz");
            CasePredictor.PredictFiles(mhaCase.Images, mhaOut, mha.Plan, predictor, window);
            CasePredictor.PredictFiles(niiCase.Images, niiOut, nii.Plan, predictor, window);
            Volume fromMha = VolumeFiles.Read(mhaOut), fromNii = VolumeFiles.Read(niiOut);
            Assert.IsType<ItkGeometry>(fromMha.Header);
            Assert.True(fromMha.Voxels.AsSpan().SequenceEqual(fromNii.Voxels));
            Assert.Contains(1f, fromMha.Voxels);
            Assert.True(fromMha.SameGrid(VolumeFiles.Read(mhaCase.Images[0])));
            Assert.True(fromMha.Affine.ApproximatelyEquals(fromNii.Affine, 1e-4));

            // Evaluation pairs .mha predictions with .mha references.
            var (exit, output, _) = CliCommand.Run("evaluate", "--pred", _temp.File("pred-mha"), "--ref", Path.Combine(root, "labelsTs"));
            var (_, expected, _) = CliCommand.Run("evaluate", "--pred", _temp.File("pred-nii"), "--ref", Path.Combine(DemoData.Folder, "labelsTs"));
            Assert.Equal(0, exit);
            Assert.Equal(expected.Replace(DemoData.Folder, "ROOT").Replace(_temp.File("pred-nii"), "PRED"), output.Replace(root, "ROOT").Replace(_temp.File("pred-mha"), "PRED"));
        }
    }
}
