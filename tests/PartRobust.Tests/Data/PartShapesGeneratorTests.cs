using PartRobust.Data;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PartRobust.Tests.Data;

public class PartShapesGeneratorTests(ITestOutputHelper output)
{
    static readonly PartShapesOptions Clean = new() { NoiseStd = 0, BlurProbability = 0 };

    static (float[] Images, long[] Masks, long[] Labels) Arrays(PartDataset ds) =>
        (ds.Images.contiguous().data<float>().ToArray(), ds.Masks.contiguous().data<long>().ToArray(), ds.Labels.data<long>().ToArray());

    [Theory]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(225)]
    public void Image_size_outside_32_to_224_is_rejected(int size)
    {
        var e = Assert.Throws<ArgumentException>(() => new PartShapesGenerator(new PartShapesOptions { ImageSize = size }));
        Assert.Contains("ImageSize", e.Message);
    }

    [Fact]
    public void Other_invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new PartShapesGenerator(new PartShapesOptions { TextureCorrelation = 1.5 }));
        Assert.Throws<ArgumentException>(() => new PartShapesGenerator(new PartShapesOptions { BackgroundCorrelation = -0.1 }));
        Assert.Throws<ArgumentException>(() => new PartShapesGenerator(new PartShapesOptions { NoiseStd = double.NaN }));
        Assert.Throws<ArgumentException>(() => new PartShapesGenerator(new PartShapesOptions { Classes = ["Car", "Unicorn"] }));
    }

    [Fact]
    public void Shapes_types_and_ranges_are_right_and_masks_hold_only_the_own_class_parts()
    {
        var g = new PartShapesGenerator();
        using var ds = g.Generate(PartShapesSplit.Train, 110);
        Assert.Equal([110, 3, 48, 48], ds.Images.shape);
        Assert.Equal([110, 48, 48], ds.Masks.shape);
        Assert.Equal(ScalarType.Float32, ds.Images.dtype);
        Assert.Equal(ScalarType.Int64, ds.Masks.dtype);
        Assert.Equal(ScalarType.Int64, ds.Labels.dtype);
        var (img, masks, labels) = Arrays(ds);
        Assert.All(img, v => Assert.InRange(v, 0f, 1f));
        Assert.All(img, v => Assert.Equal(v, MathF.Round(v * 255f) / 255f)); // multiples of 1/255: PNG round trip is exact
        Assert.All(labels, l => Assert.InRange(l, 0, 10));
        int px = 48 * 48, visible = 0;
        for (int i = 0; i < 110; i++)
        {
            var seg = masks.AsSpan(i * px, px).ToArray();
            Assert.All(seg, m => Assert.True(m == 0 || g.Taxonomy.PartClass[(int)m] == labels[i], $"sample {i}: part {m} not of class {labels[i]}"));
            if (seg.Count(m => m > 0) >= 40) visible++;
        }
        Assert.True(visible >= 105, $"only {visible}/110 objects have ≥40 labelled pixels");
    }

    [Fact]
    public void Every_labelled_pixel_is_painted_with_its_parts_colours()
    {
        // Each part's paint is A + t(B − A), t in [0,1]; with noise and blur off, a pixel labelled p must lie on p's
        // segment (up to 8-bit rounding) — a pixel/mask misalignment would put another part's or the background's colour there.
        var g = new PartShapesGenerator(Clean);
        using var ds = g.Generate(PartShapesSplit.Val, 66, PartShapesVariant.Standard, out var info);
        var (img, masks, _) = Arrays(ds);
        int px = 48 * 48, checkedPixels = 0, partsSeen = 0;
        for (int i = 0; i < 66; i++)
        {
            var paints = info[i].Paints.ToDictionary(p => p.SegLabel);
            Assert.Equal(g.Taxonomy.PartClass.Count(c => c == info[i].Label), paints.Count);
            var seen = new HashSet<long>();
            for (int j = 0; j < px; j++)
            {
                long m = masks[i * px + j];
                if (m == 0) continue;
                seen.Add(m);
                var p = paints[(int)m];
                float[] x = [img[i * 3 * px + j], img[i * 3 * px + px + j], img[i * 3 * px + 2 * px + j]];
                float[] a = [p.ColorA.R, p.ColorA.G, p.ColorA.B], d = [p.ColorB.R - a[0], p.ColorB.G - a[1], p.ColorB.B - a[2]];
                float dd = d.Sum(v => v * v), t = dd == 0 ? 0 : Math.Clamp(((x[0] - a[0]) * d[0] + (x[1] - a[1]) * d[1] + (x[2] - a[2]) * d[2]) / dd, 0, 1);
                for (int c = 0; c < 3; c++)
                    Assert.True(Math.Abs(x[c] - (a[c] + t * d[c])) <= 1.01f / 255f, $"sample {i} pixel {j} labelled {m} is off its paint");
                checkedPixels++;
            }
            partsSeen += seen.Count;
        }
        Assert.True(checkedPixels > 66 * 150, $"only {checkedPixels} labelled pixels");
        Assert.True(partsSeen > 66 * 2, "objects should show several parts");
    }

    [Fact]
    public void Same_seed_gives_identical_bytes_and_other_seeds_or_splits_differ()
    {
        var opts = new PartShapesOptions { Seed = 7, ImageSize = 40 };
        using var a = new PartShapesGenerator(opts).Generate(PartShapesSplit.Train, 40);
        using var b = new PartShapesGenerator(opts).Generate(PartShapesSplit.Train, 40);
        using var c = new PartShapesGenerator(opts with { Seed = 8 }).Generate(PartShapesSplit.Train, 40);
        using var d = new PartShapesGenerator(opts).Generate(PartShapesSplit.Test, 40);
        Assert.Equal(a.Images.bytes.ToArray(), b.Images.bytes.ToArray());
        Assert.Equal(a.Masks.bytes.ToArray(), b.Masks.bytes.ToArray());
        Assert.Equal(a.Labels.bytes.ToArray(), b.Labels.bytes.ToArray());
        Assert.NotEqual(a.Images.bytes.ToArray(), c.Images.bytes.ToArray());
        Assert.NotEqual(a.Images.bytes.ToArray(), d.Images.bytes.ToArray());
    }

    [Fact]
    public void Classes_are_exactly_balanced_with_the_remainder_spread()
    {
        using var ds = new PartShapesGenerator().Generate(PartShapesSplit.Train, 25);
        var counts = ds.Labels.data<long>().ToArray().GroupBy(l => l).OrderBy(g => g.Key).Select(g => g.Count()).ToArray();
        Assert.Equal([3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2], counts);
    }

    [Fact]
    public void Texture_and_background_correlation_follow_the_options()
    {
        var g = new PartShapesGenerator(new PartShapesOptions { TextureCorrelation = 1, BackgroundCorrelation = 0 });
        using var ds = g.Generate(PartShapesSplit.Train, 220, PartShapesVariant.Standard, out var info);
        Assert.All(info, s => Assert.Equal(PartShapesGenerator.PreferredTexture(g.Taxonomy.ClassNames[s.Label]), s.Texture));
        int preferredBg = info.Count(s => s.Background == PartShapesGenerator.PreferredBackground(g.Taxonomy.ClassNames[s.Label]));
        Assert.InRange(preferredBg, 5, 45); // ≈ 1/11 by chance
    }

    [Fact]
    public void CueConflict_uses_another_classes_texture_and_keeps_the_shape_label()
    {
        var g = new PartShapesGenerator(new PartShapesOptions { Classes = ["Bird", "Car", "Fish", "Snake"] });
        using var ds = g.Generate(PartShapesSplit.Test, 40, PartShapesVariant.CueConflict, out var info);
        var preferred = g.Taxonomy.ClassNames.Select(PartShapesGenerator.PreferredTexture).ToArray();
        foreach (var s in info)
        {
            Assert.Equal(s.Label, s.ShapeClass);
            Assert.NotEqual(preferred[s.Label], s.Texture);
            Assert.Contains(s.Texture, preferred);
        }
    }

    [Fact]
    public void MixedRandomBackground_uses_another_classes_background()
    {
        var g = new PartShapesGenerator();
        using var ds = g.Generate(PartShapesSplit.Test, 44, PartShapesVariant.MixedRandomBackground, out var info);
        var preferred = g.Taxonomy.ClassNames.Select(PartShapesGenerator.PreferredBackground).ToArray();
        Assert.All(info, s =>
        {
            Assert.NotEqual(preferred[s.Label], s.Background);
            Assert.Contains(s.Background, preferred);
        });
    }

    [Fact]
    public void OnlyForeground_background_pixels_are_one_uniform_colour()
    {
        var g = new PartShapesGenerator(Clean);
        using var ds = g.Generate(PartShapesSplit.Test, 22, PartShapesVariant.OnlyForeground, out var info);
        var (img, masks, _) = Arrays(ds);
        int px = 48 * 48;
        for (int i = 0; i < 22; i++)
        {
            Assert.Equal(PartShapesPattern.Solid, info[i].Background);
            Assert.False(info[i].Occluded);
            var colours = Enumerable.Range(0, px).Where(j => masks[i * px + j] == 0)
                .Select(j => (img[i * 3 * px + j], img[i * 3 * px + px + j], img[i * 3 * px + 2 * px + j])).Distinct().ToList();
            Assert.Single(colours);
            Assert.Contains(masks.Skip(i * px).Take(px), m => m > 0);
        }
    }

    [Fact]
    public void OnlyBackground_has_empty_masks_and_the_label_of_the_background_family()
    {
        var g = new PartShapesGenerator();
        using var ds = g.Generate(PartShapesSplit.Test, 22, PartShapesVariant.OnlyBackground, out var info);
        Assert.Equal(0L, ds.Masks.abs().sum().item<long>());
        Assert.All(info, s =>
        {
            Assert.Equal(-1, s.ShapeClass);
            Assert.Equal(PartShapesGenerator.PreferredBackground(g.Taxonomy.ClassNames[s.Label]), s.Background);
        });
    }

    [Fact]
    public void Class_subset_renumbers_parts()
    {
        var g = new PartShapesGenerator(new PartShapesOptions { Classes = ["Snake", "Car"], ImageSize = 32 });
        using var ds = g.Generate(PartShapesSplit.Train, 20);
        Assert.Equal(["Car", "Snake"], g.Taxonomy.ClassNames);
        var (_, masks, labels) = Arrays(ds);
        int px = 32 * 32;
        for (int i = 0; i < 20; i++)
        {
            var seg = masks.Skip(i * px).Take(px).Where(m => m > 0).Distinct().ToArray();
            Assert.All(seg, m => Assert.InRange(m, labels[i] == 0 ? 1 : 4, labels[i] == 0 ? 3 : 5));
        }
    }

    [Fact]
    public void Large_images_work()
    {
        using var ds = new PartShapesGenerator(new PartShapesOptions { ImageSize = 224 }).Generate(PartShapesSplit.Train, 4);
        Assert.Equal([4, 3, 224, 224], ds.Images.shape);
        Assert.True(ds.Masks.gt(0).sum().item<long>() > 4 * 224 * 10);
    }

    [Fact]
    public void Throughput_at_48px()
    {
        var g = new PartShapesGenerator();
        g.MeasureThroughput(200); // warm-up (JIT)
        double rate = g.MeasureThroughput(3000);
        output.WriteLine($"PartShapes throughput at 48 px: {rate:F0} images/s on {Environment.ProcessorCount} cores");
        output.WriteLine($"  without noise/blur: {new PartShapesGenerator(Clean).MeasureThroughput(3000):F0} images/s");
        Assert.True(rate > 200, $"{rate:F0} images/s");
    }
}
