namespace E2ENet.Generators
{
    /// <summary>Names of the pipeline steps, for tests that check what a change recomputes (GeneratorDriver step tracking).</summary>
    public static class TrackingNames
    {
        /// <summary>Each <c>.e2e</c> AdditionalFile as path and text.</summary>
        public const string SourceFiles = "E2ESourceFiles";

        /// <summary>The whole set of files compiled by the front end.</summary>
        public const string ModelSet = "E2EModelSet";

        /// <summary>One entry per class to generate.</summary>
        public const string Models = "E2EModels";

        /// <summary>The diagnostics of the set.</summary>
        public const string Diagnostics = "E2EDiagnostics";

        /// <summary>Whether the project references the runtime (E2ENet.Torch) the generated classes need.</summary>
        public const string Runtime = "E2ERuntime";
    }
}
