namespace PartRobust.Data.Prepare;

/// <summary>
/// The square crop of one instance, in image coordinates: it may start left of or above the image (the zero border
/// the authors pad every image with), and it is cut off at the far edge of that border, so crops near the right or
/// bottom edge can be narrower or shorter than they are tall or wide, exactly as numpy slicing cuts them.
/// </summary>
/// <param name="X">Left column (negative inside the left border).</param>
/// <param name="Y">Top row (negative inside the top border).</param>
/// <param name="Width">Crop width.</param>
/// <param name="Height">Crop height.</param>
public readonly record struct CityscapesCropWindow(int X, int Y, int Width, int Height)
{
    /// <summary>The paper's relative padding (<c>--pad 0.2</c>).</summary>
    public const double PaperPad = 0.2;

    /// <summary>The zero border the authors add on every side before cropping: <c>int(0.1 * max(H, W))</c>.</summary>
    public static int Border(int imageWidth, int imageHeight) => (int)(Math.Max(imageWidth, imageHeight) * 0.1);

    /// <summary>
    /// The authors' <c>get_box_square(mask, 0.2, rand=True)</c> on the padded image, given its two draws
    /// <c>np.random.uniform(0, 0.4, size=2)</c> (<paramref name="u0"/> moves the box left, <paramref name="u1"/> up).
    /// Box extents are max − min (not + 1), as in the authors' code.
    /// </summary>
    public static CityscapesCropWindow Square(CityscapesInstance inst, int imageWidth, int imageHeight, double u0, double u1, double pad = PaperPad)
    {
        int border = Border(imageWidth, imageHeight);
        int paddedW = imageWidth + 2 * border, paddedH = imageHeight + 2 * border;
        int xmin = inst.XMin + border, ymin = inst.YMin + border;
        int width = inst.XMax - inst.XMin, height = inst.YMax - inst.YMin;
        int size = Math.Max(width, height);
        int xpad = (int)((size - width) / 2.0), ypad = (int)((size - height) / 2.0);
        size += 2 * (int)(pad * size);
        int x0 = Math.Max(0, xmin - xpad - (int)(u0 * size));
        int y0 = Math.Max(0, ymin - ypad - (int)(u1 * size));
        int x1 = Math.Min(x0 + size, paddedW), y1 = Math.Min(y0 + size, paddedH);
        return new CityscapesCropWindow(x0 - border, y0 - border, x1 - x0, y1 - y0);
    }
}
