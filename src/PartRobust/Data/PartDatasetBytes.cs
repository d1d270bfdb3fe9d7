using TorchSharp;
using static TorchSharp.torch;

namespace PartRobust.Data;

/// <summary>
/// The single conversion between 8-bit buffers and <see cref="PartDataset"/> tensors, shared by the generator and the
/// folder reader so that a write/read round trip gives bit-identical tensors.
/// </summary>
internal static class PartDatasetBytes
{
    /// <summary>Mask byte meaning "no label" (-1) on disk.</summary>
    public const byte Ignore = 255;

    /// <summary>Images planar [N,3,S,S] bytes → float k/255; masks [N,S,S] bytes (255 → -1) → int64.</summary>
    public static PartDataset ToDataset(byte[] images, byte[] masks, long[] labels, int size, PartTaxonomy taxonomy)
    {
        using var scope = NewDisposeScope();
        long n = labels.Length;
        var img = torch.tensor(images, new long[] { n, 3, size, size }).to_type(ScalarType.Float32).div_(255f);
        var m = torch.tensor(masks, new long[] { n, size, size }).to_type(ScalarType.Int64);
        m = m.masked_fill(m.eq(Ignore), -1);
        return new PartDataset(img, m, torch.tensor(labels), taxonomy);
    }

    /// <summary>Planar image bytes (round(255·x), clamped) and mask bytes (-1 → 255) of sample <paramref name="i"/>.</summary>
    public static (byte[] Image, byte[] Mask) FromDataset(float[] images, long[] masks, int i, int size)
    {
        int px = size * size;
        var img = new byte[3 * px];
        for (int j = 0; j < img.Length; j++)
            img[j] = (byte)Math.Clamp(MathF.Round(images[(long)i * 3 * px + j] * 255f), 0f, 255f);
        var m = new byte[px];
        for (int j = 0; j < px; j++)
        {
            long v = masks[(long)i * px + j];
            m[j] = v < 0 ? Ignore : (byte)Math.Min(v, 254);
        }
        return (img, m);
    }
}
