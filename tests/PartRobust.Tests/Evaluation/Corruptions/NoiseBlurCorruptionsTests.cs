using PartRobust.Evaluation.Corruptions;
using Xunit;

namespace PartRobust.Tests.Evaluation.Corruptions;

/// <summary>Properties every noise/blur corruption must have, per corruption and table.</summary>
public class NoiseBlurCorruptionsTests
{
    public static IEnumerable<object[]> Names() => NoiseBlurCorruptions.All.Select(c => new object[] { c.Name });

    static ICorruption Get(string name) => NoiseBlurCorruptions.All.Single(c => c.Name == name);

    static bool IsRandom(string name) => name is not ("gaussian_blur" or "defocus_blur" or "zoom_blur");

    [Theory]
    [MemberData(nameof(Names))]
    public void Deterministic_for_a_seed_and_seeds_differ_when_random(string name)
    {
        var c = Get(name);
        var img = NoiseBlurTestImage.Make(32, 32);
        var a = c.Apply(img, 32, 32, 3, 7);
        Assert.Equal(a, c.Apply(img, 32, 32, 3, 7));
        var b = c.Apply(img, 32, 32, 3, 8);
        if (IsRandom(name)) Assert.NotEqual(a, b); else Assert.Equal(a, b);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Output_in_unit_range_same_length_and_input_untouched(string name)
    {
        var c = Get(name);
        var img = NoiseBlurTestImage.Make(64, 48);
        var copy = (float[])img.Clone();
        foreach (var table in new[] { CorruptionTable.ImageNet, CorruptionTable.Cifar10 })
            for (int s = 1; s <= 5; s++)
            {
                var o = c.Apply(img, 64, 48, s, 1, table);
                Assert.Equal(img.Length, o.Length);
                Assert.All(o, v => Assert.InRange(v, 0f, 1f));
            }
        Assert.Equal(copy, img);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Harsher_with_severity_on_both_tables_and_sizes(string name)
    {
        var c = Get(name);
        var failures = new List<string>();
        foreach (var (w, h) in new[] { (32, 32), (64, 48) })
            foreach (var table in new[] { CorruptionTable.ImageNet, CorruptionTable.Cifar10 })
            {
                var img = NoiseBlurTestImage.Make(w, h);
                var psnr = new double[5];
                for (int s = 1; s <= 5; s++)
                    psnr[s - 1] = (NoiseBlurTestImage.Psnr(img, c.Apply(img, w, h, s, 11, table))
                                 + NoiseBlurTestImage.Psnr(img, c.Apply(img, w, h, s, 12, table))) / 2;
                if (name == "glass_blur")
                {
                    // Exception inherent in the reference parameters: glass blur's severities trade blur σ against
                    // shuffle distance/iterations, and a larger σ smooths the shuffle error (CIFAR σ .05→.25→.4 with
                    // the same δ=1 raises PSNR; ImageNet sev 2 has one pass vs two). Only sev 5 vs sev 1 is required.
                    if (!(psnr[4] < psnr[0])) failures.Add($"{name} {table} {w}x{h}: sev 5 PSNR {psnr[4]:F2} not below sev 1 {psnr[0]:F2}");
                    continue;
                }
                for (int s = 1; s < 5; s++)
                    if (!(psnr[s] < psnr[s - 1]))
                        failures.Add($"{name} {table} {w}x{h}: PSNR {string.Join(", ", psnr.Select(p => p.ToString("F2")))} not decreasing at severity {s + 1}");
            }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        var c = new GaussianNoise();
        var img = NoiseBlurTestImage.Make(8, 8);
        Assert.Throws<ArgumentOutOfRangeException>(() => c.Apply(img, 8, 8, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => c.Apply(img, 8, 8, 6, 1));
        Assert.Throws<ArgumentException>(() => c.Apply(img, 8, 7, 1, 1));
    }

    [Fact]
    public void All_lists_each_name_once()
    {
        var names = NoiseBlurCorruptions.All.Select(c => c.Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Contains("gaussian_noise", names);
    }
}
