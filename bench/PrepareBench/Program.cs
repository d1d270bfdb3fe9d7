// Measures `data prepare pascal-part` on a synthetic raw source shaped like the real one: N VOC-size (500x375) JPEGs and
// zlib-compressed Annotations_Part/*.mat files with 3 objects of ~12 part masks each (~7 MB of masks per file once
// decompressed; the real 272x480 fixtures hold ~5.5 MB). A quarter of the images are dominated by a person and dropped.
// Usage: dotnet run -c Release --project bench/PrepareBench -- [N [DIR]]   (the source is generated once and reused)
// PartImageNet: dotnet run -c Release --project bench/PrepareBench -- partimagenet [--images 1000] [--workers N] [--dir DIR] [--keep]
//               (see PartImageNetBench.cs)
using System.Diagnostics;
using PartRobust;
using PartRobust.Data.Prepare;
using PartRobust.Tests.TestSupport;

if (args.Length > 0 && args[0] == "partimagenet")
{
    Environment.ExitCode = PartRobust.Bench.PartImageNetBench.Run(args[1..]);
    return;
}

int n = args.Length > 0 ? int.Parse(args[0]) : 1000;
string root = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "partrobust-prepare-bench");
string src = Path.Combine(root, "src"), outDir = Path.Combine(root, "out");
const int W = 500, H = 375;

string[] five = ["aeroplane", "bird", "car", "cat", "dog"];
var partNames = new Dictionary<string, string[]>
{
    ["aeroplane"] = ["body", "stern", "lwing", "rwing", "tail", "engine_1", "engine_2", "wheel_1", "wheel_2", "wheel_3"],
    ["bird"] = ["head", "leye", "reye", "beak", "torso", "neck", "lwing", "rwing", "lleg", "lfoot", "rleg", "rfoot", "tail"],
    ["car"] = ["frontside", "leftside", "roofside", "leftmirror", "fliplate", "door_1", "door_2", "wheel_1", "wheel_2", "headlight_1", "window_1", "window_2", "window_3"],
    ["cat"] = ["head", "leye", "reye", "lear", "rear", "nose", "torso", "neck", "lfleg", "lfpa", "rfleg", "rbleg", "tail"],
    ["dog"] = ["head", "leye", "reye", "lear", "rear", "nose", "muzzle", "torso", "neck", "lfleg", "lfpa", "rfleg", "tail"],
    ["person"] = ["head", "hair", "torso", "neck", "llarm", "luarm", "rlarm", "ruarm", "llleg", "luleg", "rlleg", "ruleg"],
};

if (!Directory.Exists(Path.Combine(src, "Annotations_Part")) || Directory.GetFiles(Path.Combine(src, "Annotations_Part")).Length != n)
{
    if (Directory.Exists(src)) Directory.Delete(src, true);
    var gen = Stopwatch.StartNew();
    Parallel.For(0, n, i =>
    {
        var rng = new Random(i);
        // Every fourth image is dominated by a person (dropped by the 5-class rule), as many VOC images are.
        string main = i % 4 == 3 ? "person" : five[i % 5];
        var objects = new List<PascalObject>();
        for (int o = 0; o < 3; o++)
        {
            string cls = o == 0 ? main : rng.Next(3) switch { 0 => "person", _ => five[rng.Next(5)] };
            int rx = o == 0 ? 150 : 40 + rng.Next(60), ry = o == 0 ? 120 : 30 + rng.Next(50);
            int cx = rx + rng.Next(W - 2 * rx), cy = ry + rng.Next(H - 2 * ry);
            var mask = new byte[H, W];
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                {
                    double dx = (x - cx) / (double)rx, dy = (y - cy) / (double)ry;
                    if (dx * dx + dy * dy <= 1) mask[y, x] = 1;
                }
            var parts = partNames[cls].Select(p =>
            {
                var pm = new byte[H, W];
                int x0 = cx - rx + rng.Next(rx), y0 = cy - ry + rng.Next(ry), pw = 5 + rng.Next(rx), ph = 5 + rng.Next(ry);
                for (int y = y0; y < Math.Min(H, y0 + ph); y++)
                    for (int x = x0; x < Math.Min(W, x0 + pw); x++) pm[y, x] = mask[y, x];
                return (p, pm);
            }).ToArray();
            objects.Add(new PascalObject(cls, mask, parts));
        }
        string name = $"2009_{i:D6}";
        PascalPartSource.WriteAnnotation(src, name, [.. objects]);
        PascalPartSource.WriteJpeg(src, name, W, H, i);
    });
    Console.WriteLine($"generated {n} images in {gen.Elapsed.TotalSeconds:F1} s");
}
long matBytes = Directory.GetFiles(Path.Combine(src, "Annotations_Part")).Sum(f => new FileInfo(f).Length);
Console.WriteLine($"source: {n} .mat files, {matBytes / n / 1024} KB each on average");

// Annotation stage alone (MAT decode + relabel), one thread, on the first 100 files.
var one = Stopwatch.StartNew();
foreach (string f in Directory.GetFiles(Path.Combine(src, "Annotations_Part")).Order().Take(100)) PascalPartPreparer.ReadAnnotation(f);
Console.WriteLine($"annotation decode + relabel: {one.Elapsed.TotalMilliseconds / 100:F1} ms per file (1 thread)");

var preparer = new PascalPartPreparer();
var options = new PrepareOptions { Workers = Environment.ProcessorCount };
var clock = Stopwatch.StartNew();
PrepareSummary summary;
using (var writer = new PreparedDatasetWriter(outDir, preparer.Name, preparer.Taxonomy, NullProgress.Instance))
{
    preparer.Prepare(src, writer, options, NullProgress.Instance);
    summary = writer.Commit();
}
double s = clock.Elapsed.TotalSeconds;
Console.WriteLine($"prepared {summary.Total} samples, skipped {summary.Skipped.Count}, {options.Workers} workers: {s:F1} s = {s * 1000 / n:F1} s per 1000 source images");
