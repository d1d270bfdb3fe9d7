using PartRobust.Data;

namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// ImageNet-C <c>elastic_transform</c> as imagecorruptions (not hendrycks' affine+elastic version): displacement fields
/// dx, dy = alpha · gaussian(U(−0.005·H, 0.005·H) per pixel, σ = (0.01·H, 0.01·W), reflect, truncate 3), then each channel
/// is resampled bilinearly at (y+dy, x+dx) with reflected borders (scipy <c>map_coordinates(order=1, mode='reflect')</c>),
/// clipped. alpha = 250·(.05, .065, .085, .1, .12). imagecorruptions has a single table; the CIFAR-10 table setting uses
/// it too (hendrycks' make_cifar_c uses a different, affine-plus-elastic algorithm, not reproduced).
/// Deviations: our random stream (xoshiro); outside the image the coordinate is reflected as scipy's
/// <c>map_coordinate</c> does (−c−1 / 2n−c−1) and the remaining sub-pixel edge case reads the edge pixel (interior values
/// are exact bilinear); the field is kept in double rather than float32.
/// </summary>
public sealed class ElasticTransform : ICorruption
{
    static readonly double[] Alpha = { 250 * 0.05, 250 * 0.065, 250 * 0.085, 250 * 0.1, 250 * 0.12 };

    /// <inheritdoc />
    public string Name => "elastic_transform";

    /// <inheritdoc />
    public float[] Apply(ReadOnlySpan<float> image, int width, int height, int severity, ulong seed, CorruptionTable table = CorruptionTable.ImageNet)
    {
        WeatherDigitalArgs.Check(Name, image, width, height, severity);
        double alpha = Alpha[severity - 1];
        double maxD = height * 0.005;
        var rng = new PartShapesRandom(seed);
        int px = width * height;
        var ux = new double[px];
        var uy = new double[px];
        for (int i = 0; i < px; i++) ux[i] = rng.Uniform(-maxD, maxD);
        for (int i = 0; i < px; i++) uy[i] = rng.Uniform(-maxD, maxD);
        double sr = height * 0.01, sc = width * 0.01;
        var dx = ScipyReflectGaussian.Filter(ux, width, height, sr, sc, 3);
        var dy = ScipyReflectGaussian.Filter(uy, width, height, sr, sc, 3);
        var o = new float[3 * px];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x;
                double cy = MapCoordinate(y + alpha * dy[i], height), cx = MapCoordinate(x + alpha * dx[i], width);
                int y0 = (int)Math.Floor(cy), x0 = (int)Math.Floor(cx);
                double fy = cy - y0, fx = cx - x0;
                int ya = ScipyReflectGaussian.Reflect(y0, height), yb = ScipyReflectGaussian.Reflect(y0 + 1, height);
                int xa = ScipyReflectGaussian.Reflect(x0, width), xb = ScipyReflectGaussian.Reflect(x0 + 1, width);
                for (int ch = 0; ch < 3; ch++)
                {
                    int b = ch * px;
                    double v = (1 - fy) * ((1 - fx) * image[b + ya * width + xa] + fx * image[b + ya * width + xb])
                             + fy * ((1 - fx) * image[b + yb * width + xa] + fx * image[b + yb * width + xb]);
                    o[b + i] = WeatherDigitalArgs.Clip01(v);
                }
            }
        return o;
    }

    // scipy ni_interpolation map_coordinate, NI_EXTEND_REFLECT: fold an outside coordinate back (period 2n).
    static double MapCoordinate(double c, int n)
    {
        if (n == 1) return 0;
        double period = 2.0 * n;
        if (c < 0)
        {
            if (c < -period) c = period * (int)(-c / period) + c;
            c = c < -n ? c + period : -c - 1;
        }
        else if (c > n - 1)
        {
            c -= period * (int)(c / period);
            if (c >= n) c = period - c - 1;
        }
        return c;
    }
}
