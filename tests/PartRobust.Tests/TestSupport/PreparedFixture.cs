using PartRobust.Data;
using PartRobust.Data.Prepare;

namespace PartRobust.Tests.TestSupport;

/// <summary>Small prepared datasets written through <see cref="PreparedDatasetWriter"/>, with images of varying sizes.</summary>
public static class PreparedFixture
{
    /// <summary>Two classes, 2 parts each (K = 5).</summary>
    public static readonly PartTaxonomy Taxonomy = new(["cat", "dog"], ["background", "cat head", "cat body", "dog head", "dog body"], [-1, 0, 0, 1, 1]);

    /// <summary>
    /// Writes <paramref name="perSplit"/> samples per class and split. Sample pixels encode their own coordinates
    /// (R = x, G = y, B = 40·label) and the mask is 1 + 2·label + (x ≥ w/2) inside a centred box, 0 outside, so a test can check
    /// alignment after any geometric transform. Odd samples are JPEG (lossy, as the real datasets), even ones PNG.
    /// </summary>
    public static string Write(string dir, string dataset = "pascal-part", int perSplit = 3)
    {
        using var w = new PreparedDatasetWriter(dir, dataset, Taxonomy, NullProgress.Instance);
        int n = 0;
        foreach (string split in PreparedLayout.Splits)
            for (int label = 0; label < 2; label++)
                for (int k = 0; k < perSplit; k++, n++)
                {
                    int width = 40 + 7 * (n % 5), height = 36 + 5 * (n % 4);
                    var (rgb, mask) = Pixels(width, height, label);
                    var image = n % 2 == 1 ? new EncodedImage(EncodeJpeg(rgb, width, height), ".jpg") : new EncodedImage(ImageIO.EncodeRgbPng(rgb, width, height), ".png");
                    w.Add(new PreparedSample(split, label, $"s{n:D3}", image, width, height, mask, $"fixture {n}"));
                }
        w.Commit();
        return dir;
    }

    /// <summary>The planar RGB and mask of a fixture sample.</summary>
    public static (byte[] Rgb, byte[] Mask) Pixels(int width, int height, int label)
    {
        int px = width * height;
        var rgb = new byte[3 * px];
        var mask = new byte[px];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x;
                rgb[i] = (byte)(x * 255 / (width - 1)); rgb[px + i] = (byte)(y * 255 / (height - 1)); rgb[2 * px + i] = (byte)(40 * label + 60);
                bool inside = x >= width / 4 && x < 3 * width / 4 && y >= height / 4 && y < 3 * height / 4;
                mask[i] = inside ? (byte)(1 + 2 * label + (x >= width / 2 ? 1 : 0)) : (byte)0;
            }
        return (rgb, mask);
    }

    /// <summary>Encodes planar RGB as a JPEG.</summary>
    public static byte[] EncodeJpeg(byte[] planar, int width, int height, int quality = 95) => ImageIO.EncodeRgbJpeg(planar, width, height, quality);
}
