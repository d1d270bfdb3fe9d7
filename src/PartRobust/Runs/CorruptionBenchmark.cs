using System.Diagnostics;
using System.Globalization;
using System.Text;
using PartRobust.Data;
using PartRobust.Evaluation.Corruptions;
using PartRobust.Evaluation.Robustness;

namespace PartRobust.Runs;

/// <summary>
/// Measures how fast each common corruption is made: PartShapes test images at a given size, every severity, in parallel
/// on all cores as the suite does (<see cref="CorruptedDataset"/>), in images/s. Tells what the corruption suite costs
/// besides the models' forward passes, e.g. at the paper's 224 px.
/// </summary>
public static class CorruptionBenchmark
{
    /// <summary>Runs the measurement and returns a Markdown table for docs/benchmarks.md.</summary>
    /// <param name="imageSize">Image side in pixels (32–224).</param>
    /// <param name="images">Images corrupted per corruption and severity.</param>
    /// <param name="table">Parameter table; null = as the suite chooses for the size.</param>
    /// <param name="progress">Progress bar.</param>
    public static string Run(int imageSize, int images, CorruptionTable? table, IProgressSink progress)
    {
        if (imageSize is < 32 or > 224) throw new ArgumentException($"--image-size {imageSize}: expected 32 to 224");
        if (images < 1) throw new ArgumentException($"--images {images}: must be ≥ 1");
        var t = table ?? new GeneralRobustnessOptions { Table = table }.TableFor(imageSize);
        var generator = new PartShapesGenerator(new PartShapesOptions { ImageSize = imageSize, Seed = 1 });
        using var data = generator.Generate(PartShapesSplit.Test, images);
        var rows = new List<(string Name, double PerSecond)>();
        using var task = progress.Start($"corruptions at {imageSize}px", (long)CorruptionRegistry.All.Count * 5 * images);
        var total = Stopwatch.StartNew();
        foreach (var c in CorruptionRegistry.All)
        {
            task.SetStatus(c.Name);
            var sw = Stopwatch.StartNew();
            for (int s = 1; s <= 5; s++)
            {
                using var corrupted = CorruptedDataset.Build(data, c, s, 0, t);
                task.Advance(images);
            }
            rows.Add((c.Name, 5.0 * images / sw.Elapsed.TotalSeconds));
        }
        double all = CorruptionRegistry.All.Count * 5.0 * images / total.Elapsed.TotalSeconds;
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"Corruptions at {imageSize}×{imageSize} ({(t == CorruptionTable.Cifar10 ? "CIFAR-10-C" : "ImageNet-C")} table), {images} PartShapes images × severities 1–5, {Environment.ProcessorCount} cores:\n\n");
        sb.Append("| corruption | images/s |\n|---|---:|\n");
        foreach (var (name, perSecond) in rows) sb.Append(inv, $"| {name} | {perSecond:F0} |\n");
        sb.Append(inv, $"| **all 19** | **{all:F0}** |\n");
        return sb.ToString();
    }
}
