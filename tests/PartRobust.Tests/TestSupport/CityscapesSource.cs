using PartRobust.Data;
using PartRobust.Data.Formats;

namespace PartRobust.Tests.TestSupport;

/// <summary>
/// One synthetic Cityscapes-Panoptic-Parts frame: the int32 uid map and, painted alongside, the part label each region
/// should get (stated by hand, so tests never derive expectations from the code under test).
/// </summary>
public sealed class CityscapesFrame(int width, int height, int backgroundUid = 23)
{
    /// <summary>Frame width.</summary>
    public int Width { get; } = width;
    /// <summary>Frame height.</summary>
    public int Height { get; } = height;
    /// <summary>Row-major uids.</summary>
    public int[] Uids { get; } = Enumerable.Repeat(backgroundUid, width * height).ToArray();
    /// <summary>Row-major expected part labels (0..9).</summary>
    public byte[] Labels { get; } = new byte[width * height];

    /// <summary>Paints the inclusive rectangle [x0,x1]×[y0,y1] with a uid and the label it must become.</summary>
    public CityscapesFrame Fill(int x0, int y0, int x1, int y1, int uid, int label)
    {
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++) { Uids[y * Width + x] = uid; Labels[y * Width + x] = (byte)label; }
        return this;
    }
}

/// <summary>
/// Writes a raw Cityscapes-Panoptic-Parts source in the download's layout: <c>leftImg8bit/P/CITY/STEM_leftImg8bit.png</c>
/// (RGB, a known pattern) and <c>gtFinePanopticParts/P/CITY/STEM_gtFinePanopticParts.tif</c> (int32 uids, LZW like Pillow's
/// <c>tiff_lzw</c> mode-I files).
/// </summary>
public static class CityscapesSource
{
    /// <summary>The pattern's colour at (x, y): R = x, G = y, B = (7x + 3y) mod 256 (each mod 256).</summary>
    public static (byte R, byte G, byte B) Pixel(int x, int y) => ((byte)x, (byte)y, (byte)((7 * x + 3 * y) % 256));

    /// <summary>The planar RGB pattern of a W×H image.</summary>
    public static byte[] Pattern(int w, int h)
    {
        var p = new byte[3 * w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var (r, g, b) = Pixel(x, y);
                p[y * w + x] = r; p[w * h + y * w + x] = g; p[2 * w * h + y * w + x] = b;
            }
        return p;
    }

    /// <summary>Path of the label TIFF of a frame.</summary>
    public static string LabelPath(string src, string partition, string city, string stem) =>
        Path.Combine(src, "gtFinePanopticParts", partition, city, stem + "_gtFinePanopticParts.tif");

    /// <summary>Path of the image PNG of a frame.</summary>
    public static string ImagePath(string src, string partition, string city, string stem) =>
        Path.Combine(src, "leftImg8bit", partition, city, stem + "_leftImg8bit.png");

    /// <summary>Writes a frame's label TIFF and its pattern PNG (of the same size unless given).</summary>
    public static void Write(string src, string partition, string city, string stem, CityscapesFrame frame,
        TiffCompression compression = TiffCompression.Lzw, (int W, int H)? imageSize = null)
    {
        string label = LabelPath(src, partition, city, stem), image = ImagePath(src, partition, city, stem);
        Directory.CreateDirectory(Path.GetDirectoryName(label)!);
        Directory.CreateDirectory(Path.GetDirectoryName(image)!);
        TiffWriter.WriteFile(label, new TiffImage(frame.Width, frame.Height, frame.Uids), new TiffWriteOptions { Compression = compression });
        var (w, h) = imageSize ?? (frame.Width, frame.Height);
        File.WriteAllBytes(image, ImageIO.EncodeRgbPng(Pattern(w, h), w, h));
    }
}
