namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// imagecorruptions' own <c>_motion_blur</c> (the shift-and-add replacement of ImageMagick's motion blur) on a 2-D
/// row-major field: width = 2·radius+1 taps with weights exp(−i²/2σ²) normalised, tap i shifted by
/// (−ceil(i·sin a − 0.5), −ceil(i·cos a − 0.5)) with edge replication, stopping when a shift reaches the image size.
/// </summary>
internal static class ShiftMotionBlur
{
    /// <summary>The blurred field.</summary>
    public static double[] Apply(double[] field, int w, int h, int radius, double sigma, double angleDegrees)
    {
        int width = 2 * radius + 1;
        var kernel = new double[width];
        double z = 0;
        for (int i = 0; i < width; i++) z += kernel[i] = Math.Exp(-(double)i * i / (2 * sigma * sigma));
        double a = angleDegrees * Math.PI / 180;
        // point = width·(sin a, cos a); hypot(point) = width, so the per-tap step is (sin a, cos a).
        double py = width * Math.Sin(a), px = width * Math.Cos(a), hyp = Math.Sqrt(py * py + px * px);
        var o = new double[field.Length];
        for (int i = 0; i < width; i++)
        {
            int dy = -(int)Math.Ceiling(i * py / hyp - 0.5);
            int dx = -(int)Math.Ceiling(i * px / hyp - 0.5);
            if (Math.Abs(dy) >= h || Math.Abs(dx) >= w) break;
            double k = kernel[i] / z;
            for (int y = 0; y < h; y++)
            {
                int sy = Math.Clamp(y - dy, 0, h - 1);
                for (int x = 0; x < w; x++) o[y * w + x] += k * field[sy * w + Math.Clamp(x - dx, 0, w - 1)];
            }
        }
        return o;
    }
}
