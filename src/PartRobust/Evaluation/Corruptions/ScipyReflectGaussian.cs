namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// scipy.ndimage <c>gaussian_filter</c> on a 2-D row-major double field with <c>mode='reflect'</c> (half-sample symmetric:
/// d c b a | a b c d | d c b a), kernel radius int(truncate·σ + 0.5), normalised Gaussian weights; separable per axis.
/// This is what skimage's <c>gaussian</c> calls.
/// </summary>
internal static class ScipyReflectGaussian
{
    /// <summary>scipy's 'reflect' index mapping for any integer index.</summary>
    public static int Reflect(int i, int n)
    {
        int period = 2 * n;
        i %= period;
        if (i < 0) i += period;
        return i < n ? i : period - 1 - i;
    }

    /// <summary>Filters an h×w field with σ per axis (rows, columns).</summary>
    public static double[] Filter(double[] field, int w, int h, double sigmaRows, double sigmaCols, double truncate = 4.0)
    {
        var kc = Kernel(sigmaCols, truncate);
        var kr = Kernel(sigmaRows, truncate);
        int rc = kc.Length / 2, rr = kr.Length / 2;
        // scipy filters the last axis... order does not matter mathematically; do rows (axis 0) first like scipy.
        var tmp = new double[field.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double s = 0;
                for (int k = -rr; k <= rr; k++) s += kr[k + rr] * field[Reflect(y + k, h) * w + x];
                tmp[y * w + x] = s;
            }
        var o = new double[field.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double s = 0;
                for (int k = -rc; k <= rc; k++) s += kc[k + rc] * tmp[y * w + Reflect(x + k, w)];
                o[y * w + x] = s;
            }
        return o;
    }

    static double[] Kernel(double sigma, double truncate)
    {
        if (sigma <= 1e-15) return [1.0]; // scipy skips an axis whose σ is 0
        int radius = (int)(truncate * sigma + 0.5);
        var k = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) sum += k[i + radius] = Math.Exp(-0.5 * i * i / (sigma * sigma));
        for (int i = 0; i < k.Length; i++) k[i] /= sum;
        return k;
    }
}
