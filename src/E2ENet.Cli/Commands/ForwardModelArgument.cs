using System;
using System.IO;

namespace E2ENet.Cli.Commands
{
    /// <summary>The <c>--model FILE.e2e[:Model]</c> argument of <c>forward</c> and <c>bench</c>.</summary>
    public static class ForwardModelArgument
    {
        /// <summary>Splits <c>models/amos-ct.e2e:AmosCt</c> into the file and the model name (null when not given).</summary>
        public static (string File, string? Model) Parse(string value)
        {
            int colon = value.LastIndexOf(':');
            if (colon > 0 && colon < value.Length - 1)
            {
                string file = value.Substring(0, colon);
                string model = value.Substring(colon + 1);
                if (model.IndexOfAny(new[] { '/', '\\', '.' }) < 0 && !File.Exists(value)) return (file, model);
            }
            return (value, null);
        }
    }
}
