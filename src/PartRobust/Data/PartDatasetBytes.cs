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
        return new PartDataset(ImagesToTensor(images, n, size), MasksToTensor(masks, n, size), torch.tensor(labels), taxonomy);
    }

    /// <summary>Planar image bytes [n,3,S,S] → float32 tensor with values k/255 (torchvision's ToTensor).</summary>
    public static Tensor ImagesToTensor(byte[] images, long n, int size)
    {
        long expected = n * 3 * size * size;
        if (images.LongLength != expected) throw new ArgumentException($"Expected {expected} image bytes for {n} samples of 3x{size}x{size}, got {images.LongLength}.");
        using var bytes = torch.tensor(images, new long[] { n, 3, size, size });
        return bytes.to_type(ScalarType.Float32).div_(255f);
    }

    /// <summary>Mask bytes [n,S,S] → int64 tensor with <see cref="Ignore"/> (255) → -1.</summary>
    public static Tensor MasksToTensor(byte[] masks, long n, int size)
    {
        long expected = n * size * size;
        if (masks.LongLength != expected) throw new ArgumentException($"Expected {expected} mask bytes for {n} samples of {size}x{size}, got {masks.LongLength}.");
        using var bytes = torch.tensor(masks, new long[] { n, size, size });
        using var ignore = bytes.eq(Ignore);
        return bytes.to_type(ScalarType.Int64).masked_fill_(ignore, -1);
    }

    /// <summary>
    /// A training batch from transformed samples (each planar RGB [3,S,S] and mask [S,S], e.g. from
    /// <see cref="Transforms.IJointTransform"/>): images float32 [B,3,S,S] in [0,1], masks int64 [B,S,S] with -1 = ignore.
    /// </summary>
    public static (Tensor Images, Tensor Masks) ToBatch(IReadOnlyList<(byte[] Image, byte[] Mask)> samples, int size)
    {
        int px = size * size, n = samples.Count;
        var images = new byte[(long)n * 3 * px];
        var masks = new byte[(long)n * px];
        for (int i = 0; i < n; i++)
        {
            var (img, m) = samples[i];
            if (img.Length != 3 * px || m.Length != px)
                throw new ArgumentException($"Sample {i} has {img.Length} image and {m.Length} mask bytes; expected {3 * px} and {px} for size {size}.");
            img.CopyTo(images, (long)i * 3 * px);
            m.CopyTo(masks, (long)i * px);
        }
        return ToBatch(images, masks, n, size);
    }

    /// <summary>The batch tensors of <paramref name="n"/> samples already laid out contiguously ([n,3,S,S] image and [n,S,S] mask bytes).</summary>
    public static (Tensor Images, Tensor Masks) ToBatch(byte[] images, byte[] masks, int n, int size) =>
        (ImagesToTensor(images, n, size), MasksToTensor(masks, n, size));

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
