using System.Text.Json;
using SkiaSharp;

namespace PartRobust.Bench;

/// <summary>
/// A synthetic PartImageNet source in the release's exact layout: <c>JPEGImages/&lt;wnid&gt;/&lt;wnid&gt;_&lt;n&gt;.JPEG</c>
/// (ImageNet-sized photos stand-ins: smooth colour fields with texture noise, so JPEG sizes and decode costs are
/// realistic) and COCO <c>train/val/test.json</c> with the 40 part categories and ~4 polygon parts per image.
/// </summary>
static class PartImageNetSource
{
    const int Width = 500, Height = 375, Quality = 90, PartsPerImage = 4;

    /// <summary>What the source holds, for the bench's output.</summary>
    public const string Description = "500x375 JPEGs (quality 90), 4 polygon parts (24-48 vertices) each, 11 classes, COCO train/val/test.json";

    // JSON category id of each part, per class in JSON id order (the reference table's json_category_id column).
    static readonly (string Class, string[] Parts, int FirstId, string Wnid)[] Classes =
    [
        ("Quadruped", ["Head", "Body", "Foot", "Tail"], 0, "n02085620"),
        ("Biped", ["Head", "Body", "Hand", "Foot", "Tail"], 4, "n02480495"),
        ("Fish", ["Head", "Body", "Fin", "Tail"], 9, "n01440764"),
        ("Bird", ["Head", "Body", "Wing", "Foot", "Tail"], 13, "n01608432"),
        ("Snake", ["Head", "Body"], 18, "n01728572"),
        ("Reptile", ["Head", "Body", "Foot", "Tail"], 20, "n01630670"),
        ("Car", ["Body", "Tier", "Side Mirror"], 24, "n02701002"),
        ("Bicycle", ["Body", "Head", "Seat", "Tier"], 27, "n02835271"),
        ("Boat", ["Body", "Sail"], 31, "n03947888"),
        ("Aeroplane", ["Head", "Body", "Engine", "Wing", "Tail"], 33, "n02690373"),
        ("Bottle", ["Mouth", "Body"], 38, "n02823428"),
    ];

    public static void Write(string root, int images)
    {
        var rng = new Random(1234);
        var files = new[] { "train", "val", "test" }.ToDictionary(s => s, _ => (Images: new List<object>(), Anns: new List<object>()));
        int annId = 0;
        var jobs = new List<(string Path, int Seed)>();
        for (int i = 0; i < images; i++)
        {
            var cls = Classes[i % Classes.Length];
            string json = (i % 10) switch { 8 => "val", 9 => "test", _ => "train" };
            string name = $"{cls.Wnid}_{i}.JPEG";
            files[json].Images.Add(new { id = i, file_name = name, height = Height, width = Width });
            for (int p = 0; p < PartsPerImage; p++)
            {
                int part = p % cls.Parts.Length;
                var poly = Blob(rng, 24 + rng.Next(25));
                files[json].Anns.Add(new
                {
                    id = annId++, image_id = i, category_id = cls.FirstId + part, segmentation = new[] { poly },
                    area = 1000.0 + rng.Next(10000), bbox = new[] { 0.0, 0, 1, 1 }, iscrowd = 0,
                });
            }
            jobs.Add((Path.Combine(root, "JPEGImages", cls.Wnid, name), i));
        }
        foreach (var d in jobs.Select(j => Path.GetDirectoryName(j.Path)!).Distinct()) Directory.CreateDirectory(d);
        Parallel.ForEach(jobs, j => File.WriteAllBytes(j.Path, Photo(j.Seed)));
        foreach (var (json, f) in files)
        {
            var categories = Classes.SelectMany(c => c.Parts.Select((p, k) => new { id = c.FirstId + k, name = $"{c.Class} {p}", supercategory = c.Class }));
            using var stream = File.Create(Path.Combine(root, $"{json}.json"));
            JsonSerializer.Serialize(stream, new { images = f.Images, annotations = f.Anns, categories });
        }
    }

    // A star-shaped polygon with n vertices around a random centre, coordinates with two decimals as in the release.
    static double[] Blob(Random rng, int n)
    {
        double cx = 40 + rng.NextDouble() * (Width - 80), cy = 40 + rng.NextDouble() * (Height - 80), r = 20 + rng.NextDouble() * 90;
        var xy = new double[2 * n];
        for (int k = 0; k < n; k++)
        {
            double a = 2 * Math.PI * k / n, rr = r * (0.6 + 0.4 * rng.NextDouble());
            xy[2 * k] = Math.Round(Math.Clamp(cx + rr * Math.Cos(a), 0, Width), 2);
            xy[2 * k + 1] = Math.Round(Math.Clamp(cy + rr * Math.Sin(a), 0, Height), 2);
        }
        return xy;
    }

    static byte[] Photo(int seed)
    {
        var rng = new Random(seed);
        var info = new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bmp = new SKBitmap(info);
        var px = new byte[info.BytesSize];
        double fx = rng.NextDouble() * 0.05, fy = rng.NextDouble() * 0.05, ph = rng.NextDouble() * 6;
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                int i = 4 * (y * Width + x), noise = rng.Next(64);
                double s = Math.Sin(fx * x + ph) * Math.Cos(fy * y);
                px[i] = (byte)Math.Clamp(110 + 80 * s + noise, 0, 255);
                px[i + 1] = (byte)Math.Clamp(120 + 60 * Math.Cos(fx * y - ph) + noise, 0, 255);
                px[i + 2] = (byte)Math.Clamp(90 + 70 * s * s + noise, 0, 255);
                px[i + 3] = 255;
            }
        System.Runtime.InteropServices.Marshal.Copy(px, 0, bmp.GetPixels(), px.Length);
        using var pixmap = bmp.PeekPixels();
        using var data = pixmap.Encode(SKEncodedImageFormat.Jpeg, Quality) ?? throw new InvalidOperationException("JPEG encoding failed");
        return data.ToArray();
    }
}
