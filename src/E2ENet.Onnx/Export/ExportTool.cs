using System.Globalization;
using System.Reflection;

namespace E2ENet.Onnx.Export
{
    /// <summary>The exporter's name and version, as written into models and manifests.</summary>
    public static class ExportTool
    {
        /// <summary>The producer name.</summary>
        public const string Name = "e2enet";

        /// <summary>Major.minor.patch of this build (Directory.Build.props).</summary>
        public static string Version { get; } = Format(typeof(ExportTool).Assembly.GetName().Version);

        private static string Format(System.Version? version)
            => version == null ? "0.0.0" : string.Format(CultureInfo.InvariantCulture, "{0}.{1}.{2}", version.Major, version.Minor, System.Math.Max(0, version.Build));
    }
}
