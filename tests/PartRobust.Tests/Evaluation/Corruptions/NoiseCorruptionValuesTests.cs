using PartRobust.Data;
using PartRobust.Evaluation.Corruptions;
using Xunit;

namespace PartRobust.Tests.Evaluation.Corruptions;

/// <summary>Sample moments of the noise corruptions on flat images, against values worked out by hand.</summary>
public class NoiseCorruptionValuesTests
{
    static float[] Grey(int w, int h, float v) => Enumerable.Repeat(v, 3 * w * h).ToArray();

    static (double mean, double std) Moments(float[] a, Func<float, double> f)
    {
        double m = a.Average(v => f(v));
        double var = a.Sum(v => (f(v) - m) * (f(v) - m)) / (a.Length - 1);
        return (m, Math.Sqrt(var));
    }

    [Fact]
    public void Gaussian_noise_on_mid_grey_has_sigma_std()
    {
        // At 0.5 grey with σ ≤ 0.18 clipping needs a 2.8σ excursion, so the std is ≈ σ (12288 samples: ±1.5 %).
        var o = new GaussianNoise().Apply(Grey(64, 64, 0.5f), 64, 64, 3, 5);
        var (m, s) = Moments(o, v => v);
        Assert.InRange(m, 0.495, 0.505);
        Assert.InRange(s, 0.18 * 0.96, 0.18 * 1.04);
    }

    [Fact]
    public void Speckle_noise_on_mid_grey_has_half_scale_std()
    {
        var o = new SpeckleNoise().Apply(Grey(64, 64, 0.5f), 64, 64, 2, 5); // x·c = 0.5·0.2
        var (m, s) = Moments(o, v => v);
        Assert.InRange(m, 0.495, 0.505);
        Assert.InRange(s, 0.1 * 0.96, 0.1 * 1.04);
    }

    [Theory]
    [InlineData(1, 0.4, 60)]   // λ = 24 (PTRS branch)
    [InlineData(5, 0.4, 3)]    // λ = 1.2 (multiplication branch)
    public void Shot_noise_counts_have_poisson_mean_and_variance(int severity, float grey, double c)
    {
        var o = new ShotNoise().Apply(Grey(64, 64, grey), 64, 64, severity, 9);
        var (m, s) = Moments(o, v => v * c); // back to counts k; clipping to 1 means min(k, c)
        // Moments of min(k, c) for k ~ Poisson(λ), summed from the pmf.
        double lam = grey * c, em = 0, e2 = 0, p = Math.Exp(-lam);
        for (int k = 0; k < 200; k++) { double kk = Math.Min(k, c); em += p * kk; e2 += p * kk * kk; p *= lam / (k + 1); }
        double var = e2 - em * em;
        Assert.InRange(m, em * 0.97, em * 1.03);
        Assert.InRange(s * s, var * 0.93, var * 1.07);
        Assert.All(o, v => Assert.Equal(Math.Round(v * c), v * c, 3)); // values are k/c
    }

    [Fact]
    public void Poisson_sampler_large_lambda_moments()
    {
        var rng = new PartShapesRandom(3);
        var xs = Enumerable.Range(0, 20000).Select(_ => (double)PoissonSampler.Next(rng, 250)).ToArray();
        double m = xs.Average(), v = xs.Sum(x => (x - m) * (x - m)) / (xs.Length - 1);
        Assert.InRange(m, 249, 251);
        Assert.InRange(v, 250 * 0.95, 250 * 1.05);
        Assert.Equal(Math.Log(24.0), PoissonSampler.LogGamma(5), 10); // Γ(5) = 4!
        Assert.Equal(Math.Log(3628800.0), PoissonSampler.LogGamma(11), 10);
    }

    [Fact]
    public void Impulse_noise_replaces_amount_of_values_half_salt_half_pepper()
    {
        var o = new ImpulseNoise().Apply(Grey(64, 64, 0.5f), 64, 64, 4, 2); // amount 0.17
        int salt = o.Count(v => v == 1f), pepper = o.Count(v => v == 0f), kept = o.Count(v => v == 0.5f);
        Assert.Equal(o.Length, salt + pepper + kept);
        double frac = (salt + pepper) / (double)o.Length; // ±3σ ≈ ±0.010
        Assert.InRange(frac, 0.16, 0.18);
        Assert.InRange(salt / (double)(salt + pepper), 0.45, 0.55);
    }
}
