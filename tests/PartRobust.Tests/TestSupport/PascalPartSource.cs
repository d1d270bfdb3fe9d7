using PartRobust.Data.Formats;
using SkiaSharp;

namespace PartRobust.Tests.TestSupport;

/// <summary>An annotated object of a synthetic PASCAL-Part image: VOC class, silhouette and named part masks (row-major H×W).</summary>
public sealed record PascalObject(string Class, byte[,] Mask, params (string Name, byte[,] Mask)[] Parts);

/// <summary>
/// Builds a raw PASCAL-Part source (<c>Annotations_Part/*.mat</c> + <c>JPEGImages/*.jpg</c>) in the exact format of the
/// real files: <c>anno{imname, objects(1xN){class, class_ind, mask, parts(1xM){part_name, mask}}}</c>, zlib-compressed,
/// masks uint8 column-major, <c>class_ind</c> a double stored as miUINT8.
/// </summary>
public static class PascalPartSource
{
    /// <summary>The 20 VOC classes; <c>class_ind</c> is the 1-based position.</summary>
    public static readonly string[] VocClasses =
    [
        "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "diningtable", "dog",
        "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
    ];

    /// <summary>A mask from text rows: <c>#</c> = 1, anything else = 0.</summary>
    public static byte[,] Grid(params string[] rows)
    {
        var m = new byte[rows.Length, rows[0].Length];
        for (int r = 0; r < rows.Length; r++)
            for (int c = 0; c < rows[r].Length; c++) m[r, c] = rows[r][c] == '#' ? (byte)1 : (byte)0;
        return m;
    }

    /// <summary>The <c>anno</c> struct of one image.</summary>
    public static MatNode Annotation(string imname, IReadOnlyList<PascalObject> objects) => MatNode.Struct(
        ("imname", MatNode.Char(imname)),
        ("objects", MatNode.StructArray(["class", "class_ind", "mask", "parts"], objects.Select(o => new MatNode[]
        {
            MatNode.Char(o.Class), MatNode.Double(Array.IndexOf(VocClasses, o.Class) + 1, MatDataType.UInt8), MatNode.UInt8(o.Mask),
            o.Parts.Length == 0
                ? new MatStructNode([0, 0], ["part_name", "mask"], [])
                : MatNode.StructArray(["part_name", "mask"], o.Parts.Select(p => new MatNode[] { MatNode.Char(p.Name), MatNode.UInt8(p.Mask) }).ToArray()),
        }).ToArray())));

    /// <summary>Writes <c>Annotations_Part/IMNAME.mat</c> (compressed as the real files are).</summary>
    public static string WriteAnnotation(string sourceDir, string imname, params PascalObject[] objects)
    {
        string dir = Path.Combine(sourceDir, "Annotations_Part");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, imname + ".mat");
        MatFileWriter.WriteFile(path, compress: true, ("anno", Annotation(imname, objects)));
        return path;
    }

    /// <summary>Writes <c>JPEGImages/IMNAME.jpg</c>, a W×H JPEG, and returns its bytes.</summary>
    public static byte[] WriteJpeg(string sourceDir, string imname, int width, int height, int seed = 0)
    {
        string dir = Path.Combine(sourceDir, "JPEGImages");
        Directory.CreateDirectory(dir);
        var bytes = Jpeg(width, height, seed);
        File.WriteAllBytes(Path.Combine(dir, imname + ".jpg"), bytes);
        return bytes;
    }

    /// <summary>A W×H JPEG with a smooth pattern (quality 90).</summary>
    public static byte[] Jpeg(int width, int height, int seed = 0)
    {
        var rgba = new byte[4 * width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = 4 * (y * width + x);
                rgba[i] = (byte)(x * 255 / Math.Max(1, width - 1));
                rgba[i + 1] = (byte)(y * 255 / Math.Max(1, height - 1));
                rgba[i + 2] = (byte)((x ^ y) * 8 + seed * 37);
                rgba[i + 3] = 255;
            }
        using var image = SKImage.FromPixelCopy(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque), rgba);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }
}
