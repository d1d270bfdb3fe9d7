using System.Diagnostics;
using System.Globalization;
using PartRobust.Data.Prepare;

namespace PartRobust.Bench;

/// <summary>
/// <c>PrepareBench partimagenet [--images N] [--workers N] [--dir DIR] [--keep]</c>: builds a synthetic PartImageNet
/// source of N images (<see cref="PartImageNetSource"/>), prepares it once with the paper split and prints the wall
/// time per 1000 images. Run it on an otherwise idle machine.
/// </summary>
static class PartImageNetBench
{
    public static int Run(string[] args)
    {
        int images = 1000, workers = Environment.ProcessorCount;
        string dir = Path.Combine(Path.GetTempPath(), "partrobust-preparebench-partimagenet");
        bool keep = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--images": images = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--workers": workers = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--dir": dir = args[++i]; break;
                case "--keep": keep = true; break;
                default: Console.Error.WriteLine($"unknown option {args[i]} (expected --images, --workers, --dir, --keep)"); return 2;
            }
        }
        string src = Path.Combine(dir, "source"), outDir = Path.Combine(dir, "prepared");
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        var clock = Stopwatch.StartNew();
        PartImageNetSource.Write(src, images);
        Console.WriteLine($"source: {images} images, {PartImageNetSource.Description}; written in {clock.Elapsed.TotalSeconds:F1} s " +
                          $"({DirSize(src) / 1e6:F1} MB) to {src}");

        var preparer = new PartImageNetPreparer();
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
    }

    static long DirSize(string d) => new DirectoryInfo(d).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
}
