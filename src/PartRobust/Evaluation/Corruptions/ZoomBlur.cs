namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// imagecorruptions <c>zoom_blur</c>: the mean of the image and its <c>clipped_zoom</c> at every factor z of
/// <c>np.arange(1, end, step)</c>, clipped to [0,1]. clipped_zoom crops the centred ceil(H/z)×ceil(W/z) window
/// (top = (H − ch)//2, per axis, so non-square images work), scales it by z with scipy <c>zoom(order=1)</c>
/// (output side round(ch·z), input coordinate = out·(ch−1)/(out−1)) and keeps the top-left H×W.
/// ImageNet ends/steps (1.11,.01),(1.16,.01),(1.21,.02),(1.26,.02),(1.31,.03); CIFAR-10-C (1.06..1.26 by .05, step .01).
/// With the CIFAR-10-C table the zoomed layer is trimmed centrally ((out − n)//2 per axis) as in make_cifar_c.py's
/// clipped_zoom; imagecorruptions (ImageNet table) keeps the top-left corner.
/// numpy's arange length ceil((end−1)/step) includes the end point when rounding puts it past (e.g. 12 factors
/// 1.00…1.11 for severity 1), reproduced here. Deterministic (seed unused); float32 as the library.
/// </summary>
public sealed class ZoomBlur : ICorruption
{
    internal static readonly (double End, double Step)[] ImageNetParams = { (1.11, .01), (1.16, .01), (1.21, .02), (1.26, .02), (1.31, .03) };
    internal static readonly (double End, double Step)[] CifarParams = { (1.06, .01), (1.11, .01), (1.16, .01), (1.21, .01), (1.26, .01) };

    /// <inheritdoc/>
    public string Name => "zoom_blur";

    /// <summary>numpy <c>arange(1, end, step)</c>.</summary>
    internal static double[] Factors(double end, double step)
    {
        int n = (int)Math.Ceiling((end - 1.0) / step);
        return Enumerable.Range(0, n).Select(i => 1.0 + i * step).ToArray();
    }

    /// <inheritdoc/>
    public float[] Apply(ReadOnlySpan<float> image, int width, int height, int severity, ulong seed, CorruptionTable table = CorruptionTable.ImageNet)
    {
        NoiseBlurSeverity.Check(Name, image, width, height, severity);
        var (end, step) = NoiseBlurSeverity.Pick(ImageNetParams, CifarParams, severity, table);
        var factors = Factors(end, step);
        int plane = width * height;
        var sum = new float[image.Length];
        foreach (double z in factors)
        {
            bool centre = table == CorruptionTable.Cifar10;
            var (ys0, ys1, yw) = Axis(height, z, centre);
            var (xs0, xs1, xw) = Axis(width, z, centre);
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < height; y++)
                    for (int x = 0; x < width; x++)
                    {
                        int o = c * plane;
                        float top = image[o + ys0[y] * width + xs0[x]] * (1 - xw[x]) + image[o + ys0[y] * width + xs1[x]] * xw[x];
                        float bot = image[o + ys1[y] * width + xs0[x]] * (1 - xw[x]) + image[o + ys1[y] * width + xs1[x]] * xw[x];
                        sum[o + y * width + x] += top * (1 - yw[y]) + bot * yw[y];
                    }
        }
        var result = new float[image.Length];
        for (int i = 0; i < result.Length; i++) result[i] = NoiseBlurSeverity.Clip01((image[i] + sum[i]) / (factors.Length + 1));
        return result;
    }

    /// <summary>For each output index along an axis of length n: the two source indices and the weight of the second.</summary>
    static (int[] I0, int[] I1, float[] W) Axis(int n, double z, bool centreTrim)
    {
        int ch = (int)Math.Ceiling(n / z);
        int top = (n - ch) / 2;
        int outLen = (int)Math.Round(ch * z, MidpointRounding.ToEven); // Python round()
        int trim = centreTrim ? (outLen - n) / 2 : 0;
        var i0 = new int[n]; var i1 = new int[n]; var w = new float[n];
        for (int o = trim; o < trim + n; o++) // n of the outLen ≥ n outputs are kept
        {
            double p = outLen > 1 ? o * (double)(ch - 1) / (outLen - 1) : 0;
            p = Math.Clamp(p, 0, ch - 1);
            int f = (int)Math.Floor(p);
            int g = Math.Min(f + 1, ch - 1);
            i0[o - trim] = top + f; i1[o - trim] = top + g; w[o - trim] = (float)(p - f);
        }
        return (i0, i1, w);
    }
}
