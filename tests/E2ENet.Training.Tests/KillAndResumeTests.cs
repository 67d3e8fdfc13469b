using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using E2ENet.Torch.Serialization;
using E2ENet.Training.Runs;

namespace E2ENet.Training.Tests
{
    /// <summary>
    /// A real training process killed with SIGKILL at several points (during preprocessing, epochs, checkpoint writes)
    /// and resumed each time ends with exactly the weights of an uninterrupted run.
    /// </summary>
    public class KillAndResumeTests
    {
        private static Process Start(string dataset, string model, string run, bool resume)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "e2enet.dll"));
            foreach (string arg in new[] { "train", dataset, "--out", run, "--seed", "7", "--workers", "1", "--validation-iterations", "1", "--no-final-validation" })
            {
                info.ArgumentList.Add(arg);
            }
            if (resume) info.ArgumentList.Add("--resume");
            else
            {
                info.ArgumentList.Add("--model");
                info.ArgumentList.Add(model);
            }
            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }

        [Fact]
        public void A_run_killed_with_sigkill_at_several_points_resumes_to_the_uninterrupted_result()
        {
            string root = TrainingFixtures.TempFolder("kill");
            string dataset = TrainingFixtures.SyntheticDataset(Path.Combine(root, "data"));
            string model = TrainingFixtures.Model(root, "training.epochs 4");
            string straight = Path.Combine(root, "straight");
            new Trainer(new TrainerOptions
            {
                Dataset = dataset, ModelFile = model, Output = straight, Seed = 7, Workers = 1, ValidationIterations = 1, FinalValidation = false,
            }).Run();

            string run = Path.Combine(root, "killed");
            var random = new Random(3);
            int kills = 0;
            bool resume = false;
            for (int attempt = 0; attempt < 12 && !File.Exists(Path.Combine(run, "weights.pt")); attempt++)
            {
                using Process process = Start(dataset, model, run, resume);
                if (kills < 4)
                {
                    // Kill somewhere between start-up and a couple of epochs in.
                    Thread.Sleep(TimeSpan.FromMilliseconds(1500 + random.Next(0, 9000)));
                    if (!process.HasExited)
                    {
                        process.Kill(entireProcessTree: true); // SIGKILL
                        process.WaitForExit();
                        kills++;
                    }
                }
                if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
                {
                    process.Kill(true);
                    throw new TimeoutException("training did not finish");
                }
                resume = Directory.Exists(Path.Combine(run, "checkpoints")) || File.Exists(Path.Combine(run, "model.e2e"));
            }
            Assert.True(kills >= 2, "the test must actually kill the training; it finished too early " + kills + " time(s)");
            Assert.True(File.Exists(Path.Combine(run, "weights.pt")), "the resumed training finished");

            var a = TensorFile.ReadAll(Path.Combine(straight, "weights.pt"));
            var b = TensorFile.ReadAll(Path.Combine(run, "weights.pt"));
            Assert.Equal(a.Keys, b.Keys);
            Assert.All(a.Keys, key => Assert.True(a[key].eq(b[key]).all().item<bool>(), key + " differs"));
            var metrics = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
            Assert.Equal(5, metrics.Length);
            Assert.Equal(Enumerable.Range(1, 4).Select(e => e.ToString()), metrics.Skip(1).Select(l => l.Split(',')[0]));
        }
    }
}
