namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// RGB ↔ HSV exactly as scikit-image's <c>rgb2hsv</c>/<c>hsv2rgb</c> (all components in [0,1]; hue 0 for grey pixels;
/// when several channels equal the max, blue's formula wins over green's over red's, as skimage assigns in that order).
/// </summary>
internal static class HsvColor
{
    /// <summary>skimage <c>rgb2hsv</c> of one pixel.</summary>
    public static (double H, double S, double V) FromRgb(double r, double g, double b)
    {
        double v = Math.Max(r, Math.Max(g, b));
        double delta = v - Math.Min(r, Math.Min(g, b));
        if (delta == 0) return (0, 0, v);
        double s = delta / v;
        double h;
        if (b == v) h = 4 + (r - g) / delta;
        else if (g == v) h = 2 + (b - r) / delta;
        else h = (g - b) / delta;
        h /= 6;
        h -= Math.Floor(h); // numpy's % 1 (non-negative)
        return (h, s, v);
    }

    /// <summary>skimage <c>hsv2rgb</c> of one pixel.</summary>
    public static (double R, double G, double B) ToRgb(double h, double s, double v)
    {
        double hi = Math.Floor(h * 6);
        double f = h * 6 - hi;
        double p = v * (1 - s), q = v * (1 - f * s), t = v * (1 - (1 - f) * s);
        int sector = (((int)hi % 6) + 6) % 6;
        return sector switch
        {
            0 => (v, t, p),
            1 => (q, v, p),
            2 => (p, v, t),
            3 => (p, q, v),
            4 => (t, p, v),
            _ => (v, p, q),
        };
    }

    /// <summary>
    /// A planar [3,H,W] image with <paramref name="map"/> applied to each pixel's (h, s, v), converted back to RGB and
    /// clipped to [0,1]: the skimage rgb2hsv → edit → hsv2rgb round trip of brightness and saturate.
    /// </summary>
    public static float[] MapPlanar(ReadOnlySpan<float> image, int pixels, Func<(double H, double S, double V), (double H, double S, double V)> map)
    {
        var o = new float[3 * pixels];
        for (int i = 0; i < pixels; i++)
        {
            var (h, s, v) = map(FromRgb(image[i], image[pixels + i], image[2 * pixels + i]));
            var (r, g, b) = ToRgb(h, s, v);
            o[i] = WeatherDigitalArgs.Clip01(r); o[pixels + i] = WeatherDigitalArgs.Clip01(g); o[2 * pixels + i] = WeatherDigitalArgs.Clip01(b);
        }
        return o;
    }
}
