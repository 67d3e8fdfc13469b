namespace E2ENet.Training.Tests
{
    /// <summary>
    /// The test classes that train in this process and compare what a seed gives (resume, kill and resume, end to end). A run
    /// seeds TorchSharp's one process-wide generator and then initializes its network from it, so a network created or a
    /// random tensor drawn by a test running in parallel would change the weights of the run. These classes therefore run
    /// one after another and after every parallel class (as do the classes of <see cref="WorkflowCollection"/>, which train too).
    /// </summary>
    [Xunit.CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class SeededTrainingCollection
    {
        public const string Name = "seeded training";
    }
}
