namespace PartRobust.Data.Transforms;

/// <summary>Mirrors planar buffers left to right in place (Pillow's FLIP_LEFT_RIGHT / torchvision's hflip).</summary>
public static class HorizontalFlip
{
    /// <summary>Reverses every row of a planar buffer [<paramref name="channels"/>,<paramref name="height"/>,<paramref name="width"/>].</summary>
    public static void InPlace(Span<byte> planar, int width, int height, int channels)
    {
        if (planar.Length != channels * width * height)
            throw new ArgumentException($"Expected {channels * width * height} bytes for {channels}x{height}x{width}, got {planar.Length}.");
        for (int r = 0; r < channels * height; r++) planar.Slice(r * width, width).Reverse();
    }
}
