using System;
using E2ENet.Compiler.Semantics;

namespace E2ENet.Training.Schedules
{
    /// <summary>
    /// The learning rate per epoch (set at the start of each epoch, as nnU-Net does): poly <c>lr * (1 - epoch / epochs)^exponent</c>
    /// (docs/method.md, "Training recipe": exponent 0.9), cosine <c>lr * (1 + cos(pi * epoch / epochs)) / 2</c>, or constant.
    /// </summary>
    public sealed class LearningRateSchedule
    {
        private readonly TrainingSpec _training;

        /// <summary>Creates the schedule of a training recipe.</summary>
        public LearningRateSchedule(TrainingSpec training) => _training = training;

        /// <summary>The learning rate of epoch <paramref name="epoch"/> (0-based).</summary>
        public double At(int epoch)
        {
            double progress = Math.Min(1.0, Math.Max(0.0, (double)epoch / _training.Epochs));
            double lr = _training.LearningRate;
            return _training.Schedule.Kind switch
            {
                ScheduleKind.Constant => lr,
                ScheduleKind.Cosine => lr * 0.5 * (1 + Math.Cos(Math.PI * progress)),
                _ => lr * Math.Pow(1 - progress, _training.Schedule.Exponent),
            };
        }
    }
}
