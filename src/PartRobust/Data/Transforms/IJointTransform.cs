namespace PartRobust.Data.Transforms;

/// <summary>
/// A geometric transform applied identically to an image and its part mask (image bilinear with antialiasing, mask
/// nearest, so label 255 = ignore stays 255). Inputs: planar RGB [3,H,W] bytes and a [H,W] mask; outputs are
/// <see cref="Size"/>×<see cref="Size"/>. Random choices depend only on <c>seed</c> (see <see cref="TransformSeed"/>),
/// so a (sample, epoch) gives the same result on any thread. Implementations are immutable and thread-safe.
/// </summary>
public interface IJointTransform
{
    /// <summary>Side of the square output.</summary>
    int Size { get; }

    /// <summary>
    /// Transforms one sample into caller-provided buffers: <paramref name="imageOut"/> [3,Size,Size] and
    /// <paramref name="maskOut"/> [Size,Size] (e.g. slices of a batch buffer).
    /// </summary>
    void ApplyInto(ReadOnlySpan<byte> image, int width, int height, ReadOnlySpan<byte> mask, ulong seed,
        Span<byte> imageOut, Span<byte> maskOut);

}

/// <summary>Conveniences shared by all <see cref="IJointTransform"/> implementations.</summary>
public static class JointTransformExtensions
{
    /// <summary>Transforms one sample into new arrays: planar RGB [3,Size,Size] and mask [Size,Size].</summary>
    public static (byte[] Image, byte[] Mask) Apply(this IJointTransform transform, ReadOnlySpan<byte> image, int width,
        int height, ReadOnlySpan<byte> mask, ulong seed)
    {
        int s = transform.Size;
        var img = new byte[3 * s * s];
        var m = new byte[s * s];
        transform.ApplyInto(image, width, height, mask, seed, img, m);
        return (img, m);
    }

    /// <summary>Checks the buffer sizes shared by every implementation; throws <see cref="ArgumentException"/> naming the mismatch.</summary>
    internal static void CheckBuffers(int size, ReadOnlySpan<byte> image, int width, int height, ReadOnlySpan<byte> mask,
        Span<byte> imageOut, Span<byte> maskOut)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"image size must be positive, got {width}x{height}.");
        if (image.Length != 3 * width * height)
            throw new ArgumentException($"Expected {3 * width * height} bytes for a {width}x{height} planar RGB image, got {image.Length}.");
        if (mask.Length != width * height)
            throw new ArgumentException($"mask has {mask.Length} bytes but its image is {width}x{height} ({width * height} expected).");
        if (imageOut.Length != 3 * size * size || maskOut.Length != size * size)
            throw new ArgumentException($"output buffers must hold {3 * size * size} image and {size * size} mask bytes, got {imageOut.Length} and {maskOut.Length}.");
    }
}
