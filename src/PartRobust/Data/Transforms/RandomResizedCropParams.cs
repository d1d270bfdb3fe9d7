namespace PartRobust.Data.Transforms;

/// <summary>
/// torchvision's <c>RandomResizedCrop.get_params</c> with our deterministic generator in place of torch's: up to 10
/// attempts of area = H·W·U(scale), aspect = exp(U(log ratio)), w = round(√(area·aspect)), h = round(√(area/aspect))
/// (Python's round: half to even), accepted when 0 &lt; w ≤ W and 0 &lt; h ≤ H, then top ~ U{0..H-h}, left ~ U{0..W-w};
/// otherwise a central crop of the whole image with its aspect ratio clamped to the ratio range.
/// </summary>
internal static class RandomResizedCropParams
{
    /// <summary>Attempts before the fallback (torchvision: 10).</summary>
    public const int Attempts = 10;

    /// <summary>Draws a crop window for a <paramref name="width"/>×<paramref name="height"/> image.</summary>
    public static PixelRect Sample(int width, int height, double scaleMin, double scaleMax, double ratioMin, double ratioMax,
        PartShapesRandom rng)
    {
        double area = (double)height * width;
        double logMin = Math.Log(ratioMin), logMax = Math.Log(ratioMax);
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            double targetArea = area * rng.Uniform(scaleMin, scaleMax);
            double aspect = Math.Exp(rng.Uniform(logMin, logMax));
            int w = RoundHalfEven(Math.Sqrt(targetArea * aspect));
            int h = RoundHalfEven(Math.Sqrt(targetArea / aspect));
            if (0 < w && w <= width && 0 < h && h <= height)
            {
                int top = rng.Next(height - h + 1);
                int left = rng.Next(width - w + 1);
                return new PixelRect(left, top, w, h);
            }
        }
        return Fallback(width, height, ratioMin, ratioMax);
    }

    /// <summary>torchvision's fallback: the whole image, narrowed to the nearest allowed aspect ratio and centred.</summary>
    public static PixelRect Fallback(int width, int height, double ratioMin, double ratioMax)
    {
        double inRatio = (double)width / height;
        int w, h;
        if (inRatio < ratioMin) { w = width; h = RoundHalfEven(w / ratioMin); }
        else if (inRatio > ratioMax) { h = height; w = RoundHalfEven(h * ratioMax); }
        else { w = width; h = height; }
        // Python's floor division; both differences are >= 0 here.
        return new PixelRect((width - w) / 2, (height - h) / 2, w, h);
    }

    /// <summary>Python's <c>int(round(x))</c> for x ≥ 0 (ties to even).</summary>
    static int RoundHalfEven(double x) => (int)Math.Round(x, MidpointRounding.ToEven);
}
