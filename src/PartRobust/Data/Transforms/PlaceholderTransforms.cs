// TEMPORARY (lead): stand-ins until the transforms branch lands; replaced at merge.
namespace PartRobust.Data.Transforms;

/// <summary>Placeholder.</summary>
public sealed class TrainTransform(int size = 224) : IJointTransform
{
    /// <inheritdoc />
    public int Size => size;
    /// <inheritdoc />
    public (byte[] Image, byte[] Mask) Apply(ReadOnlySpan<byte> image, int width, int height, ReadOnlySpan<byte> mask, ulong seed) =>
        EvalTransform.Nearest(image, width, height, mask, size);
}

/// <summary>Placeholder.</summary>
public sealed class EvalTransform(int size = 224, int resize = 256) : IJointTransform
{
    /// <inheritdoc />
    public int Size => size;
    /// <summary>Resize side.</summary>
    public int Resize => resize;
    /// <inheritdoc />
    public (byte[] Image, byte[] Mask) Apply(ReadOnlySpan<byte> image, int width, int height, ReadOnlySpan<byte> mask, ulong seed) =>
        Nearest(image, width, height, mask, size);

    internal static (byte[], byte[]) Nearest(ReadOnlySpan<byte> image, int w, int h, ReadOnlySpan<byte> mask, int s)
    {
        var img = new byte[3 * s * s]; var m = new byte[s * s];
        for (int y = 0; y < s; y++)
            for (int x = 0; x < s; x++)
            {
                int sy = Math.Min(h - 1, (int)((y + 0.5) * h / s)), sx = Math.Min(w - 1, (int)((x + 0.5) * w / s));
                for (int c = 0; c < 3; c++) img[c * s * s + y * s + x] = image[c * w * h + sy * w + sx];
                m[y * s + x] = mask[sy * w + sx];
            }
        return (img, m);
    }
}
