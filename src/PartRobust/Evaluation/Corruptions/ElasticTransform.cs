using PartRobust.Data;

namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// ImageNet-C <c>elastic_transform</c>.
/// <para><see cref="CorruptionTable.ImageNet"/>: as imagecorruptions (not hendrycks' affine+elastic ImageNet-C version):
/// displacement fields dx, dy = alpha · gaussian(U(−0.005·H, 0.005·H) per pixel, σ = (0.01·H, 0.01·W), reflect,
/// truncate 3), then each channel is resampled bilinearly at (y+dy, x+dx) with reflected borders (scipy
/// <c>map_coordinates(order=1, mode='reflect')</c>), clipped. alpha = 250·(.05, .065, .085, .1, .12).</para>
/// <para><see cref="CorruptionTable.Cifar10"/>: hendrycks' <c>make_cifar_c.py</c> algorithm with its table
/// (alpha, σ, affine) = 32·(0, 0, .08), (.05, .2, .07), (.08, .06, .06), (.1, .04, .05), (.1, .03, .03): a random affine
/// map (the three points centre ± min(H,W)//3 each moved by U(−affine, affine), <c>cv2.getAffineTransform</c>,
/// <c>warpAffine</c> bilinear with BORDER_REFLECT_101), then the elastic field gaussian(U(−1,1), σ, reflect, truncate 3)·alpha
/// resampled as above. Severity 1 (alpha = σ = 0) is the affine map alone. The constants assume 32 px images and are
/// used as they are at any size, as make_cifar_c does.</para>
/// Deviations: our random stream (xoshiro); outside the image the coordinate is reflected as scipy's
/// <c>map_coordinate</c> does (−c−1 / 2n−c−1) and the remaining sub-pixel edge case reads the edge pixel (interior values
/// are exact bilinear); the fields are kept in double rather than float32; OpenCV's warpAffine quantises the sub-pixel
/// position to 1/32 for its bilinear weights, we interpolate exactly.
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
        if (table == CorruptionTable.Cifar10) return ApplyCifar(image, width, height, severity, seed);
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
        return Resample(image.ToArray(), width, height, dx, dy, alpha);
    }

    static readonly (double Alpha, double Sigma, double Affine)[] CifarC =
    {
        (32 * 0.0, 32 * 0.0, 32 * 0.08), (32 * 0.05, 32 * 0.2, 32 * 0.07), (32 * 0.08, 32 * 0.06, 32 * 0.06),
        (32 * 0.1, 32 * 0.04, 32 * 0.05), (32 * 0.1, 32 * 0.03, 32 * 0.03),
    };

    static float[] ApplyCifar(ReadOnlySpan<float> image, int width, int height, int severity, ulong seed)
    {
        var c = CifarC[severity - 1];
        var rng = new PartShapesRandom(seed);
        int px = width * height;
        // The authors build the points from (H, W) // 2 and hand them to OpenCV as (x, y); kept as written.
        double c0 = height / 2, c1 = width / 2, sq = Math.Min(height, width) / 3;
        double[] src = [c0 + sq, c1 + sq, c0 + sq, c1 - sq, c0 - sq, c1 - sq];
        var dst = new double[6];
        for (int k = 0; k < 6; k++) dst[k] = src[k] + (float)rng.Uniform(-c.Affine, c.Affine);
        var inverse = InverseAffine(src, dst);
        var warped = new float[3 * px];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double sx = inverse[0] * x + inverse[1] * y + inverse[2], sy = inverse[3] * x + inverse[4] * y + inverse[5];
                int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                double fx = sx - x0, fy = sy - y0;
                int xa = Reflect101(x0, width), xb = Reflect101(x0 + 1, width), ya = Reflect101(y0, height), yb = Reflect101(y0 + 1, height);
                for (int ch = 0; ch < 3; ch++)
                {
                    int b = ch * px;
                    warped[b + y * width + x] = (float)((1 - fy) * ((1 - fx) * image[b + ya * width + xa] + fx * image[b + ya * width + xb])
                                                       + fy * ((1 - fx) * image[b + yb * width + xa] + fx * image[b + yb * width + xb]));
                }
            }
        var ux = new double[px];
        var uy = new double[px];
        for (int i = 0; i < px; i++) ux[i] = rng.Uniform(-1, 1);
        for (int i = 0; i < px; i++) uy[i] = rng.Uniform(-1, 1);
        var dx = ScipyReflectGaussian.Filter(ux, width, height, c.Sigma, c.Sigma, 3);
        var dy = ScipyReflectGaussian.Filter(uy, width, height, c.Sigma, c.Sigma, 3);
        return Resample(warped, width, height, dx, dy, c.Alpha);
    }

    /// <summary>
    /// The map dst → src of the affine transform that takes the three points <paramref name="src"/> to <paramref name="dst"/>
    /// (x0, y0, x1, y1, x2, y2 each), as [a, b, c, d, e, f] with src = (a·x + b·y + c, d·x + e·y + f): what warpAffine samples.
    /// </summary>
    internal static double[] InverseAffine(double[] src, double[] dst)
    {
        // Solve dst → src directly: three point pairs fix the six coefficients (Cramer's rule on the 3×3 system).
        double det = dst[0] * (dst[3] - dst[5]) - dst[1] * (dst[2] - dst[4]) + (dst[2] * dst[5] - dst[4] * dst[3]);
        if (Math.Abs(det) < 1e-12) return [1, 0, 0, 0, 1, 0];
        double[] Solve(double v0, double v1, double v2) =>
        [
            (v0 * (dst[3] - dst[5]) - dst[1] * (v1 - v2) + (v1 * dst[5] - v2 * dst[3])) / det,
            (dst[0] * (v1 - v2) - v0 * (dst[2] - dst[4]) + (dst[2] * v2 - dst[4] * v1)) / det,
            (dst[0] * (dst[3] * v2 - dst[5] * v1) - dst[1] * (dst[2] * v2 - dst[4] * v1) + v0 * (dst[2] * dst[5] - dst[4] * dst[3])) / det,
        ];
        var row0 = Solve(src[0], src[2], src[4]);
        var row1 = Solve(src[1], src[3], src[5]);
        return [row0[0], row0[1], row0[2], row1[0], row1[1], row1[2]];
    }

    // OpenCV BORDER_REFLECT_101: gfedcb|abcdefgh|gfedcba.
    static int Reflect101(int i, int n)
    {
        if (n == 1) return 0;
        int period = 2 * n - 2;
        i %= period;
        if (i < 0) i += period;
        return i < n ? i : period - i;
    }

    static float[] Resample(float[] image, int width, int height, double[] dx, double[] dy, double alpha)
    {
        int px = width * height;
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
