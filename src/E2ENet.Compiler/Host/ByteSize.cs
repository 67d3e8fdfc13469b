using System;
using System.Globalization;

namespace E2ENet.Compiler.Host
{
    /// <summary>Byte counts as people write them: <c>8G</c>, <c>512MiB</c>, <c>1.5 GB</c>, <c>1073741824</c> (binary units: 1K = 1024).</summary>
    public static class ByteSize
    {
        private static readonly string[] Units = { "bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

        /// <summary><c>1.5 GiB</c>: the largest binary unit below the value, one decimal.</summary>
        public static string Format(double bytes)
        {
            int unit = 0;
            while (Math.Abs(bytes) >= 1024 && unit < Units.Length - 1)
            {
                bytes /= 1024;
                unit++;
            }
            return bytes.ToString(unit == 0 ? "0" : "0.#", CultureInfo.InvariantCulture) + " " + Units[unit];
        }

        /// <summary>Parses a size: a number, optionally followed by K, M, G or T (with or without B or iB; all binary).</summary>
        public static bool TryParse(string? text, out long bytes)
        {
            bytes = 0;
            if (text == null) return false;
            string s = text.Trim().Replace(" ", string.Empty).ToUpperInvariant();
            int end = s.Length;
            while (end > 0 && char.IsLetter(s[end - 1])) end--;
            string number = s.Substring(0, end), unit = s.Substring(end);
            int power;
            switch (unit)
            {
                case "": case "B": power = 0; break;
                case "K": case "KB": case "KIB": power = 1; break;
                case "M": case "MB": case "MIB": power = 2; break;
                case "G": case "GB": case "GIB": power = 3; break;
                case "T": case "TB": case "TIB": power = 4; break;
                default: return false;
            }
            if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || !(value > 0)) return false;
            double result = value * Math.Pow(1024, power);
            if (result >= long.MaxValue) return false;
            bytes = (long)result;
            return bytes > 0;
        }
    }
}
