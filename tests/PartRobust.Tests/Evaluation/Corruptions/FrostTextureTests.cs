using PartRobust.Data;
using PartRobust.Evaluation.Corruptions;
using Xunit;

namespace PartRobust.Tests.Evaluation.Corruptions;

/// <summary>The procedural frost textures copy each photograph's gray-level distribution and, roughly, its spectrum.</summary>
public class FrostTextureTests
{
    // Power per octave (1–2, 2–4, 4–8, 8–16, 16+ cycles per 64 px) of the photographs' 64 px crops:
    // docs/corruption-fidelity.md (frost_photo_statistics.py).
    static readonly double[][] PhotoOctaves =
    [
        [0.208, 0.112, 0.135, 0.295, 0.249], // frost1.png
        [0.140, 0.214, 0.238, 0.255, 0.153], // frost2.png
        [0.137, 0.212, 0.238, 0.257, 0.156], // frost3.png
        [0.077, 0.131, 0.207, 0.346, 0.240], // frost4.jpg
        [0.206, 0.211, 0.214, 0.212, 0.156], // frost5.jpg
    ];

    [Fact]
    public void Texture_is_seeded_and_in_range()
    {
        var a = FrostTexture.Generate(40, 30, 2, new PartShapesRandom(9));
        Assert.Equal(a, FrostTexture.Generate(40, 30, 2, new PartShapesRandom(9)));
        Assert.NotEqual(a, FrostTexture.Generate(40, 30, 2, new PartShapesRandom(10)));
        Assert.All(a, v => Assert.InRange(v, 0.0, 1.0));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Gray_levels_follow_the_photographs_quantiles_whatever_the_seed(int style)
    {
        var s = FrostStyle.All[style];
        double[] Sorted(ulong seed) => FrostTexture.MapByRank(FrostTexture.Structure(64, 64, s, new PartShapesRandom(seed)), s.GrayQuantiles).Order().ToArray();
        var a = Sorted(1);
        Assert.Equal(a, Sorted(2));
        // The mean of the piecewise-linear quantile function: Σ (q_i + q_i+1)/2 · (p_i+1 − p_i).
        var p = FrostStyle.QuantileLevels;
        double mean = 0;
        for (int i = 0; i + 1 < p.Length; i++) mean += (s.GrayQuantiles[i] + s.GrayQuantiles[i + 1]) / 2 * (p[i + 1] - p[i]);
        Assert.True(Math.Abs(mean - a.Average()) < 1e-3, $"mean {a.Average()} vs {mean}");
        Assert.True(Math.Abs(s.GrayQuantiles[6] - a[a.Length / 2]) < 1e-3, $"median {a[a.Length / 2]} vs {s.GrayQuantiles[6]}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Power_per_octave_is_near_the_photographs(int style)
    {
        var s = FrostStyle.All[style];
        var mean = new double[5];
        for (ulong seed = 0; seed < 12; seed++)
        {
            var gray = FrostTexture.MapByRank(FrostTexture.Structure(64, 64, s, new PartShapesRandom(seed)), s.GrayQuantiles);
            var f = OctaveSpectrum.Fractions(gray, 64);
            for (int b = 0; b < 5; b++) mean[b] += f[b] / 12;
        }
        for (int b = 0; b < 5; b++) Assert.True(Math.Abs(mean[b] - PhotoOctaves[style][b]) < 0.08,
            $"octave {b}: {string.Join(", ", mean.Select(v => v.ToString("F3")))} vs photo {string.Join(", ", PhotoOctaves[style])}");
    }
}
