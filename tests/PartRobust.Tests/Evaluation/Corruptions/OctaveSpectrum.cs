namespace PartRobust.Tests.Evaluation.Corruptions;

/// <summary>
/// How the power of a square gray image (mean removed) splits over octaves of radial spatial frequency, 1–2, 2–4, 4–8,
/// 8–16 and 16+ cycles per side, as bench/corruption-fidelity/frost_photo_statistics.py computes it with numpy's FFT.
/// </summary>
static class OctaveSpectrum
{
    public static readonly double[] Edges = { 1, 2, 4, 8, 16, double.PositiveInfinity };

    /// <summary>The fraction of the power in each octave (sums to 1).</summary>
    public static double[] Fractions(ReadOnlySpan<double> gray, int n)
    {
        double mean = 0;
        foreach (double v in gray) mean += v / gray.Length;
        var (re, im) = Dft2(gray, n, mean);
        var bands = new double[Edges.Length - 1];
        for (int u = 0; u < n; u++)
            for (int v = 0; v < n; v++)
            {
                double fu = u < (n + 1) / 2 ? u : u - n, fv = v < (n + 1) / 2 ? v : v - n;
                double radius = Math.Sqrt(fu * fu + fv * fv), power = re[u * n + v] * re[u * n + v] + im[u * n + v] * im[u * n + v];
                for (int b = 0; b < bands.Length; b++)
                    if (radius >= Edges[b] && radius < Edges[b + 1]) bands[b] += power;
            }
        double total = Math.Max(bands.Sum(), 1e-300);
        return bands.Select(p => p / total).ToArray();
    }

    // A separable 2-D DFT of (gray − mean): rows, then columns.
    static (double[] Re, double[] Im) Dft2(ReadOnlySpan<double> gray, int n, double mean)
    {
        var cos = new double[n];
        var sin = new double[n];
        for (int k = 0; k < n; k++) { cos[k] = Math.Cos(2 * Math.PI * k / n); sin[k] = Math.Sin(2 * Math.PI * k / n); }
        var rowRe = new double[n * n];
        var rowIm = new double[n * n];
        for (int y = 0; y < n; y++)
            for (int v = 0; v < n; v++)
                for (int x = 0; x < n; x++)
                {
                    double g = gray[y * n + x] - mean;
                    int k = v * x % n;
                    rowRe[y * n + v] += g * cos[k];
                    rowIm[y * n + v] -= g * sin[k];
                }
        var re = new double[n * n];
        var im = new double[n * n];
        for (int u = 0; u < n; u++)
            for (int v = 0; v < n; v++)
                for (int y = 0; y < n; y++)
                {
                    int k = u * y % n;
                    re[u * n + v] += rowRe[y * n + v] * cos[k] + rowIm[y * n + v] * sin[k];
                    im[u * n + v] += rowIm[y * n + v] * cos[k] - rowRe[y * n + v] * sin[k];
                }
        return (re, im);
    }
}
