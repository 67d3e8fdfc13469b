using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using E2ENet.Torch.Serialization;
using E2ENet.Training.Runs;

namespace E2ENet.Training.Tests
{
    /// <summary>
    /// A real training process killed with SIGKILL at several points (during preprocessing, mid-epoch, around a checkpoint
    /// write, in the epoch before the last) and resumed each time ends with exactly the weights of an uninterrupted run. The kills
    /// are triggered by the progress lines the process prints, not by wall-clock time, so they land at the same stages on a
    /// fast machine and on a loaded one.
    /// </summary>
    [Collection(SeededTrainingCollection.Name)]
    public class KillAndResumeTests
    {
        private static Process Start(string dataset, string model, string run, bool resume, Action<string> line)
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
            var process = new Process { StartInfo = info };
            process.OutputDataReceived += (_, e) => { if (e.Data != null) line(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data != null) line(e.Data); };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }

        [Fact]
        public void A_run_killed_with_sigkill_at_several_points_resumes_to_the_uninterrupted_result()
        {
            string root = TrainingFixtures.TempFolder("kill");
            string dataset = TrainingFixtures.SyntheticDataset(Path.Combine(root, "data"));
            string model = TrainingFixtures.Model(root, "training.epochs 5");
            string straight = Path.Combine(root, "straight");
            new Trainer(new TrainerOptions
            {
                Dataset = dataset, ModelFile = model, Output = straight, Seed = 7, Workers = 1, ValidationIterations = 1, FinalValidation = false,
            }).Run();

            // Each attempt is killed when it prints the line of its stage (each stage is certain to be reached again by the resumed
            // process, whatever checkpoint it resumes from), after a random delay of up to the given milliseconds.
            var stages = new (Regex Line, int MaxDelayMs)[]
            {
                (new Regex(@"^preprocess: preprocess 3/"), 20),     // preprocessing half done
                (new Regex(@"^epoch 1/5 iteration 1/3"), 40),        // mid-epoch, before any checkpoint
                (new Regex(@"^epoch 2/5: "), 40),                    // around the end-of-epoch checkpoint write
                // Inside epoch 4, after epoch 3's checkpoint. Not in the last epoch: a kill there raced the end of the run
                // (the process finished before its output line reached the test, once in local CI).
                (new Regex(@"^evolution round 5 "), 10),
            };
            string run = Path.Combine(root, "killed");
            var random = new Random(3);
            var log = new ConcurrentQueue<string>();
            int kills = 0;
            bool resume = false;
            for (int attempt = 0; attempt < 8 && !File.Exists(Path.Combine(run, "weights.pt")); attempt++)
            {
                using var reached = new ManualResetEventSlim();
                Regex? stage = attempt < stages.Length ? stages[attempt].Line : null;
                log.Enqueue("--- attempt " + attempt + (resume ? " (--resume)" : ""));
                using Process process = Start(dataset, model, run, resume, line =>
                {
                    log.Enqueue(line);
                    if (stage != null && stage.IsMatch(line)) reached.Set();
                });
                if (stage != null)
                {
                    var deadline = Stopwatch.StartNew();
                    while (!reached.Wait(5) && !process.HasExited && deadline.Elapsed < TimeSpan.FromMinutes(5)) { }
                    if (reached.IsSet)
                    {
                        Thread.Sleep(random.Next(0, stages[attempt].MaxDelayMs + 1));
                        if (!process.HasExited)
                        {
                            process.Kill(entireProcessTree: true); // SIGKILL
                            kills++;
                        }
                    }
                }
                if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
                {
                    process.Kill(true);
                    throw new TimeoutException("training did not finish:\n" + string.Join("\n", log));
                }
                process.WaitForExit(); // drains the output readers
                resume = Directory.Exists(Path.Combine(run, "checkpoints")) || File.Exists(Path.Combine(run, "model.e2e"));
            }
            string transcript = string.Join("\n", log);
            Assert.True(kills == stages.Length, "every stage must be reached and killed; killed " + kills + " time(s):\n" + transcript);
            Assert.True(File.Exists(Path.Combine(run, "weights.pt")), "the resumed training did not finish:\n" + transcript);
            Assert.True(log.Count(l => l.StartsWith("resumed from", StringComparison.Ordinal)) >= 2,
                "at least two attempts must resume from a checkpoint:\n" + transcript);

            var a = TensorFile.ReadAll(Path.Combine(straight, "weights.pt"));
            var b = TensorFile.ReadAll(Path.Combine(run, "weights.pt"));
            Assert.Equal(a.Keys, b.Keys);
            Assert.All(a.Keys, key => Assert.True(a[key].eq(b[key]).all().item<bool>(), key + " differs"));
            var metrics = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
            Assert.Equal(6, metrics.Length);
            Assert.Equal(Enumerable.Range(1, 5).Select(e => e.ToString()), metrics.Skip(1).Select(l => l.Split(',')[0]));
        }
    }
}
