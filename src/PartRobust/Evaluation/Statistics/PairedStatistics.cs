using System.Globalization;
using MathNet.Numerics.Distributions;

namespace PartRobust.Evaluation.Statistics;

/// <summary>
/// Paired comparisons of two models on the same test points: per point (paired bootstrap CI, exact McNemar p) or
/// across seeds (t-interval, paired t-test). Results are deterministic: the bootstrap uses its own seeded generator.
/// </summary>
public static class PairedStatistics
{
    // Accuracies are fractions of finite point counts; float subtraction leaves ~1e-17 noise that must not turn an
    // exactly constant seed difference into a "significant" one with a huge t.
    const double Tiny = 1e-12;

    /// <summary>
    /// Compares per-point outcomes (correct / robust) of models A and B on the same points. Difference = mean(A) −
    /// mean(B); 95% CI = percentile interval of a paired bootstrap; p = exact two-sided McNemar test.
    /// </summary>
    /// <param name="a">Key of model A.</param>
    /// <param name="b">Key of model B.</param>
    /// <param name="metric">Metric name, e.g. <c>pgd</c>.</param>
    /// <param name="correctA">Per-point outcomes of A.</param>
    /// <param name="correctB">Per-point outcomes of B on the same points, in the same order.</param>
    /// <param name="resamples">Bootstrap resamples (at least 1).</param>
    /// <param name="seed">Seed of the bootstrap generator; same inputs and seed give identical output.</param>
    /// <exception cref="ArgumentException">The outcome lists are empty or differ in length.</exception>
    public static PairedComparison PerPoint(string a, string b, string metric, IReadOnlyList<bool> correctA,
        IReadOnlyList<bool> correctB, int resamples = 10000, ulong seed = 0)
    {
        int n = correctA.Count;
        if (n == 0 || correctB.Count != n)
            throw new ArgumentException($"need the same non-zero number of outcomes for both models, got {n} and {correctB.Count}");
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        int rightA = 0, rightB = 0, onlyA = 0, onlyB = 0;
        for (int i = 0; i < n; i++)
        {
            if (correctA[i]) rightA++;
            if (correctB[i]) rightB++;
            if (correctA[i] && !correctB[i]) onlyA++;
            if (correctB[i] && !correctA[i]) onlyB++;
        }

        // Bootstrap: the difference of a resample is (#A-only − #B-only)/n, so only which cell each draw lands in
        // matters. Drawing n indices and bucketing them is exactly resampling points with replacement.
        double low = 0, high = 0;
        if (onlyA + onlyB > 0) // otherwise every resample has difference 0
        {
            var rng = new SplitMix64(seed);
            var diffs = new int[resamples];
            for (int r = 0; r < resamples; r++)
            {
                int d = 0;
                for (int i = 0; i < n; i++)
                {
                    int k = rng.NextInt(n);
                    if (k < onlyA) d++;
                    else if (k < onlyA + onlyB) d--;
                }
                diffs[r] = d;
            }
            Array.Sort(diffs);
            low = Percentile(diffs, 0.025) / n;
            high = Percentile(diffs, 0.975) / n;
        }

        return new PairedComparison
        {
            A = a, B = b, Metric = metric, N = n, Unit = "points",
            AccuracyA = (double)rightA / n, AccuracyB = (double)rightB / n,
            Difference = (double)(onlyA - onlyB) / n,
            CiLow = low, CiHigh = high,
            PValue = McNemarExactP(onlyA, onlyB),
            Method = string.Create(CultureInfo.InvariantCulture,
                $"paired bootstrap ({resamples:N0} resamples, percentile) 95% CI, exact McNemar p"),
            OnlyA = onlyA, OnlyB = onlyB,
        };
    }

    /// <summary>
    /// Compares one accuracy per seed for models A and B (same seeds, same points): differences dᵢ = Aᵢ − Bᵢ,
    /// Difference = mean(d), 95% CI = mean ± t₀.₉₇₅,ₙ₋₁·sd/√n, p = two-sided one-sample t-test of mean(d) = 0.
    /// With one seed the CI and p are null.
    /// </summary>
    /// <param name="a">Key of model A.</param>
    /// <param name="b">Key of model B.</param>
    /// <param name="metric">Metric name, e.g. <c>pgd</c>.</param>
    /// <param name="accuracyA">Accuracy of A per seed, as fractions.</param>
    /// <param name="accuracyB">Accuracy of B per seed, in the same seed order.</param>
    /// <exception cref="ArgumentException">The lists are empty, differ in length or hold a non-finite value.</exception>
    public static PairedComparison AcrossSeeds(string a, string b, string metric, IReadOnlyList<double> accuracyA,
        IReadOnlyList<double> accuracyB)
    {
        int n = accuracyA.Count;
        if (n == 0 || accuracyB.Count != n)
            throw new ArgumentException($"need the same non-zero number of seeds for both models, got {n} and {accuracyB.Count}");
        if (accuracyA.Concat(accuracyB).Any(x => !double.IsFinite(x)))
            throw new ArgumentException("accuracies must be finite");
        var d = Enumerable.Range(0, n).Select(i => accuracyA[i] - accuracyB[i]).ToArray();
        double mean = d.Average();
        double? low = null, high = null, p = null;
        string method = "single seed: no interval or test";
        if (n >= 2)
        {
            double sd = Math.Sqrt(d.Sum(x => (x - mean) * (x - mean)) / (n - 1));
            double se = sd / Math.Sqrt(n);
            if (sd < Tiny)
            {
                // Every seed gives the same difference: the interval collapses and t is 0 or infinite.
                low = high = mean;
                p = Math.Abs(mean) < Tiny ? 1 : 0;
            }
            else
            {
                double half = StudentT.InvCDF(0, 1, n - 1, 0.975) * se;
                low = mean - half;
                high = mean + half;
                p = 2 * StudentT.CDF(0, 1, n - 1, -Math.Abs(mean / se));
            }
            method = $"t-interval over {n} seeds ({n - 1} df), paired t-test p";
        }

        return new PairedComparison
        {
            A = a, B = b, Metric = metric, N = n, Unit = "seeds",
            AccuracyA = accuracyA.Average(), AccuracyB = accuracyB.Average(),
            Difference = mean, CiLow = low, CiHigh = high, PValue = p, Method = method,
        };
    }

    /// <summary>
    /// One sentence for reports, e.g. "A − B under pgd: +3.1 points (95% CI +0.4 to +5.8, p = 0.02, n = 1000
    /// points): A is higher." A winner is named only when the 95% CI excludes 0.
    /// </summary>
    /// <param name="c">The comparison.</param>
    /// <param name="nameA">Display name of A; defaults to <see cref="PairedComparison.A"/>.</param>
    /// <param name="nameB">Display name of B; defaults to <see cref="PairedComparison.B"/>.</param>
    public static string Describe(PairedComparison c, string? nameA = null, string? nameB = null)
    {
        nameA ??= c.A;
        nameB ??= c.B;
        string unit = c.N == 1 && c.Unit.EndsWith('s') ? c.Unit[..^1] : c.Unit;
        var parts = new List<string>();
        parts.Add(c.CiLow is { } l && c.CiHigh is { } h ? $"95% CI {Points(l)} to {Points(h)}"
            : c.Unit == "seeds" && c.N == 1 ? "CI undefined with one seed" : "CI undefined");
        if (c.PValue is { } p) parts.Add(p < 0.001 ? "p < 0.001" : "p = " + p.ToString("G2", CultureInfo.InvariantCulture));
        parts.Add($"n = {c.N.ToString(CultureInfo.InvariantCulture)} {unit}");
        string verdict = !c.Significant
            ? c.CiLow is null ? "no detectable difference (no 95% CI)" : "no detectable difference (the 95% CI includes 0)"
            : c.CiLow > 0 ? $"{nameA} is higher" : $"{nameB} is higher";
        return $"{nameA} − {nameB} under {c.Metric}: {Points(c.Difference)} points ({string.Join(", ", parts)}): {verdict}.";
    }

    /// <summary>Exact two-sided McNemar p: min(1, 2·P(X ≤ min(b,c))), X ~ Binomial(b+c, ½); 1 when b+c = 0.</summary>
    internal static double McNemarExactP(int onlyA, int onlyB) =>
        onlyA + onlyB == 0 ? 1 : Math.Min(1, 2 * Binomial.CDF(0.5, onlyA + onlyB, Math.Min(onlyA, onlyB)));

    /// <summary>
    /// Percentile q of ascending <paramref name="sorted"/> by linear interpolation between closest ranks, numpy's
    /// default: position h = (m − 1)·q, value v[⌊h⌋] + (h − ⌊h⌋)·(v[⌊h⌋+1] − v[⌊h⌋]).
    /// </summary>
    internal static double Percentile(int[] sorted, double q)
    {
        double h = (sorted.Length - 1) * q;
        int i = (int)Math.Floor(h);
        return i + 1 < sorted.Length ? sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
    }

    /// <summary>Percentage points with one decimal and an explicit sign, e.g. +3.1 or −0.4 (0 prints as +0.0).</summary>
    static string Points(double fraction)
    {
        double v = Math.Round(fraction * 100, 1, MidpointRounding.AwayFromZero);
        return (v < 0 ? "−" : "+") + Math.Abs(v).ToString("0.0", CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// SplitMix64 (Steele, Lea &amp; Flood 2014): tiny, fast, statistically sound, and fully specified here, so bootstrap
/// results do not change with the .NET version the way <see cref="Random"/> may.
/// </summary>
internal sealed class SplitMix64(ulong seed)
{
    ulong _state = seed;

    /// <summary>Next 64 uniformly random bits.</summary>
    public ulong NextULong()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform double in [0,1) from the top 53 bits.</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Unbiased uniform integer in [0, <paramref name="bound"/>) by Lemire's multiply-and-reject method.</summary>
    public int NextInt(int bound)
    {
        ulong s = (ulong)bound;
        ulong hi = Math.BigMul(NextULong(), s, out ulong lo);
        if (lo < s)
        {
            ulong threshold = (0UL - s) % s; // 2^64 mod s: values below it in the low word would bias the result
            while (lo < threshold) hi = Math.BigMul(NextULong(), s, out lo);
        }
        return (int)hi;
    }
}
