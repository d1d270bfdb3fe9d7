using System.Diagnostics;
using System.Globalization;
using System.Text;
using PartRobust.Data;
using PartRobust.Data.Loading;
using PartRobust.Data.Prepare;
using PartRobust.Data.Transforms;
using static TorchSharp.torch;

namespace PartRobust.Runs;

/// <summary>
/// Measures the data loader: JPEG decoding alone, decode + the paper's train transform (RandomResizedCrop + flip) and
/// eval transform (Resize + CenterCrop) on 1 and on all threads, and the prefetching stream up to tensors, in images/s.
/// Runs on a prepared dataset, or on a temporary one of synthetic ImageNet-sized JPEGs (textured, so that decoding costs
/// what a photo costs) when none is given.
/// </summary>
public static class LoaderBenchmark
{
    /// <summary>Runs the measurements and returns a Markdown table for docs/benchmarks.md.</summary>
    public static string Run(LoaderBenchmarkRequest request, IProgressSink progress)
    {
        if (request.Images < request.BatchSize || request.BatchSize < 1) throw new ArgumentException("--images must be ≥ --batch-size ≥ 1");
        string? temp = null;
        try
        {
            string dir = request.DataDir ?? (temp = Synthetic(request, progress));
            var split = new PreparedSplit(Path.Combine(dir, "train"));
            if (split.Count == 0) throw new InvalidDataException($"{split.Directory}: the split is empty");
            var indices = Enumerable.Range(0, request.Images).Select(i => i % split.Count).ToArray();
            int cores = Environment.ProcessorCount;
            var rows = new List<(string What, int Threads, double PerSecond)>();

            var clock = Stopwatch.StartNew();
            foreach (int i in indices) ImageIO.DecodeRgb(File.ReadAllBytes(split.ImagePath(i)));
            rows.Add(("JPEG/PNG decode only (Skia)", 1, indices.Length / clock.Elapsed.TotalSeconds));

            var train = new TrainTransform(request.ImageSize);
            var eval = EvalTransform.ForImageSize(request.ImageSize);
            foreach (var (name, transform) in new (string, IJointTransform)[] { ($"decode + RandomResizedCrop({request.ImageSize}) + flip", train), ($"decode + Resize({eval.Resize}) + CenterCrop({request.ImageSize})", eval) })
                foreach (int threads in new[] { 1, cores }.Distinct())
                {
                    var loader = new PartBatchLoader(split, transform, threads);
                    loader.Load(indices[..request.BatchSize], 0); // warm-up
                    clock.Restart();
                    for (int s = 0; s + request.BatchSize <= indices.Length; s += request.BatchSize) loader.Load(indices[s..(s + request.BatchSize)], 1);
                    rows.Add((name, threads, indices.Length / request.BatchSize * request.BatchSize / clock.Elapsed.TotalSeconds));
                    progress.Log($"{name}, {threads} thread{(threads == 1 ? "" : "s")}: {rows[^1].PerSecond:F0} images/s");
                }

            var streamLoader = new PartBatchLoader(split, train, cores);
            var batches = Enumerable.Range(0, indices.Length / request.BatchSize).Select(b => indices[(b * request.BatchSize)..((b + 1) * request.BatchSize)]).ToList();
            clock.Restart();
            using (var stream = streamLoader.Stream(batches, 2, 1))
                foreach (var _ in batches)
                {
                    using var scope = NewDisposeScope();
                    stream.Next().ToTensors(CPU);
                }
            rows.Add(("prefetching stream → float tensors (the trainer's path)", cores, batches.Count * request.BatchSize / clock.Elapsed.TotalSeconds));

            var ci = CultureInfo.InvariantCulture;
            var sb = new StringBuilder();
            sb.AppendLine(ci, $"Machine: {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, {cores} cores; date {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.");
            sb.AppendLine(ci, $"Data: {(request.DataDir is null ? $"{split.Count} synthetic {request.SyntheticWidth}×{request.SyntheticHeight} JPEGs (quality 90, textured)" : $"{split.Directory}")}; " +
                              $"{indices.Length} images per measurement, batches of {request.BatchSize}, output {request.ImageSize}×{request.ImageSize}.");
            sb.AppendLine();
            sb.AppendLine("| stage | threads | images/s |");
            sb.AppendLine("|---|---:|---:|");
            foreach (var (what, threads, perSecond) in rows) sb.AppendLine(ci, $"| {what} | {threads} | {perSecond:F0} |");
            return sb.ToString();
        }
        finally
        {
            if (temp is not null && Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>A temporary prepared dataset of textured JPEGs with a simple part mask.</summary>
    static string Synthetic(LoaderBenchmarkRequest request, IProgressSink progress)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"partrobust-loaderbench-{Guid.NewGuid():N}");
        int w = request.SyntheticWidth, h = request.SyntheticHeight, n = Math.Min(request.Images, 128), px = w * h;
        var taxonomy = PartImageNetTaxonomy.All;
        using var writer = new PreparedDatasetWriter(dir, "synthetic", taxonomy, progress);
        Parallel.For(0, n, i =>
        {
            var rng = new Random(i);
            var rgb = new byte[3 * px];
            var mask = new byte[px];
            double fx = 0.01 + 0.05 * rng.NextDouble(), fy = 0.01 + 0.05 * rng.NextDouble();
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int j = y * w + x;
                    double v = 0.5 + 0.25 * Math.Sin(fx * x * (1 + 0.3 * Math.Sin(0.02 * y))) * Math.Cos(fy * y);
                    for (int c = 0; c < 3; c++) rgb[c * px + j] = (byte)Math.Clamp(255 * v + rng.Next(-40, 41) + 30 * c, 0, 255);
                    mask[j] = (byte)(x > w / 4 && x < 3 * w / 4 && y > h / 4 && y < 3 * h / 4 ? 1 + (x * 3 / w) : 0);
                }
            writer.Add(new PreparedSample("train", 0, $"img{i:D4}", new EncodedImage(ImageIO.EncodeRgbJpeg(rgb, w, h, 90), ".jpg"), w, h, mask, "synthetic"));
        });
        writer.Commit();
        return dir;
    }
}
