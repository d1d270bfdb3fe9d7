using System.Diagnostics;
using System.Globalization;
using PartRobust;
using PartRobust.Data;
using PartRobust.Data.Prepare;
using PrepareBench;

// Usage: PrepareBench <dataset> [--images N] [--workers N] [--dir DIR] [--keep]
// Builds a synthetic raw source of N images in the dataset's official format, prepares it once (paper split) and
// prints the wall time per 1000 images. The machine should be otherwise idle.
if (args.Length == 0 || args[0].StartsWith('-'))
{
    Console.Error.WriteLine("usage: PrepareBench partimagenet [--images 1000] [--workers N] [--dir DIR] [--keep]");
    return 2;
}
string dataset = args[0];
int images = 1000, workers = Environment.ProcessorCount;
string dir = Path.Combine(Path.GetTempPath(), $"partrobust-preparebench-{dataset}");
bool keep = false;
for (int i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--images": images = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--workers": workers = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--dir": dir = args[++i]; break;
        case "--keep": keep = true; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}

(IDatasetPreparer preparer, Action<string, int> makeSource, string description) = dataset switch
{
    "partimagenet" => ((IDatasetPreparer)new PartImageNetPreparer(), (Action<string, int>)PartImageNetSource.Write,
        "500x375 JPEGs (quality 90), 4 polygon parts (24-48 vertices) each, 11 classes, COCO train/val/test.json"),
    _ => throw new ArgumentException($"unknown dataset {dataset} (known: partimagenet)"),
};

string src = Path.Combine(dir, "source"), outDir = Path.Combine(dir, "prepared");
if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
var clock = Stopwatch.StartNew();
makeSource(src, images);
Console.WriteLine($"source: {images} images, {description}; written in {clock.Elapsed.TotalSeconds:F1} s " +
                  $"({DirSize(src) / 1e6:F1} MB) to {src}");

clock.Restart();
PrepareSummary summary;
using (var writer = new PreparedDatasetWriter(outDir, preparer.Name, preparer.Taxonomy, NullProgress.Instance))
{
    preparer.Prepare(src, writer, new PrepareOptions { Workers = workers }, NullProgress.Instance);
    summary = writer.Commit();
}
double seconds = clock.Elapsed.TotalSeconds;
Console.WriteLine($"prepared {summary.Total} samples (train {summary.Counts["train"].Sum()}, val {summary.Counts["val"].Sum()}, " +
                  $"test {summary.Counts["test"].Sum()}), {summary.Skipped.Count} skipped, workers {workers}, {Environment.ProcessorCount} cores");
Console.WriteLine($"time: {seconds:F1} s = {seconds * 1000 / images:F1} s per 1000 images ({images / seconds:F0} images/s); output {DirSize(outDir) / 1e6:F1} MB");
if (!keep) Directory.Delete(dir, recursive: true);
return 0;

static long DirSize(string d) => new DirectoryInfo(d).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
