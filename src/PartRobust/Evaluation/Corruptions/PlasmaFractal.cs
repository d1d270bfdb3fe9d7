using PartRobust.Data;

namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// The diamond-square height map of imagecorruptions' <c>plasma_fractal</c>: a square map of side
/// <c>mapSize</c> (a power of two), wrapping at the borders like numpy's <c>np.roll</c>, with per-level noise
/// wibble·U(−wibble, wibble) where wibble starts at 100 and is divided by <c>wibbleDecay</c> per level; normalised to [0,1].
/// Draw order differs from numpy's (our own xoshiro stream), the algorithm does not.
/// </summary>
internal static class PlasmaFractal
{
    /// <summary>The smallest power of two ≥ x (1 for x ≤ 1), as the library's <c>next_power_of_2</c>.</summary>
    public static int NextPowerOf2(int x)
    {
        int p = 1;
        while (p < x) p <<= 1;
        return p;
    }

    /// <summary>A mapSize×mapSize row-major height map in [0,1].</summary>
    public static double[] Generate(int mapSize, double wibbleDecay, PartShapesRandom rng)
    {
        if (mapSize < 1 || (mapSize & (mapSize - 1)) != 0) throw new ArgumentException($"plasma fractal: mapSize must be a power of two, got {mapSize}.");
        int n = mapSize;
        var m = new double[n * n];
        double wibble = 100;
        for (int step = n; step >= 2; step /= 2)
        {
            int half = step / 2, k = n / step;
            double Noise() => wibble * rng.Uniform(-wibble, wibble);
            // Squares: centre = mean of its 4 corners (+ noise).
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                {
                    int i1 = (i + 1) % k, j1 = (j + 1) % k;
                    double sum = m[i * step * n + j * step] + m[i1 * step * n + j * step] + m[i * step * n + j1 * step] + m[i1 * step * n + j1 * step];
                    m[(half + i * step) * n + half + j * step] = sum / 4 + Noise();
                }
            // Diamonds, first those on corner rows (between two corners horizontally), then those on corner columns.
            var top = new double[k * k];
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                {
                    double dr = m[(half + i * step) * n + half + j * step], drUp = m[(half + ((i - 1 + k) % k) * step) * n + half + j * step];
                    double ul = m[i * step * n + j * step], ulRight = m[i * step * n + ((j + 1) % k) * step];
                    top[i * k + j] = (dr + drUp + ul + ulRight) / 4 + Noise();
                }
            var left = new double[k * k];
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                {
                    double dr = m[(half + i * step) * n + half + j * step], drLeft = m[(half + i * step) * n + half + ((j - 1 + k) % k) * step];
                    double ul = m[i * step * n + j * step], ulDown = m[((i + 1) % k) * step * n + j * step];
                    left[i * k + j] = (dr + drLeft + ul + ulDown) / 4 + Noise();
                }
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                {
                    m[i * step * n + half + j * step] = top[i * k + j];
                    m[(half + i * step) * n + j * step] = left[i * k + j];
                }
            wibble /= wibbleDecay;
        }
        double min = m.Min();
        for (int i = 0; i < m.Length; i++) m[i] -= min;
        double max = m.Max();
        if (max > 0) for (int i = 0; i < m.Length; i++) m[i] /= max;
        return m;
    }
}
