namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// <c>skimage.filters.gaussian(x, sigma, channel_axis=-1)</c> as used by imagecorruptions: scipy.ndimage
/// <c>gaussian_filter</c> with mode 'nearest' and truncate 4, i.e. a separable sampled Gaussian of radius
/// <c>int(4σ + 0.5)</c> normalised to sum 1, applied along rows then columns per channel in double precision.
/// </summary>
internal static class GaussianFilter
{
    /// <summary>scipy's <c>_gaussian_kernel1d</c>: weights exp(−x²/2σ²) for x in −r…r, r = int(truncate·σ + 0.5), sum 1.</summary>
    public static double[] Kernel1D(double sigma, double truncate = 4.0)
    {
        int radius = (int)(truncate * sigma + 0.5);
        var k = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) { k[i + radius] = Math.Exp(-0.5 / (sigma * sigma) * i * i); sum += k[i + radius]; }
        for (int i = 0; i < k.Length; i++) k[i] /= sum;
        return k;
    }

    /// <summary>Filters every channel of a planar [C,H,W] double image with σ on both spatial axes, border 'nearest'.</summary>
    public static double[] ApplyNearest(double[] planes, int channels, int width, int height, double sigma)
    {
        var k = Kernel1D(sigma);
        int r = k.Length / 2, plane = width * height;
        var tmp = new double[planes.Length];
        var outp = new double[planes.Length];
        for (int c = 0; c < channels; c++)
        {
            int o = c * plane;
            // scipy filters axis 0 (rows, i.e. along y) first, then axis 1 (along x).
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    double s = 0;
                    for (int i = -r; i <= r; i++)
                        s += k[i + r] * planes[o + Math.Clamp(y + i, 0, height - 1) * width + x];
                    tmp[o + y * width + x] = s;
                }
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    double s = 0;
                    for (int i = -r; i <= r; i++)
                        s += k[i + r] * tmp[o + y * width + Math.Clamp(x + i, 0, width - 1)];
                    outp[o + y * width + x] = s;
                }
        }
        return outp;
    }

    /// <summary>The image as doubles (the library divides uint8 by 255. into float64).</summary>
    public static double[] ToDouble(ReadOnlySpan<float> image)
    {
        var d = new double[image.Length];
        for (int i = 0; i < d.Length; i++) d[i] = image[i];
        return d;
    }
}
