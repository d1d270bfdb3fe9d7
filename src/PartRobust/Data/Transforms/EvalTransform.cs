namespace PartRobust.Data.Transforms;

/// <summary>
/// The paper's evaluation transform: <c>Resize(resize)</c> (shorter side to <see cref="Resize"/>, see
/// <see cref="ResizeGeometry.ShorterSide"/>) then <c>CenterCrop(size)</c>, image bilinear with antialiasing, mask
/// nearest. Only the centre window of the resized image is computed (identical to resizing fully, then cropping).
/// Deterministic: the seed is ignored.
/// </summary>
public sealed class EvalTransform : IJointTransform
{
    /// <inheritdoc />
    public int Size { get; }

    /// <summary>Length the shorter side is resized to before the centre crop.</summary>
    public int Resize { get; }

    /// <summary>Creates the transform; defaults are the paper's (resize 256, crop 224).</summary>
    public EvalTransform(int size = 224, int resize = 256)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), $"image size must be positive, got {size}.");
        // The shorter side after the resize is exactly `resize`, so the crop always fits and torchvision's padding never applies.
        if (resize < size) throw new ArgumentOutOfRangeException(nameof(resize), $"eval resize ({resize}) must be at least the image size ({size}).");
        Size = size; Resize = resize;
    }

    /// <summary>
    /// The eval transform for <c>--image-size</c> <paramref name="size"/>: the resize keeps the paper's 256/224 ratio,
    /// round(size·256/224) (256 at 224; never a tie, since 8·size/7 is never a half-integer).
    /// </summary>
    public static EvalTransform ForImageSize(int size) => new(size, (int)Math.Round(size * 256.0 / 224.0));

    /// <inheritdoc />
    public void ApplyInto(ReadOnlySpan<byte> image, int width, int height, ReadOnlySpan<byte> mask, ulong seed,
        Span<byte> imageOut, Span<byte> maskOut)
    {
        JointTransformExtensions.CheckBuffers(Size, image, width, height, mask, imageOut, maskOut);
        var (rw, rh) = ResizeGeometry.ShorterSide(width, height, Resize);
        var window = ResizeGeometry.CenterCrop(rw, rh, Size, Size);
        var full = PixelRect.Full(width, height);
        BilinearResampler.ResizeRgb(image, width, height, full, rw, rh, window, imageOut);
        NearestResampler.ResizeMask(mask, width, height, full, rw, rh, window, maskOut);
    }
}
