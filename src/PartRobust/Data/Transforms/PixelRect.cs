namespace PartRobust.Data.Transforms;

/// <summary>
/// An axis-aligned rectangle of whole pixels: columns [X, X+Width), rows [Y, Y+Height). Used for crop windows in a
/// source image and for the part of a (virtual) resized image that is actually produced.
/// </summary>
/// <param name="X">Left column.</param>
/// <param name="Y">Top row.</param>
/// <param name="Width">Number of columns.</param>
/// <param name="Height">Number of rows.</param>
public readonly record struct PixelRect(int X, int Y, int Width, int Height)
{
    /// <summary>The whole of a <paramref name="width"/>×<paramref name="height"/> image.</summary>
    public static PixelRect Full(int width, int height) => new(0, 0, width, height);

    /// <summary>Throws unless the rectangle is non-empty and lies inside a <paramref name="width"/>×<paramref name="height"/> image.</summary>
    internal void CheckInside(int width, int height, string what)
    {
        if (Width <= 0 || Height <= 0 || X < 0 || Y < 0 || X + Width > width || Y + Height > height)
            throw new ArgumentException($"{what} {this} must be non-empty and inside a {width}x{height} image.");
    }
}
