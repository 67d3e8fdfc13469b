#:project ../../src/E2ENet.Data/E2ENet.Data.csproj
#:property TreatWarningsAsErrors=true
// Times ConnectedComponents.Label and LargestComponent.Apply on a 512 x 512 x 300 label map (a CT-sized volume) and
// writes the mask and the label map for components_vs_scipy.sh to time scipy.ndimage.label on the same data.
// Usage: dotnet run components.cs -c Release -- OUT_FOLDER [rounds]
using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using E2ENet.Compiler.Semantics;
using E2ENet.Data.Postprocessing;

string folder = args.Length > 0 ? args[0] : ".";
int rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3;
var shape = new Int3(300, 512, 512);
// Three classes: a large smooth organ-like blob per class plus scattered islands (the false positives postprocessing removes).
var seg = new float[shape.Volume];
var random = new Random(7);
for (int d = 0; d < shape.D; d++)
    for (int h = 0; h < shape.H; h++)
        for (int w = 0; w < shape.W; w++)
        {
            long n = ((long)d * shape.H + h) * shape.W + w;
            double field = Math.Sin(d * 0.05) * Math.Cos(h * 0.031) + Math.Sin(w * 0.027 + d * 0.01) + 0.35 * random.NextDouble();
            seg[n] = field > 1.2 ? 1 : field < -1.3 ? 2 : (random.Next(2000) == 0 ? 3 : 0);
        }
bool[] mask = seg.Select(v => v > 0).ToArray();
Directory.CreateDirectory(folder);
File.WriteAllBytes(Path.Combine(folder, "mask.u8"), mask.Select(m => m ? (byte)1 : (byte)0).ToArray());
File.WriteAllBytes(Path.Combine(folder, "seg.f32"), MemoryMarshal.Cast<float, byte>(seg).ToArray());

double Median(Func<object> run)
{
    var times = new double[rounds];
    for (int r = 0; r < rounds; r++)
    {
        var watch = Stopwatch.StartNew();
        run();
        times[r] = watch.Elapsed.TotalSeconds;
    }
    Array.Sort(times);
    return times[rounds / 2];
}

ComponentLabeling labels = ConnectedComponents.Label(mask, shape);
Console.WriteLine($"volume {shape.W}x{shape.H}x{shape.D}, {mask.Count(m => m)} foreground voxels, {labels.Count} components (largest {labels.Sizes.Max()})");
Console.WriteLine($"e2enet label (foreground mask): {Median(() => ConnectedComponents.Label(mask, shape)):0.000} s");
Console.WriteLine($"e2enet largest component, foreground: {Median(() => LargestComponent.Apply(seg, shape, LargestComponentMode.Foreground)):0.000} s");
Console.WriteLine($"e2enet largest component, per class (3): {Median(() => LargestComponent.Apply(seg, shape, LargestComponentMode.PerClass)):0.000} s");
