// `dotnet run -c Release --project bench/PrepareBench -- cityscapes [N [DIR]]`: measures `data prepare cityscapes` on N
// (default 100) synthetic full-size (2048x1024) Cityscapes-Panoptic-Parts frames: LZW int32 uid TIFFs (as Pillow's
// tiff_lzw writes) with 7 human/vehicle instances each (parts painted, one person group region, one small car) and
// noisy RGB PNGs of about the real files' size. The source is generated once under DIR and reused.
// `... -- cityscapes prepare SRC OUT` prepares an existing source (for cross-checks against the authors' script).
using System.Diagnostics;
using PartRobust.Data;
using PartRobust.Data.Formats;
using PartRobust.Data.Prepare;
using PartRobust.Tests.TestSupport;

namespace PartRobust.Bench;

static class CityscapesBench
{
    const int W = 2048, H = 1024;

    public static void Run(string[] args)
    {
        if (args.Length == 3 && args[0] == "prepare") { Prepare(args[1], args[2], Environment.ProcessorCount); return; }
        int n = args.Length > 0 ? int.Parse(args[0]) : 100;
        string root = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "partrobust-prepare-bench-cityscapes");
        string src = Path.Combine(root, "src"), outDir = Path.Combine(root, "out");
        string labels = Path.Combine(src, "gtFinePanopticParts");
        if (!Directory.Exists(labels) || Directory.GetFiles(labels, "*.tif", SearchOption.AllDirectories).Length != n)
        {
            if (Directory.Exists(src)) Directory.Delete(src, true);
            var gen = Stopwatch.StartNew();
            Parallel.For(0, n, i => Generate(src, i));
            Console.WriteLine($"generated {n} frames in {gen.Elapsed.TotalSeconds:F1} s");
        }
        var tifs = Directory.GetFiles(labels, "*.tif", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        var pngs = Directory.GetFiles(Path.Combine(src, "leftImg8bit"), "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        Console.WriteLine($"source: {n} frames {W}x{H}, TIFF {tifs.Average(f => new FileInfo(f).Length) / 1024:F0} KB, PNG {pngs.Average(f => new FileInfo(f).Length) / 1024:F0} KB on average");

        // Single-thread decode costs on the first 10 files.
        int k = Math.Min(10, n);
        var t = Stopwatch.StartNew();
        foreach (var f in tifs.Take(k)) TiffReader.ReadFile(f);
        double tiffMs = t.Elapsed.TotalMilliseconds / k;
        t.Restart();
        foreach (var f in pngs.Take(k)) ImageIO.DecodeRgb(File.ReadAllBytes(f));
        double pngMs = t.Elapsed.TotalMilliseconds / k;
        var decoded = tifs.Take(k).Select(TiffReader.ReadFile).ToList();
        t.Restart();
        foreach (var img in decoded) CityscapesInstance.Find(img.Pixels, img.Width, img.Height);
        double scanMs = t.Elapsed.TotalMilliseconds / k;
        Console.WriteLine($"1 thread: TIFF (LZW) decode {tiffMs:F0} ms, PNG decode {pngMs:F0} ms, instance scan {scanMs:F0} ms per frame");

        Prepare(src, outDir, Environment.ProcessorCount);
    }

    static void Prepare(string src, string outDir, int workers)
    {
        var preparer = new CityscapesPartsPreparer();
        var clock = Stopwatch.StartNew();
        PrepareSummary summary;
        using (var writer = new PreparedDatasetWriter(outDir, preparer.Name, preparer.Taxonomy, NullProgress.Instance))
        {
            preparer.Prepare(src, writer, new PrepareOptions { Workers = workers }, NullProgress.Instance);
            summary = writer.Commit();
        }
        double s = clock.Elapsed.TotalSeconds;
        int files = Directory.GetFiles(Path.Combine(src, "gtFinePanopticParts"), "*.tif", SearchOption.AllDirectories).Length;
        Console.WriteLine($"prepared {summary.Total} samples from {files} label files (skipped {summary.Skipped.Count}), {workers} workers: " +
                          $"{s:F1} s = {s / files:F2} s per label file = {s * 1000 / Math.Max(1, summary.Total):F0} s per 1000 samples");
    }

    // One frame: road/sky/building stuff, 3 persons and 3 vehicles with parts, a person group and a small car without parts.
    static void Generate(string src, int i)
    {
        var rng = new Random(i);
        var f = new CityscapesFrame(W, H, 23);
        f.Fill(0, H / 2, W - 1, H - 1, 7, 0).Fill(0, 200, W / 3, H / 2 - 1, 11, 0);
        for (int k = 0; k < 3; k++)
        {
            int w = 40 + rng.Next(120), h = 2 * w + rng.Next(60), x = rng.Next(W - w), y = 300 + rng.Next(H - 300 - h);
            int uid = 2400000 + (k + rng.Next(2) * 5) * 100;
            f.Fill(x, y, x + w - 1, y + h / 6, uid + 2, 2).Fill(x, y + h / 6 + 1, x + w - 1, y + h / 2, uid + 1, 1)
             .Fill(x, y + h / 6 + 1, x + w / 6, y + h / 2, uid + 3, 3).Fill(x, y + h / 2 + 1, x + w - 1, y + h - 1, uid + 4, 4);
        }
        for (int k = 0; k < 3; k++)
        {
            int w = 150 + rng.Next(350), h = w / 2 + rng.Next(60), x = rng.Next(W - w), y = 350 + rng.Next(H - 350 - h);
            int uid = (26 + k % 3) * 100000 + k * 100;
            f.Fill(x, y, x + w - 1, y + h - 1, uid + 5, 9).Fill(x + w / 5, y, x + 4 * w / 5, y + h / 3, uid + 1, 5)
             .Fill(x + w / 8, y + 4 * h / 5, x + w / 4, y + h - 1, uid + 2, 6).Fill(x + 3 * w / 4, y + 4 * h / 5, x + 7 * w / 8, y + h - 1, uid + 2, 6);
        }
        f.Fill(1500, 600, 1700, 700, 24, 0).Fill(100, 700, 130, 720, 26009, 0);
        string city = $"city{i % 5}", stem = $"city{i % 5}_{i:D6}_000019";
        string partition = i % 6 == 5 ? "val" : "train";
        string label = CityscapesSource.LabelPath(src, partition, city, stem), image = CityscapesSource.ImagePath(src, partition, city, stem);
        Directory.CreateDirectory(Path.GetDirectoryName(label)!);
        Directory.CreateDirectory(Path.GetDirectoryName(image)!);
        TiffWriter.WriteFile(label, new TiffImage(W, H, f.Uids), new TiffWriteOptions { Compression = TiffCompression.Lzw });
        // A smooth scene plus a little noise compresses about as badly as a photo (the real PNGs are ~2 MB).
        var planar = new byte[3 * W * H];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    planar[c * W * H + y * W + x] = (byte)((x / 8 + y / 5 + 40 * c) % 200 + rng.Next(6));
        File.WriteAllBytes(image, ImageIO.EncodeRgbPng(planar, W, H));
    }
}
