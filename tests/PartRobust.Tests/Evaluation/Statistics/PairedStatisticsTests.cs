using PartRobust.Evaluation.Statistics;
using Xunit;

namespace PartRobust.Tests.Evaluation.Statistics;

public class PairedStatisticsTests
{
    // Builds paired outcomes with the given cell counts (both right, A only, B only, both wrong).
    static (bool[] A, bool[] B) Cells(int both, int onlyA, int onlyB, int neither)
    {
        var a = new List<bool>();
        var b = new List<bool>();
        void Add(int count, bool x, bool y) { for (int i = 0; i < count; i++) { a.Add(x); b.Add(y); } }
        Add(both, true, true); Add(onlyA, true, false); Add(onlyB, false, true); Add(neither, false, false);
        return (a.ToArray(), b.ToArray());
    }

    [Theory]
    [InlineData(0, 5, 0.0625)]
    [InlineData(5, 0, 0.0625)]
    [InlineData(2, 8, 2.0 * (1 + 10 + 45) / 1024)]
    [InlineData(1, 10, 2.0 * (1 + 11) / 2048)]
    [InlineData(7, 7, 1.0)]
    [InlineData(0, 0, 1.0)]
    public void Exact_McNemar_p_matches_hand_computed_binomial_tails(int onlyA, int onlyB, double expected)
    {
        Assert.Equal(expected, PairedStatistics.McNemarExactP(onlyA, onlyB), 12);
        var (a, b) = Cells(3, onlyA, onlyB, 2);
        Assert.Equal(expected, PairedStatistics.PerPoint("a", "b", "pgd", a, b, resamples: 200).PValue!.Value, 12);
    }

    [Fact]
    public void Difference_accuracies_and_discordant_counts_on_a_hand_made_case()
    {
        bool[] a = { true, true, false, false, true, true };
        bool[] b = { true, false, true, false, false, true };
        var c = PairedStatistics.PerPoint("m1", "m2", "clean", a, b);
        Assert.Equal(2, c.OnlyA);
        Assert.Equal(1, c.OnlyB);
        Assert.Equal(6, c.N);
        Assert.Equal("points", c.Unit);
        Assert.Equal(4.0 / 6, c.AccuracyA, 12);
        Assert.Equal(3.0 / 6, c.AccuracyB, 12);
        Assert.Equal(1.0 / 6, c.Difference, 12);
        Assert.True(c.CiLow <= c.Difference && c.Difference <= c.CiHigh);
        Assert.Contains("McNemar", c.Method);
    }

    [Fact]
    public void Identical_outcomes_give_zero_difference_a_zero_interval_and_p_one()
    {
        var (a, _) = Cells(40, 0, 0, 10);
        var c = PairedStatistics.PerPoint("m", "m2", "clean", a, a.ToArray());
        Assert.Equal(0.0, c.Difference);
        Assert.Equal(0.0, c.CiLow);
        Assert.Equal(0.0, c.CiHigh);
        Assert.Equal(1.0, c.PValue);
        Assert.False(c.Significant);
    }

    [Fact]
    public void Bootstrap_interval_covers_the_true_difference_about_95_percent_of_the_time()
    {
        // 300 datasets of 400 points with P(A only) = 0.08, P(B only) = 0.04: true difference 0.04. About 240M draws,
        // ~5 s measured at load average 10 on 2 cores; no wall-clock assert, as it would flake on a loaded machine.
        var rng = new SplitMix64(12345);
        int covered = 0, datasets = 300, n = 400;
        for (int s = 0; s < datasets; s++)
        {
            var a = new bool[n];
            var b = new bool[n];
            for (int i = 0; i < n; i++)
            {
                double u = rng.NextDouble();
                (a[i], b[i]) = u < 0.08 ? (true, false) : u < 0.12 ? (false, true) : u < 0.80 ? (true, true) : (false, false);
            }
            var c = PairedStatistics.PerPoint("a", "b", "pgd", a, b, resamples: 2000, seed: (ulong)s);
            if (c.CiLow <= 0.04 && 0.04 <= c.CiHigh) covered++;
        }
        double coverage = (double)covered / datasets;
        Assert.InRange(coverage, 0.90, 0.99);
    }

    [Fact]
    public void Same_seed_gives_identical_intervals_and_another_seed_nearly_the_same()
    {
        var (a, b) = Cells(700, 80, 40, 180);
        var first = PairedStatistics.PerPoint("a", "b", "pgd", a, b, seed: 1);
        var again = PairedStatistics.PerPoint("a", "b", "pgd", a, b, seed: 1);
        var other = PairedStatistics.PerPoint("a", "b", "pgd", a, b, seed: 2);
        Assert.Equal(first, again);
        Assert.InRange(other.CiLow!.Value, first.CiLow!.Value - 0.01, first.CiLow.Value + 0.01);
        Assert.InRange(other.CiHigh!.Value, first.CiHigh!.Value - 0.01, first.CiHigh.Value + 0.01);
        Assert.True(first.Significant); // 0.04 with ~0.011 standard error
    }

    [Fact]
    public void Percentile_interpolates_linearly_like_numpy()
    {
        int[] v = { 0, 10, 20, 30, 40 };
        Assert.Equal(1.0, PairedStatistics.Percentile(v, 0.025), 12); // h = 0.1
        Assert.Equal(39.0, PairedStatistics.Percentile(v, 0.975), 12); // h = 3.9
        Assert.Equal(5.0, PairedStatistics.Percentile(new[] { 5 }, 0.975), 12);
    }

    [Fact]
    public void Across_seeds_t_interval_and_t_test_on_a_hand_case()
    {
        var c = PairedStatistics.AcrossSeeds("a", "b", "clean", new[] { 0.5, 0.6, 0.7 }, new[] { 0.4, 0.4, 0.4 });
        double half = 4.302653 * 0.1 / Math.Sqrt(3);
        Assert.Equal(0.2, c.Difference, 12);
        Assert.Equal(0.2 - half, c.CiLow!.Value, 6);
        Assert.Equal(0.2 + half, c.CiHigh!.Value, 6);
        // t = 0.2 / (0.1/√3) = √12 with 2 df; for 2 df the two-sided p is 1 − t/√(2 + t²) = 1 − √(6/7) ≈ 0.07418.
        Assert.Equal(1 - Math.Sqrt(6.0 / 7), c.PValue!.Value, 6);
        Assert.InRange(c.PValue.Value, 0.07417 - 0.001, 0.07417 + 0.001);
        Assert.Equal(("seeds", 3), (c.Unit, c.N));
        Assert.Equal(0.6, c.AccuracyA, 12);
        Assert.Null(c.OnlyA);
    }

    [Fact]
    public void Across_seeds_with_one_seed_or_a_constant_difference()
    {
        var one = PairedStatistics.AcrossSeeds("a", "b", "clean", new[] { 0.5 }, new[] { 0.4 });
        Assert.Null(one.CiLow);
        Assert.Null(one.CiHigh);
        Assert.Null(one.PValue);
        Assert.False(one.Significant);
        Assert.Equal(0.1, one.Difference, 12);

        // 0.5 − 0.4 and 0.6 − 0.5 differ by float noise only: treated as a constant difference.
        var constant = PairedStatistics.AcrossSeeds("a", "b", "clean", new[] { 0.5, 0.6 }, new[] { 0.4, 0.5 });
        Assert.Equal(0.0, constant.PValue);
        Assert.Equal(constant.CiLow!.Value, constant.CiHigh!.Value, 12);
        var same = PairedStatistics.AcrossSeeds("a", "b", "clean", new[] { 0.5, 0.6 }, new[] { 0.5, 0.6 });
        Assert.Equal(1.0, same.PValue);
        Assert.False(same.Significant);
    }

    static PairedComparison Made(double diff, double? low, double? high, double? p, int n = 1000, string unit = "points") => new()
    {
        A = "a", B = "b", Metric = "pgd", N = n, Unit = unit, Difference = diff, CiLow = low, CiHigh = high, PValue = p,
        Method = "test",
    };

    [Fact]
    public void Describe_names_a_winner_only_when_the_interval_excludes_zero()
    {
        Assert.Equal("Part − Plain under pgd: +3.1 points (95% CI +0.4 to +5.8, p = 0.02, n = 1000 points): Part is higher.",
            PairedStatistics.Describe(Made(0.031, 0.004, 0.058, 0.02), "Part", "Plain"));
        Assert.Equal("a − b under pgd: −3.0 points (95% CI −5.0 to −1.0, p < 0.001, n = 1000 points): b is higher.",
            PairedStatistics.Describe(Made(-0.03, -0.05, -0.01, 0.0004)));

        string unclear = PairedStatistics.Describe(Made(0.005, -0.01, 0.02, 0.4321));
        Assert.Contains("no detectable difference (the 95% CI includes 0)", unclear);
        Assert.Contains("p = 0.43", unclear);
        Assert.DoesNotContain("is higher", unclear);

        string single = PairedStatistics.Describe(Made(0.1, null, null, null, 1, "seeds"));
        Assert.Contains("CI undefined with one seed", single);
        Assert.Contains("n = 1 seed)", single);
        Assert.Contains("no detectable difference", single);
        Assert.DoesNotContain("is higher", single);
    }

    [Fact]
    public void Bad_input_throws()
    {
        Assert.Throws<ArgumentException>(() => PairedStatistics.PerPoint("a", "b", "m", new[] { true }, new[] { true, false }));
        Assert.Throws<ArgumentException>(() => PairedStatistics.PerPoint("a", "b", "m", Array.Empty<bool>(), Array.Empty<bool>()));
        Assert.Throws<ArgumentException>(() => PairedStatistics.AcrossSeeds("a", "b", "m", new[] { 0.5 }, new[] { 0.5, 0.6 }));
        Assert.Throws<ArgumentException>(() => PairedStatistics.AcrossSeeds("a", "b", "m", Array.Empty<double>(), Array.Empty<double>()));
    }
}
