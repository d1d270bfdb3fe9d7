using PartRobust.Data;
using PartRobust.Runs;
using Xunit;

namespace PartRobust.Tests.Data;

public class PartShapesPresetsTests
{
    static PartShapesGenerator Natural(int seed = 1) => new(PartShapesPresets.Get("natural") with { ImageSize = 32, Seed = (ulong)seed });

    [Fact]
    public void Easy_is_the_generator_before_presets_and_natural_is_the_default()
    {
        Assert.Equal(new PartShapesOptions(), PartShapesPresets.Get("easy"));
        Assert.Equal("natural", new ExperimentConfig().PartShapes.Preset);
        Assert.Contains("expected one of", Assert.Throws<ArgumentException>(() => PartShapesPresets.Get("hard")).Message);
    }

    [Fact]
    public void The_easy_preset_reproduces_the_earlier_generator_byte_for_byte()
    {
        // Sums of the first 300 test images and masks (seed 1, 32 px) as the generator made them before the presets.
        using var d = new PartShapesGenerator(PartShapesPresets.Get("easy") with { ImageSize = 32, Seed = 1 }).Generate(PartShapesSplit.Test, 300);
        Assert.Equal(390531.2376138023, d.Images.data<float>().ToArray().Select(v => (double)v).Sum());
        Assert.Equal(978617, d.Masks.sum().item<long>());
    }

    [Fact]
    public void A_config_written_before_presets_means_easy()
    {
        Assert.Equal("easy", ExperimentConfig.FromJson("""{ "image_size": 32 }""")!.PartShapes.Preset);
        Assert.Equal("natural", ExperimentConfig.FromJson(new ExperimentConfig().ToJson())!.PartShapes.Preset);
        var roundTrip = ExperimentConfig.FromJson(new ExperimentConfig { PartShapes = new PartShapesConfig { Preset = "easy", TextureCorrelation = 0.5 } }.ToJson())!;
        Assert.Equal(0.5, roundTrip.PartShapesOptions().TextureCorrelation);
    }

    [Fact]
    public void Natural_parts_are_about_3_pixels_wide_or_more_at_32_px()
    {
        using var data = Natural().Generate(PartShapesSplit.Test, 660);
        var medians = PartWidths.Medians(data);
        Assert.Equal(40, medians.Count);
        Assert.True(medians.Values.Min() >= 1.8, $"thinnest part's median width {medians.Values.Min():F2} px");
        Assert.True(medians.Values.Count(w => w >= 3) >= 39, string.Join(", ", medians.Where(kv => kv.Value < 3).Select(kv => $"{kv.Key}: {kv.Value:F2}")));
        using var easy = new PartShapesGenerator(new PartShapesOptions { ImageSize = 32, Seed = 1 }).Generate(PartShapesSplit.Test, 660);
        Assert.True(PartWidths.Medians(easy).Values.Count(w => w < 3) >= 10); // what the issue measured: many 1–2 px parts
    }

    [Fact]
    public void Part_widths_are_measured_as_disc_diameters()
    {
        var taxonomy = PartImageNetTaxonomy.All;
        var mask = new long[32 * 32];
        for (int y = 4; y < 7; y++) for (int x = 4; x < 20; x++) mask[y * 32 + x] = 1;   // a 3-pixel bar
        for (int y = 10; y < 20; y++) for (int x = 10; x < 20; x++) mask[y * 32 + x] = 2; // a 10×10 block
        mask[25 * 32 + 25] = 3;                                                          // one pixel
        using var data = new PartDataset(TorchSharp.torch.zeros(1, 3, 32, 32), TorchSharp.torch.tensor(mask).reshape(1, 32, 32), TorchSharp.torch.zeros(1, TorchSharp.torch.int64), taxonomy);
        var widths = PartWidths.Medians(data);
        Assert.Equal(3, widths[1]);
        Assert.Equal(1, widths[3]);
        Assert.InRange(widths[2], 9, 10);
    }

    [Fact]
    public void Natural_variants_do_what_they_say()
    {
        var g = Natural();
        int n = 440;
        g.Generate(PartShapesSplit.Test, n, PartShapesVariant.Standard, out var standard).Dispose();
        string Cls(PartShapesSample s) => g.Taxonomy.ClassNames[s.Label];
        // Training distribution: texture and background follow the class about 90% of the time, with the class's hues.
        double textureMatch = standard.Count(s => s.Texture == PartShapesGenerator.PreferredTexture(Cls(s))) / (double)n;
        double backgroundMatch = standard.Count(s => s.Background == PartShapesGenerator.PreferredBackground(Cls(s))) / (double)n;
        Assert.InRange(textureMatch, 0.85, 0.97);
        Assert.InRange(backgroundMatch, 0.85, 0.97);
        var withClassTexture = standard.Where(s => s.Texture == PartShapesGenerator.PreferredTexture(Cls(s)) && s.Paints.Count > 0).ToList();
        double hueHits = withClassTexture.Count(s => HueDistance(Hue(s.Paints[0].ColorA), PartShapesGenerator.PreferredTextureHue(Cls(s))) <= 0.031) / (double)withClassTexture.Count;
        Assert.True(hueHits > 0.9, $"class texture in the class hue: {hueHits:P0}");

        // Cue conflict: every object wears another class's texture, and the background favours neither class.
        g.Generate(PartShapesSplit.Test, n, PartShapesVariant.CueConflict, out var conflict).Dispose();
        Assert.All(conflict, s => Assert.NotEqual(PartShapesGenerator.PreferredTexture(Cls(s)), s.Texture));
        double ownBackground = conflict.Count(s => s.Background == PartShapesGenerator.PreferredBackground(Cls(s))) / (double)n;
        Assert.InRange(ownBackground, 0.0, 0.2); // about 1/11 by chance, not 0.9
        // Mixed backgrounds: always another class's background; the object keeps its class texture as in training.
        g.Generate(PartShapesSplit.Test, n, PartShapesVariant.MixedRandomBackground, out var mixed).Dispose();
        Assert.All(mixed, s => Assert.NotEqual(PartShapesGenerator.PreferredBackground(Cls(s)), s.Background));
        // Only background: no object pixels.
        using var onlyBg = g.Generate(PartShapesSplit.Test, 22, PartShapesVariant.OnlyBackground);
        Assert.Equal(0, onlyBg.Masks.max().item<long>());
    }

    static double Hue(PartShapesColor c)
    {
        double r = c.R, g = c.G, b = c.B, max = Math.Max(r, Math.Max(g, b)), min = Math.Min(r, Math.Min(g, b)), d = max - min;
        if (d < 1e-9) return 0;
        double h = max == r ? ((g - b) / d % 6 + 6) % 6 : max == g ? (b - r) / d + 2 : (r - g) / d + 4;
        return h / 6;
    }

    static double HueDistance(double a, double b)
    {
        double d = Math.Abs(((a - b) % 1 + 1) % 1);
        return Math.Min(d, 1 - d);
    }
}
