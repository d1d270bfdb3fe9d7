namespace PartRobust.Data.Transforms;

/// <summary>torchvision's size rules for <c>Resize(int)</c> and <c>CenterCrop</c> on PIL images.</summary>
public static class ResizeGeometry
{
    /// <summary>
    /// Output size of <c>Resize(shortSide)</c>: the shorter side becomes <paramref name="shortSide"/> and the longer
    /// <c>int(shortSide·long/short)</c>, truncated (torchvision <c>_compute_resized_output_size</c>); a square stays square.
    /// </summary>
    public static (int Width, int Height) ShorterSide(int width, int height, int shortSide)
    {
        if (width <= 0 || height <= 0 || shortSide <= 0)
            throw new ArgumentOutOfRangeException(nameof(shortSide), $"sizes must be positive (image {width}x{height}, resize {shortSide}).");
        // Python: int(requested_new_short * long / short), a correctly rounded double quotient, then truncation.
        if (width <= height) return (shortSide, (int)((double)shortSide * height / width));
        return ((int)((double)shortSide * width / height), shortSide);
    }

    /// <summary>
    /// The window <c>CenterCrop</c> cuts from a <paramref name="width"/>×<paramref name="height"/> image:
    /// top = int(round((H - h)/2)), left = int(round((W - w)/2)) with Python's half-to-even rounding (so an odd
    /// difference of 1 gives offset 0, of 3 gives 2, of 5 gives 2). Crops larger than the image (torchvision pads with 0)
    /// are not supported here.
    /// </summary>
    public static PixelRect CenterCrop(int width, int height, int cropWidth, int cropHeight)
    {
        if (cropWidth <= 0 || cropHeight <= 0 || cropWidth > width || cropHeight > height)
            throw new ArgumentException($"centre crop {cropWidth}x{cropHeight} must be non-empty and fit in the {width}x{height} image.");
        int top = (int)Math.Round((height - cropHeight) / 2.0, MidpointRounding.ToEven);
        int left = (int)Math.Round((width - cropWidth) / 2.0, MidpointRounding.ToEven);
        return new PixelRect(left, top, cropWidth, cropHeight);
    }
}
