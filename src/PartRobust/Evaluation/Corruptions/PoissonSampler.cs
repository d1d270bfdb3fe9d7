using PartRobust.Data;

namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// Poisson draws the way numpy's legacy <c>random.poisson</c> makes them: multiplication of uniforms for λ &lt; 10,
/// Hörmann's PTRS transformed rejection for λ ≥ 10 (same algorithm, our uniform stream).
/// </summary>
internal static class PoissonSampler
{
    /// <summary>One Poisson(λ) draw; 0 for λ ≤ 0.</summary>
    public static long Next(PartShapesRandom rng, double lam)
    {
        if (lam <= 0) return 0;
        if (lam < 10)
        {
            double enlam = Math.Exp(-lam), prod = 1.0;
            long x = 0;
            while (true)
            {
                prod *= rng.NextDouble();
                if (prod > enlam) x++; else return x;
            }
        }
        double slam = Math.Sqrt(lam), loglam = Math.Log(lam);
        double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
        double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
        while (true)
        {
            double u = rng.NextDouble() - 0.5, v = rng.NextDouble(), us = 0.5 - Math.Abs(u);
            long k = (long)Math.Floor((2 * a / us + b) * u + lam + 0.43);
            if (us >= 0.07 && v <= vr) return k;
            if (k < 0 || (us < 0.013 && v > us)) continue;
            if (Math.Log(v) + Math.Log(invalpha) - Math.Log(a / (us * us) + b) <= -lam + k * loglam - LogGamma(k + 1)) return k;
        }
    }

    static readonly double[] StirlingCoefficients =
    {
        8.333333333333333e-02, -2.777777777777778e-03, 7.936507936507937e-04, -5.952380952380952e-04,
        8.417508417508418e-04, -1.917526917526918e-03, 6.410256410256410e-03, -2.955065359477124e-02,
        1.796443723688307e-01, -1.39243221690590e+00,
    };

    /// <summary>ln Γ(x) for x &gt; 0 (Stirling series, shifted up to x ≥ 7).</summary>
    internal static double LogGamma(double x)
    {
        if (x == 1.0 || x == 2.0) return 0.0;
        double x0 = x;
        int n = 0;
        if (x < 7.0) { n = (int)(7 - x); x0 = x + n; }
        double x2 = 1.0 / (x0 * x0), gl0 = StirlingCoefficients[9];
        for (int k = 8; k >= 0; k--) { gl0 *= x2; gl0 += StirlingCoefficients[k]; }
        double gl = gl0 / x0 + 0.5 * 1.8378770664093453 + (x0 - 0.5) * Math.Log(x0) - x0;
        for (int k = 1; k <= n; k++) { gl -= Math.Log(x0 - 1.0); x0 -= 1.0; }
        return gl;
    }
}
