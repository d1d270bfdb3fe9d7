namespace PartRobust.Evaluation.Robustness;

/// <summary>
/// The bounding box of one image's foreground (mask &gt; 0), inclusive bounds; <see cref="IsEmpty"/> when the image has no
/// foreground pixel (0 = background and −1 = "no label" both count as not foreground).
/// </summary>
internal readonly record struct ForegroundBox(int Y0, int X0, int Y1, int X1)
{
    /// <summary>The box of no pixel.</summary>
    public static readonly ForegroundBox Empty = new(0, 0, -1, -1);

    /// <summary>True when the image has no foreground pixel.</summary>
    public bool IsEmpty => Y1 < Y0;

    /// <summary>Box height (0 when empty).</summary>
    public int Height => IsEmpty ? 0 : Y1 - Y0 + 1;

    /// <summary>Box width (0 when empty).</summary>
    public int Width => IsEmpty ? 0 : X1 - X0 + 1;

    /// <summary>True when (y, x) lies inside the box.</summary>
    public bool Contains(int y, int x) => y >= Y0 && y <= Y1 && x >= X0 && x <= X1;

    /// <summary>The box of the pixels with mask &gt; 0 in one [H,W] mask stored row-major at <paramref name="mask"/>.</summary>
    public static ForegroundBox Of(ReadOnlySpan<long> mask, int height, int width)
    {
        int y0 = int.MaxValue, x0 = int.MaxValue, y1 = -1, x1 = -1;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                if (mask[y * width + x] > 0)
                {
                    if (y < y0) y0 = y;
                    if (y > y1) y1 = y;
                    if (x < x0) x0 = x;
                    if (x > x1) x1 = x;
                }
        return y1 < 0 ? Empty : new ForegroundBox(y0, x0, y1, x1);
    }
}
