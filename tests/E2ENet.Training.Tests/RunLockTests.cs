using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Threading;
using E2ENet.Cli;
using E2ENet.Compiler.Host;
using E2ENet.Training.Runs;

namespace E2ENet.Training.Tests
{
    /// <summary>
    /// Issue 10 (4): one writer per run folder. A second training (or resume) on the folder of a running one is refused at once
    /// with E2E7002 naming the first one's pid, whatever the timing; and the kernel frees the lock when the first is killed with
    /// SIGKILL, so the run can be resumed right after.
    /// </summary>
    public class RunLockTests
    {
        [Fact]
        public void A_second_writer_is_refused_with_the_holders_pid_and_a_killed_holder_frees_the_run()
        {
            string root = TrainingFixtures.TempFolder("lock");
            string dataset = TrainingFixtures.SyntheticDataset(Path.Combine(root, "data"), cases: 4);
            string model = TrainingFixtures.Model(root, "training.epochs 50\n  training.batch 1");
            string run = Path.Combine(root, "run");
            var log = new ConcurrentQueue<string>();
            using var training = new ManualResetEventSlim();

            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "e2enet.dll"));
            foreach (string arg in new[] { "train", dataset, "--model", model, "--out", run, "--seed", "1", "--workers", "1", "--validation-iterations", "1", "--no-final-validation" })
            {
                info.ArgumentList.Add(arg);
            }
            using var first = new Process { StartInfo = info };
            DataReceivedEventHandler line = (_, e) =>
            {
                if (e.Data == null) return;
                log.Enqueue(e.Data);
                if (e.Data.StartsWith("epoch 1/50 iteration", StringComparison.Ordinal)) training.Set();
            };
            first.OutputDataReceived += line;
            first.ErrorDataReceived += line;
            first.Start();
            first.BeginOutputReadLine();
            first.BeginErrorReadLine();
            try
            {
                var deadline = Stopwatch.StartNew();
                while (!training.Wait(10) && !first.HasExited && deadline.Elapsed < TimeSpan.FromMinutes(5)) { }
                Assert.True(training.IsSet, "the first training never reached its first iteration:\n" + string.Join("\n", log));

                // Another training with another seed into the same folder: refused before it reads or writes anything.
                var second = Assert.Throws<HostException>(() => new Trainer(new TrainerOptions
                {
                    Dataset = dataset, ModelFile = model, Output = run, Seed = 2, Workers = 1, FinalValidation = false,
                }).Run());
                Assert.Equal("E2E7002", second.Id);
                Assert.True(second.Message.Contains("pid " + first.Id + ": e2enet train"), second.Message);

                // The command line says the same, for train --resume too, with exit code 1.
                var output = new StringWriter();
                var error = new StringWriter();
                int exit = CliApp.Run(new[] { "train", dataset, "--out", run, "--resume", "--workers", "1" }, output, error);
                Assert.Equal(1, exit);
                Assert.Contains("error E2E7002", error.ToString());
                Assert.Contains("pid " + first.Id, error.ToString());
                Assert.DoesNotContain("   at ", error.ToString());

                first.Kill(entireProcessTree: true); // SIGKILL: no finalizer, no Dispose; only the kernel can release the lock
                Assert.True(first.WaitForExit(TimeSpan.FromMinutes(1)));
            }
            finally
            {
                if (!first.HasExited) first.Kill(true);
            }

            // Free at once: the lock is taken (and released) here, and a resume gets past it to its own option checks.
            using (FolderLock.Acquire(run, "test"))
            {
            }
            var resumed = Assert.Throws<TrainingException>(() => new Trainer(new TrainerOptions
            {
                Dataset = dataset, Output = run, Resume = true, Workers = 1, ValidationIterations = 0,
            }).Run());
            Assert.Equal(TrainingErrors.BadOption.Id, resumed.Id);
        }
    }
}

namespace E2ENet.Training.Tests
{
    /// <summary>Issue 10 (10): the advice after a diverged loss is one that can be followed.</summary>
    public class DivergedAdviceTests
    {
        [Fact]
        public void The_advice_is_a_new_run_with_a_lower_learning_rate_never_a_resume_with_other_settings()
        {
            var spec = E2ENet.Torch.Network.ModelLoader.Load(TrainingFixtures.Model(TrainingFixtures.TempFolder("nan"))).Spec!;
            string first = TrainingLoop.DivergedAdvice(double.NaN, 0, 0, 0, spec.Training);
            Assert.Contains("the loss became NaN at epoch 1, iteration 1", first);
            Assert.Contains("train again into a new --out with a lower learning rate (--set training.lr=0.001; now 0.01)", first);
            Assert.Contains("no epoch of this run finished", first);
            Assert.DoesNotContain("--resume", first);
            Assert.DoesNotContain("epoch 0", first);

            string later = TrainingLoop.DivergedAdvice(double.PositiveInfinity, 3, 7, 3, spec.Training);
            Assert.Contains("keeps its checkpoint of epoch 3", later);
            Assert.Contains("resuming it would diverge again", later);
        }
    }
}

namespace E2ENet.Training.Tests
{
    /// <summary>Issue 10 (5): a training whose own estimate exceeds the memory allowed is refused before anything is written.</summary>
    public class TrainingMemoryTests
    {
        [Fact]
        public void A_patch_that_cannot_fit_is_refused_with_the_estimate_the_limit_and_the_fix()
        {
            string root = TrainingFixtures.TempFolder("memory");
            string dataset = TrainingFixtures.SyntheticDataset(System.IO.Path.Combine(root, "data"), cases: 2);
            string model = TrainingFixtures.Model(root);
            string run = System.IO.Path.Combine(root, "run");
            var output = new System.IO.StringWriter();
            var error = new System.IO.StringWriter();
            int exit = E2ENet.Cli.CliApp.Run(new[] { "train", dataset, "--model", model, "--out", run, "--set", "input.patch=[256, 256, 256]", "--max-memory", "2G" }, output, error);
            Assert.Equal(1, exit);
            string text = error.ToString();
            Assert.Contains(model + ": error E2E7001: training 'Tiny' (a step at patch 256x256x256, batch 2:", text);
            Assert.Contains("more than the 2 GiB allowed here (--max-memory)", text);
            Assert.Contains("try a smaller patch (--set input.patch=[...]) or batch (--set training.batch=1)", text);
            Assert.False(System.IO.Directory.Exists(run), "nothing may be written for a refused training");
        }
    }
}
