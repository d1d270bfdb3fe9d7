using PartRobust.Data;

namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// ImageNet-C <c>snow</c> as imagecorruptions: a N(c0, c1) layer is centre-cropped and zoomed by c2 (scipy
/// <c>zoom(order=1)</c>: output round(n·z), input coordinate = i·(n−1)/(out−1)), thresholded at c3, clipped, motion-blurred
/// with imagecorruptions' shift-and-add <c>_motion_blur</c> (radius c4, σ c5, angle U(−135°, −45°); the library no longer
/// calls ImageMagick), rounded to 8 bits and cropped to H×W; the image becomes c6·x + (1−c6)·max(x, 1.5·gray + 0.5)
/// (gray = .299R + .587G + .114B as cv2) and the layer plus its 180° rotation is added, clipped.
/// Tables (c0…c6): ImageNet as imagecorruptions; CIFAR-10-C from make_cifar_c (peers §8.2). Our random stream (xoshiro).
/// </summary>
public sealed class Snow : ICorruption
{
    static readonly (double Loc, double Scale, double Zoom, double Threshold, int Radius, double Sigma, double Blend)[] ImageNetC =
    {
        (0.1, 0.3, 3, 0.5, 10, 4, 0.8), (0.2, 0.3, 2, 0.5, 12, 4, 0.7), (0.55, 0.3, 4, 0.9, 12, 8, 0.7),
        (0.55, 0.3, 4.5, 0.85, 12, 8, 0.65), (0.55, 0.3, 2.5, 0.85, 12, 12, 0.55),
    };

    static readonly (double Loc, double Scale, double Zoom, double Threshold, int Radius, double Sigma, double Blend)[] CifarC =
    {
        (0.1, 0.2, 1, 0.6, 8, 3, 0.95), (0.1, 0.2, 1, 0.5, 10, 4, 0.9), (0.15, 0.3, 1.75, 0.55, 10, 4, 0.9),
        (0.25, 0.3, 2.25, 0.6, 12, 6, 0.85), (0.3, 0.3, 1.25, 0.65, 14, 12, 0.8),
    };

    /// <inheritdoc />
    public string Name => "snow";

    /// <inheritdoc />
    public float[] Apply(ReadOnlySpan<float> image, int width, int height, int severity, ulong seed, CorruptionTable table = CorruptionTable.ImageNet)
    {
        WeatherDigitalArgs.Check(Name, image, width, height, severity);
        var c = (table == CorruptionTable.Cifar10 ? CifarC : ImageNetC)[severity - 1];
        var rng = new PartShapesRandom(seed);
        int px = width * height;
        var layer = new double[px];
        for (int i = 0; i < px; i++) layer[i] = c.Loc + c.Scale * rng.Normal();
        var (zoomed, zw, zh) = ClippedZoom(layer, width, height, c.Zoom);
        for (int i = 0; i < zoomed.Length; i++) zoomed[i] = zoomed[i] < c.Threshold ? 0 : Math.Min(zoomed[i], 1);
        var blurred = ShiftMotionBlur.Apply(zoomed, zw, zh, c.Radius, c.Sigma, rng.Uniform(-135, -45));
        var snow = new double[px];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                snow[y * width + x] = Math.Round(blurred[y * zw + x] * 255, MidpointRounding.ToEven) / 255.0;
        var o = new float[3 * px];
        for (int i = 0; i < px; i++)
        {
            double r = image[i], g = image[px + i], b = image[2 * px + i];
            double lifted = (0.299 * r + 0.587 * g + 0.114 * b) * 1.5 + 0.5;
            double flake = snow[i] + snow[px - 1 - i]; // layer + rot90(layer, 2)
            for (int ch = 0; ch < 3; ch++)
            {
                double v = image[ch * px + i];
                o[ch * px + i] = WeatherDigitalArgs.Clip01(c.Blend * v + (1 - c.Blend) * Math.Max(v, lifted) + flake);
            }
        }
        return o;
    }

    // imagecorruptions clipped_zoom on one channel: centre crop of ceil(n/z), scipy zoom order 1 (grid_mode=False).
    static (double[] Field, int W, int H) ClippedZoom(double[] f, int w, int h, double z)
    {
        int ch = (int)Math.Ceiling(h / z), cw = (int)Math.Ceiling(w / z);
        int top = (h - ch) / 2, left = (w - cw) / 2;
        int oh = (int)Math.Round(ch * z, MidpointRounding.ToEven), ow = (int)Math.Round(cw * z, MidpointRounding.ToEven);
        oh = Math.Max(oh, h); ow = Math.Max(ow, w);
        var o = new double[oh * ow];
        double sy = oh > 1 ? (ch - 1.0) / (oh - 1) : 0, sx = ow > 1 ? (cw - 1.0) / (ow - 1) : 0;
        for (int y = 0; y < oh; y++)
        {
            double cy = y * sy;
            int y0 = Math.Min((int)Math.Floor(cy), ch - 1), y1 = Math.Min(y0 + 1, ch - 1);
            double fy = cy - y0;
            for (int x = 0; x < ow; x++)
            {
                double cx = x * sx;
                int x0 = Math.Min((int)Math.Floor(cx), cw - 1), x1 = Math.Min(x0 + 1, cw - 1);
                double fx = cx - x0;
                double a = f[(top + y0) * w + left + x0], b = f[(top + y0) * w + left + x1];
                double cc = f[(top + y1) * w + left + x0], d = f[(top + y1) * w + left + x1];
                o[y * ow + x] = (1 - fy) * ((1 - fx) * a + fx * b) + fy * ((1 - fx) * cc + fx * d);
            }
        }
        return (o, ow, oh);
    }
}
