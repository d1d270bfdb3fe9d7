using System.Text.Json.Nodes;
using SkiaSharp;

namespace PartRobust.Tests.Data.Prepare;

/// <summary>
/// Writes a PartImageNet source folder in the release's exact raw format: <c>JPEGImages/&lt;wnid&gt;/&lt;stem&gt;.JPEG</c>
/// (encoded by Skia) and COCO <c>{train,val,test}.json</c> with the 40 part categories in id order.
/// </summary>
sealed class PartImageNetSourceBuilder
{
    /// <summary>The 40 categories in JSON id order (VLPart / the reference table).</summary>
    public static readonly (string Super, string Part)[] Categories =
    [
        ("Quadruped", "Head"), ("Quadruped", "Body"), ("Quadruped", "Foot"), ("Quadruped", "Tail"),
        ("Biped", "Head"), ("Biped", "Body"), ("Biped", "Hand"), ("Biped", "Foot"), ("Biped", "Tail"),
        ("Fish", "Head"), ("Fish", "Body"), ("Fish", "Fin"), ("Fish", "Tail"),
        ("Bird", "Head"), ("Bird", "Body"), ("Bird", "Wing"), ("Bird", "Foot"), ("Bird", "Tail"),
        ("Snake", "Head"), ("Snake", "Body"),
        ("Reptile", "Head"), ("Reptile", "Body"), ("Reptile", "Foot"), ("Reptile", "Tail"),
        ("Car", "Body"), ("Car", "Tier"), ("Car", "Side Mirror"),
        ("Bicycle", "Body"), ("Bicycle", "Head"), ("Bicycle", "Seat"), ("Bicycle", "Tier"),
        ("Boat", "Body"), ("Boat", "Sail"),
        ("Aeroplane", "Head"), ("Aeroplane", "Body"), ("Aeroplane", "Engine"), ("Aeroplane", "Wing"), ("Aeroplane", "Tail"),
        ("Bottle", "Mouth"), ("Bottle", "Body"),
    ];

    public string Root { get; }
    readonly Dictionary<string, (JsonArray Images, JsonArray Annotations)> _files = new();
    int _nextAnn = 1;

    public PartImageNetSourceBuilder(string root, params string[] jsons)
    {
        Root = root;
        Directory.CreateDirectory(Path.Combine(root, "JPEGImages"));
        foreach (string j in jsons.Length == 0 ? ["train", "val", "test"] : jsons) _files[j] = (new JsonArray(), new JsonArray());
    }

    /// <summary>A JPEG of w×h with a colour pattern, encoded by Skia at <paramref name="quality"/>.</summary>
    public static byte[] Jpeg(int width, int height, int quality = 90, int seed = 0)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bmp = new SKBitmap(info);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bmp.SetPixel(x, y, new SKColor((byte)(x * 40 + seed), (byte)(y * 30 + seed * 3), (byte)((x ^ y) * 20)));
        using var pixmap = bmp.PeekPixels();
        using var data = pixmap.Encode(SKEncodedImageFormat.Jpeg, quality) ?? throw new InvalidOperationException("JPEG encoding failed");
        return data.ToArray();
    }

    /// <summary>Adds an image entry to <paramref name="json"/> and (unless <paramref name="bytes"/> is empty) its file; returns its path.</summary>
    public string Image(string json, long id, string fileName, int width, int height, byte[]? bytes = null)
    {
        _files[json].Images.Add(new JsonObject { ["id"] = id, ["file_name"] = fileName, ["height"] = height, ["width"] = width });
        string path = Path.Combine(Root, "JPEGImages", fileName.Split('_')[0], fileName);
        bytes ??= Jpeg(width, height, seed: (int)id);
        if (bytes.Length > 0)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        }
        return path;
    }

    /// <summary>Adds a polygon annotation (one or more flat x,y lists).</summary>
    public void Polygons(string json, long imageId, int categoryId, double area, params double[][] polygons)
    {
        var seg = new JsonArray();
        foreach (var p in polygons) seg.Add(new JsonArray(p.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()));
        Annotation(json, imageId, categoryId, area, seg);
    }

    /// <summary>Adds an annotation with any segmentation JSON (e.g. an RLE object).</summary>
    public void Annotation(string json, long imageId, int categoryId, double area, JsonNode segmentation)
    {
        _files[json].Annotations.Add(new JsonObject
        {
            ["id"] = _nextAnn++, ["image_id"] = imageId, ["category_id"] = categoryId, ["segmentation"] = segmentation,
            ["area"] = area, ["bbox"] = new JsonArray(0, 0, 1, 1), ["iscrowd"] = 0,
        });
    }

    /// <summary>An uncompressed RLE object.</summary>
    public static JsonNode Rle(int height, int width, params int[] counts) =>
        new JsonObject { ["counts"] = new JsonArray(counts.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()), ["size"] = new JsonArray(height, width) };

    /// <summary>A compressed RLE object.</summary>
    public static JsonNode Rle(int height, int width, string counts) =>
        new JsonObject { ["counts"] = counts, ["size"] = new JsonArray(height, width) };

    /// <summary>Writes the JSON files (categories in id order unless <paramref name="categories"/> is given).</summary>
    public void Write(JsonArray? categories = null)
    {
        foreach (var (json, (images, anns)) in _files)
        {
            var cats = categories?.DeepClone() ?? new JsonArray(Categories.Select((c, i) =>
                (JsonNode?)new JsonObject { ["id"] = i, ["name"] = $"{c.Super} {c.Part}", ["supercategory"] = c.Super }).ToArray());
            var doc = new JsonObject { ["images"] = images.DeepClone(), ["annotations"] = anns.DeepClone(), ["categories"] = cats };
            File.WriteAllText(Path.Combine(Root, $"{json}.json"), doc.ToJsonString());
        }
    }
}
